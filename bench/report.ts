// The table printed at the end of a run, and the per-measurement progress line.
import type { Measurement } from './measure.ts';
import type { WorkloadName } from './workloads.ts';

/**
 * The targets, as a fraction of the raw baseline's req/s measured in the same run. PostGraphile's
 * reference figures are converted with the ratios of PostGraphile to the raw server measured
 * alongside them (dashboard 23/113, lookup 900/6300, move 890/3600).
 */
export const TARGETS: Record<WorkloadName, { ratio: number; says: string }> = {
  dashboard: { ratio: Math.max(0.5, (2 * 23) / 113), says: '>= 2x PostGraphile (0.41x raw) and >= 0.5x raw' },
  'alias-lookup': { ratio: (1.5 * 900) / 6300, says: '>= 1.5x PostGraphile (0.21x raw)' },
  'alias-move': { ratio: 890 / 3600, says: '>= PostGraphile (0.25x raw), with its audit event' },
};

export interface Machine {
  cpus: number;
  cpuModel: string;
  node: string;
  postgres: string;
  connections: number;
  seconds: number;
  warmup: number;
  rounds: number;
  serverFlags: string;
  /** os.loadavg() (1, 5 and 15 minutes) before seeding and after the last slice: the other tenants' load. */
  loadAverage: { start: number[]; end: number[] };
  against?: { name: string; root: string; serverFlags: string };
}

export interface AgainstRatio {
  workload: WorkloadName;
  /** Our req/s divided by the --against server's, measured in the same slices. */
  reqPerSec: number;
}

export function againstRatios(measurements: Measurement[], against: string): AgainstRatio[] {
  return measurements
    .filter((m) => m.server === 'registry')
    .flatMap((ours) => {
      const theirs = measurements.find((m) => m.workload === ours.workload && m.server === against);
      return theirs ? [{ workload: ours.workload, reqPerSec: ours.reqPerSec / theirs.reqPerSec }] : [];
    });
}

export function fixed(value: number): string {
  if (value >= 100) return value.toFixed(0);
  if (value >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

function table(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) => r.map((cell, c) => (c < 2 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ')).join('\n');
}

export function measurementLine(m: Measurement): string {
  return (
    `bench: ${m.workload} on ${m.server}: ${fixed(m.reqPerSec)} req/s, p50 ${fixed(m.p50Ms)} ms, ` +
    `${fixed(m.statementsPerRequest)} SQL/req, ${fixed(m.cpuMsPerRequest)} CPU ms/req${m.errors ? `, ${m.errors} errors` : ''}`
  );
}

export function report(measurements: Measurement[], machine: Machine, dashboardBytes: number): string {
  const raw = (m: Measurement) => measurements.find((r) => r.workload === m.workload && r.server === 'raw')!;
  const columns: [string, (m: Measurement) => number][] = [
    ['req/s', (m) => m.reqPerSec],
    ['p50 ms', (m) => m.p50Ms],
    ['p99 ms', (m) => m.p99Ms],
    ['SQL/req', (m) => m.statementsPerRequest],
    ['CPU ms/req', (m) => m.cpuMsPerRequest],
    ['peak RSS MB', (m) => m.peakRssMB],
  ];
  const rows = [['workload', 'server', ...columns.map(([name]) => name), 'errors']];
  for (const m of measurements) {
    const base = raw(m);
    rows.push([
      m.workload,
      m.server,
      ...columns.map(([, get]) => (m.server === 'raw' ? fixed(get(m)) : `${fixed(get(m))} (${(get(m) / get(base)).toFixed(2)}x)`)),
      String(m.errors),
    ]);
  }
  const verdicts = measurements
    .filter((m) => m.server === 'registry')
    .map((m) => {
      const ratio = m.reqPerSec / raw(m).reqPerSec;
      const target = TARGETS[m.workload];
      const verdict = ratio >= target.ratio ? 'met' : `NOT met (${((ratio / target.ratio) * 100).toFixed(0)}% of target)`;
      return `  ${m.workload.padEnd(12)} ${ratio.toFixed(2)}x raw req/s; target ${target.says}: ${verdict}`;
    });
  const loads = (values: number[]) => values.map((v) => v.toFixed(2)).join(' ');
  const against = machine.against;
  return [
    `machine: ${machine.cpus} CPUs (${machine.cpuModel}), node ${machine.node}, PostgreSQL ${machine.postgres}; ` +
      `${machine.connections} connections, ${machine.seconds} s per server and workload in ${machine.rounds} alternating slices after ${machine.warmup} s warm-up${machine.serverFlags ? `; our server runs with ${machine.serverFlags}` : ''}; dashboard response ${(dashboardBytes / 1024).toFixed(0)} KB`,
    `load average (1, 5, 15 min): ${loads(machine.loadAverage.start)} at start, ${loads(machine.loadAverage.end)} at end`,
    ...(against ? [`${against.name} is ${against.root}${against.serverFlags ? `, run with ${against.serverFlags}` : ''}`] : []),
    '(x) = ratio to the raw node:http + pg baseline measured in this run',
    '',
    table(rows),
    '',
    'targets (issue 3):',
    ...verdicts,
    ...(against
      ? ['', `ours / ${against.name}, req/s in the same slices (below 1: slower than it):`, ...againstLines(measurements, against.name)]
      : []),
  ].join('\n');
}

function againstLines(measurements: Measurement[], against: string): string[] {
  const rawRatio = (server: string, workload: WorkloadName) => {
    const of = (name: string) => measurements.find((m) => m.workload === workload && m.server === name)!.reqPerSec;
    return (of(server) / of('raw')).toFixed(2);
  };
  return againstRatios(measurements, against).map(
    ({ workload, reqPerSec }) =>
      `  ${workload.padEnd(12)} ${reqPerSec.toFixed(2)}x (ours ${rawRatio('registry', workload)}x raw, ${against} ${rawRatio(against, workload)}x raw)`,
  );
}

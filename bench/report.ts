// The table printed at the end of a run, and the per-measurement progress line.
import type { Measurement } from './measure.ts';
import { POSTGRAPHILE } from './postgraphile.ts';
import { WORKLOAD_SPECS, type WorkloadName } from './workloads.ts';

/**
 * The targets of issue 14, as our req/s divided by PostGraphile's measured in the same run and the
 * same slices; and the stretch target, our req/s divided by the raw baseline's. No figure of
 * another run enters a verdict.
 */
export const TARGETS: Partial<Record<WorkloadName, number>> = { dashboard: 2, 'alias-lookup': 1.5, 'alias-move': 1 };
export const RAW_STRETCH_TARGET = 0.5;

export interface Verdict {
  workload: WorkloadName;
  ours: number;
  postgraphile: number;
  raw: number;
  /** Our req/s divided by PostGraphile's. */
  vsPostgraphile: number;
  target: number;
  met: boolean;
  /** Our req/s divided by the raw baseline's. */
  vsRaw: number;
  stretchTarget: number;
  stretchMet: boolean;
}

export function verdicts(measurements: Measurement[]): Verdict[] {
  const of = (server: string, workload: WorkloadName) => measurements.find((m) => m.workload === workload && m.server === server);
  return measurements
    .filter((m) => m.server === 'registry')
    .flatMap((ours) => {
      const target = TARGETS[ours.workload];
      const postgraphile = of(POSTGRAPHILE, ours.workload);
      const raw = of('raw', ours.workload);
      if (!target || !postgraphile || !raw) return [];
      const vsPostgraphile = ours.reqPerSec / postgraphile.reqPerSec;
      const vsRaw = ours.reqPerSec / raw.reqPerSec;
      return [
        {
          workload: ours.workload,
          ours: ours.reqPerSec,
          postgraphile: postgraphile.reqPerSec,
          raw: raw.reqPerSec,
          vsPostgraphile,
          target,
          met: vsPostgraphile >= target,
          vsRaw,
          stretchTarget: RAW_STRETCH_TARGET,
          stretchMet: vsRaw >= RAW_STRETCH_TARGET,
        },
      ];
    });
}

const MET = (met: boolean) => (met ? 'MET' : 'NOT MET');

function verdictLines(measurements: Measurement[]): string[] {
  const all = verdicts(measurements);
  if (!all.length) return [];
  return [
    'targets (issue 14): ours ÷ PostGraphile and ours ÷ raw, req/s measured in this run, in the same alternating slices:',
    ...all.flatMap((v) => {
      const label = `  ${v.workload.replace('-', ' ')}: ours ${fixed(v.ours)} req/s`;
      return [
        `${label}, PostGraphile ${fixed(v.postgraphile)} req/s: ${v.vsPostgraphile.toFixed(2)}x (target >= ${v.target}x) ${MET(v.met)}`,
        `${label}, raw ${fixed(v.raw)} req/s: ${v.vsRaw.toFixed(2)}x (stretch target >= ${v.stretchTarget}x) ${MET(v.stretchMet)}`,
      ];
    }),
    ...(all.some((v) => v.workload === 'alias-move')
      ? [
          "  (alias move: PostGraphile's is its generated updateModelAliasByModelIdAndAlias, a plain UPDATE of model_alias;",
          '   ours also writes registered_model.updated_at and its ALIAS_SET audit event in the same transaction)',
        ]
      : []),
  ];
}

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

export interface TwinRatio {
  server: string;
  /** The MLflow-REST workload and its GraphQL twin, measured on the same server in the same run. */
  workload: WorkloadName;
  twin: WorkloadName;
  mlflowReqPerSec: number;
  graphqlReqPerSec: number;
  /** MLflow's req/s divided by GraphQL's (above 1: the REST front door is faster). */
  reqPerSec: number;
  mlflowCpuMsPerRequest: number;
  graphqlCpuMsPerRequest: number;
}

export function twinRatios(measurements: Measurement[]): TwinRatio[] {
  return measurements.flatMap((rest) => {
    const twin = WORKLOAD_SPECS[rest.workload].twin;
    const graphql = twin && measurements.find((m) => m.workload === twin && m.server === rest.server);
    if (!twin || !graphql) return [];
    return [
      {
        server: rest.server,
        workload: rest.workload,
        twin,
        mlflowReqPerSec: rest.reqPerSec,
        graphqlReqPerSec: graphql.reqPerSec,
        reqPerSec: rest.reqPerSec / graphql.reqPerSec,
        mlflowCpuMsPerRequest: rest.cpuMsPerRequest,
        graphqlCpuMsPerRequest: graphql.cpuMsPerRequest,
      },
    ];
  });
}

function twinLines(measurements: Measurement[]): string[] {
  const ratios = twinRatios(measurements);
  if (!ratios.length) return [];
  const rows = ratios.map((r) => [
    r.server,
    r.workload,
    `${fixed(r.mlflowReqPerSec)} req/s`,
    `vs ${r.twin}`,
    `${fixed(r.graphqlReqPerSec)} req/s:`,
    `${r.reqPerSec.toFixed(2)}x;`,
    `CPU ms/req ${fixed(r.mlflowCpuMsPerRequest)} vs ${fixed(r.graphqlCpuMsPerRequest)}`,
  ]);
  const widths = rows[0].map((_, c) => Math.max(...rows.map((row) => row[c].length)));
  return [
    '',
    'MLflow REST / GraphQL twin, req/s on the same server in the same run (above 1: REST faster):',
    ...rows.map((row) =>
      `  ${row.map((cell, c) => (c === 2 || c === 4 ? cell.padStart(widths[c]) : cell.padEnd(widths[c]))).join(' ')}`.trimEnd(),
    ),
  ];
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
  const raw = (m: Measurement) => measurements.find((r) => r.workload === m.workload && r.server === 'raw');
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
      ...columns.map(([, get]) => (m.server === 'raw' || !base ? fixed(get(m)) : `${fixed(get(m))} (${(get(m) / get(base)).toFixed(2)}x)`)),
      String(m.errors),
    ]);
  }
  const loads = (values: number[]) => values.map((v) => v.toFixed(2)).join(' ');
  const against = machine.against;
  return [
    `machine: ${machine.cpus} CPUs (${machine.cpuModel}), node ${machine.node}, PostgreSQL ${machine.postgres}; ` +
      `${machine.connections} connections, ${machine.seconds} s per server and workload in ${machine.rounds} alternating slices after ${machine.warmup} s warm-up${machine.serverFlags ? `; our server runs with ${machine.serverFlags}` : ''}; dashboard response ${(dashboardBytes / 1024).toFixed(0)} KB`,
    `load average (1, 5, 15 min): ${loads(machine.loadAverage.start)} at start, ${loads(machine.loadAverage.end)} at end`,
    ...(against ? [`${against.name} is ${against.root}${against.serverFlags ? `, run with ${against.serverFlags}` : ''}`] : []),
    '(x) = ratio to the raw node:http + pg baseline measured in this run (it and PostGraphile 5 serve the dashboard, alias lookup and alias move)',
    '',
    table(rows),
    '',
    ...verdictLines(measurements),
    ...twinLines(measurements),
    ...(against
      ? ['', `ours / ${against.name}, req/s in the same slices (below 1: slower than it):`, ...againstLines(measurements, against.name)]
      : []),
  ].join('\n');
}

function againstLines(measurements: Measurement[], against: string): string[] {
  const of = (name: string, workload: WorkloadName) => measurements.find((m) => m.workload === workload && m.server === name)?.reqPerSec;
  const ratios = againstRatios(measurements, against);
  const width = Math.max(12, ...ratios.map((r) => r.workload.length));
  return ratios.map(({ workload, reqPerSec }) => {
    const raw = of('raw', workload);
    const toRaw = (server: string) => `${((of(server, workload) ?? 0) / (raw ?? 1)).toFixed(2)}x raw`;
    return `  ${workload.padEnd(width)} ${reqPerSec.toFixed(2)}x${raw ? ` (ours ${toRaw('registry')}, ${against} ${toRaw(against)})` : ''}`;
  });
}

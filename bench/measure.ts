// Measurement in alternating slices, so that the machine's drift is shared by every server.
import type { ServerStats } from './child.ts';
import type { ServerProcess } from './children.ts';
import { type RequestSource, load } from './load.ts';
import type { Options } from './options.ts';
import { POSTGRAPHILE } from './postgraphile.ts';
import { WORKLOAD_SPECS, type WorkloadName } from './workloads.ts';

export interface Measurement {
  workload: WorkloadName;
  server: string;
  /** Median of the slices' req/s (with --rounds 3: of three). */
  reqPerSec: number;
  p50Ms: number;
  p99Ms: number;
  statementsPerRequest: number;
  cpuMsPerRequest: number;
  peakRssMB: number;
  requests: number;
  errors: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Load on these shared machines drifts from second to second, so the servers take turns: each
 * round gives every server one slice of the measured time, in alternating order. A group of
 * workloads (a GraphQL workload and its MLflow-REST twin) takes turns the same way, each workload
 * on each server a slice of its own, so that the twins' ratio does not depend on which ran first.
 * Throughput (req/s), p50 and p99 are the medians of the slices' values, so that one slice
 * disturbed by another tenant does not move them; CPU and statements add up over the slices.
 */
export async function measureWorkloads(
  servers: ServerProcess[],
  workloads: WorkloadName[],
  options: Pick<Options, 'seconds' | 'rounds' | 'warmup' | 'connections'>,
  source: RequestSource,
): Promise<Measurement[]> {
  const turns = workloads.flatMap((workload) => serversOf(workload, servers).map((server) => ({ workload, server })));
  const slice = Math.max(1, Math.round(options.seconds / options.rounds));
  if (options.warmup > 0) {
    for (const { workload, server } of turns) {
      await load(server, options.connections, options.warmup, workload, source);
      await untilIdle(server);
    }
  }
  const totals = new Map(
    turns.map((turn) => [
      turn,
      {
        requests: 0,
        rates: [] as number[],
        p50s: [] as number[],
        p99s: [] as number[],
        errors: 0,
        cpuMs: 0,
        statements: 0,
        handled: 0,
        peakRss: 0,
      },
    ]),
  );
  for (let round = 0; round < options.rounds; round++) {
    for (const turn of round % 2 === 0 ? turns : [...turns].reverse()) {
      const { workload, server } = turn;
      await sleep(200);
      await server.stats();
      const run = await load(server, options.connections, slice, workload, source);
      const stats = await untilIdle(server);
      const t = totals.get(turn)!;
      t.requests += run.requests;
      t.rates.push(run.requests / run.seconds);
      t.p50s.push(run.p50);
      t.p99s.push(run.p99);
      t.errors += run.errors;
      t.cpuMs += stats.cpuMs;
      t.statements += stats.statements;
      t.handled += stats.requests;
      t.peakRss = Math.max(t.peakRss, stats.peakRss);
    }
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  return turns.map((turn) => {
    const t = totals.get(turn)!;
    const handled = Math.max(t.handled, 1);
    return {
      workload: turn.workload,
      server: turn.server.name,
      reqPerSec: median(t.rates),
      p50Ms: median(t.p50s),
      p99Ms: median(t.p99s),
      statementsPerRequest: t.statements / handled,
      cpuMsPerRequest: t.cpuMs / handled,
      peakRssMB: t.peakRss / 2 ** 20,
      requests: t.requests,
      errors: t.errors,
    };
  });
}

/**
 * The server's figures since the slice began, once requests still in flight when the load stopped
 * have finished (no statement for 200 ms), so that CPU and statements match them and do not count
 * in the next turn, maybe another workload's (an MLflow model search takes about a second).
 */
async function untilIdle(server: ServerProcess): Promise<ServerStats> {
  await sleep(300);
  const total = await server.stats();
  for (let polls = 0; polls < 150; polls++) {
    await sleep(200);
    const more = await server.stats();
    total.cpuMs += more.cpuMs;
    total.statements += more.statements;
    total.requests += more.requests;
    total.peakRss = Math.max(total.peakRss, more.peakRss);
    if (more.statements === 0) break;
  }
  return total;
}

/** The servers that serve a workload: the raw baseline and PostGraphile only those the raw baseline implements. */
export function serversOf(workload: WorkloadName, servers: ServerProcess[]): ServerProcess[] {
  return servers.filter((s) => WORKLOAD_SPECS[workload].raw || (s.name !== 'raw' && s.name !== POSTGRAPHILE));
}

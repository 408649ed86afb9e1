// `npm run bench`: our GraphQL server against PostGraphile 5 and a hand-written node:http + pg
// baseline, in the same run, on the same freshly seeded PostgreSQL database, with the workloads of
// bench/workloads.ts (PostGraphile and the baseline serve the first three; our MLflow-REST front
// door's next to their GraphQL twins). Servers run in child processes that
// report their own CPU time, SQL statements, requests and peak RSS; the load comes from
// autocannon, over loopback only.
// See BENCHMARKS.md for how to read the output.
import { mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { projectRoot } from '../src/paths.ts';
import { DEFAULT_SEED_OPTIONS, type SeedOptions } from '../scripts/lib/seed-data.ts';
import { checkSameAnswers } from './answers.ts';
import { admin, createBenchDatabase, seedBenchDatabase } from './bench-database.ts';
import { type ServerProcess, startChild, stopAll } from './children.ts';
import { RequestSource } from './load.ts';
import { type Measurement, measureWorkloads } from './measure.ts';
import { memoryLine, probeMemory } from './memory.ts';
import type { MemoryProbe } from './memory-probe.ts';
import { type Options, parseOptionsOrExit } from './options.ts';
import { POSTGRAPHILE, loadIds, postgraphileDialect } from './postgraphile.ts';
import { workloadGroups } from './workloads.ts';
import { summarizeProfiles } from './profile.ts';
import { progress } from './progress.ts';
import { type Machine, RAW_STRETCH_TARGET, TARGETS, againstRatios, measurementLine, report, twinRatios, verdicts } from './report.ts';

const profileDir = path.join(projectRoot, 'bench', 'profiles');

async function main(): Promise<void> {
  const options = parseOptionsOrExit();
  const seed: SeedOptions = { ...DEFAULT_SEED_OPTIONS, models: options.models };
  const loadAtStart = os.loadavg();
  const database = await createBenchDatabase(options.adminUrl);
  const servers: ServerProcess[] = [];
  const cleanUp = () => stopAll(servers).finally(() => database.drop());
  const onSignal = () => void cleanUp().finally(() => process.exit(130));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    await seedBenchDatabase(database, seed);
    await startServers(servers, options, database.url, seed);
    const { dashboardBytes } = await checkSameAnswers(servers, seed, options.workloads);
    progress(`bench: all servers answer the same data (dashboard ${(dashboardBytes / 1024).toFixed(0)} KB)`);

    const source = new RequestSource(seed);
    const measurements: Measurement[] = [];
    for (const group of workloadGroups(options.workloads)) {
      for (const m of await measureWorkloads(servers, group, options, source)) {
        measurements.push(m);
        progress(measurementLine(m));
      }
    }
    const loadAtEnd = os.loadavg();
    await stopAll(servers);
    progress('bench: measuring the heap held per in-flight dashboard request');
    const memory = await probeMemory(database.url, options.serverFlags, options.connections);

    const machine = describeMachine(options, database.postgresVersion, { start: loadAtStart, end: loadAtEnd });
    printResults(options, { machine, dashboardBytes, measurements, memory });
  } finally {
    await cleanUp();
  }
}

/** Pushes each server as soon as it runs, so that a later one failing to start still stops it. */
async function startServers(servers: ServerProcess[], options: Options, databaseUrl: string, seed: SeedOptions): Promise<void> {
  if (options.profile) mkdirSync(profileDir, { recursive: true });
  const profileArgs = [...options.serverFlags, ...(options.profile ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [])];
  servers.push(await startChild('raw', 'raw-server.ts', [databaseUrl]));
  servers.push(await startChild('registry', 'registry-server.ts', [databaseUrl], { execArgv: profileArgs }));
  if (options.workers > 1) {
    const name = `registry-workers-${options.workers}`;
    servers.push(await startChild(name, 'registry-cluster.ts', [databaseUrl, String(options.workers)], { execArgv: profileArgs }));
  }
  progress('bench: starting PostGraphile (amber preset) on the same database');
  const dialect = postgraphileDialect(await admin(databaseUrl, loadIds));
  servers.push(await startChild(POSTGRAPHILE, 'postgraphile-server.ts', [databaseUrl], { dialect }));
  if (options.pglite) {
    progress('bench: seeding PGlite in its server process');
    const pglite = ['pglite:memory', String(seed.models)];
    servers.push(await startChild('registry-pglite', 'registry-server.ts', pglite, { execArgv: options.serverFlags, data: 'pglite' }));
  }
  const against = options.against;
  if (against) {
    progress(`bench: starting ${against.name} from ${against.root}`);
    servers.push(
      await startChild(against.name, 'registry-server.ts', [databaseUrl], { execArgv: against.serverFlags, root: against.root }),
    );
  }
}

function printResults(
  options: Options,
  results: { machine: Machine; dashboardBytes: number; measurements: Measurement[]; memory: MemoryProbe },
): void {
  const { machine, dashboardBytes, measurements, memory } = results;
  if (options.json) {
    const against = options.against && { name: options.against.name, reqPerSec: againstRatios(measurements, options.against.name) };
    const mlflowVsGraphql = twinRatios(measurements);
    console.log(
      JSON.stringify(
        {
          machine,
          dashboardBytes,
          targets: { vsPostgraphile: TARGETS, vsRaw: RAW_STRETCH_TARGET },
          verdicts: verdicts(measurements),
          measurements,
          mlflowVsGraphql,
          memory,
          ...(against && { against }),
        },
        null,
        2,
      ),
    );
  } else {
    console.log(`${report(measurements, machine, dashboardBytes)}\n\n${memoryLine(memory)}`);
  }
  if (options.profile) console.log(`\n${summarizeProfiles(profileDir)}`);
}

function describeMachine(options: Options, postgresVersion: string, loadAverage: Machine['loadAverage']): Machine {
  const against = options.against;
  return {
    cpus: os.availableParallelism(),
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    node: process.version,
    postgres: postgresVersion,
    connections: options.connections,
    seconds: options.seconds,
    warmup: options.warmup,
    rounds: options.rounds,
    serverFlags: options.serverFlags.join(' '),
    loadAverage,
    ...(against ? { against: { name: against.name, root: against.root, serverFlags: against.serverFlags.join(' ') } } : {}),
  };
}

main().catch((error) => {
  console.error(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exit(1);
});

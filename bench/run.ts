// `npm run bench`: our GraphQL server against a hand-written node:http + pg baseline, in the same
// run, on the same freshly seeded PostgreSQL database (created here and dropped afterwards), with
// the three workloads of issue 3. Servers run in child processes that report their own CPU time,
// SQL statements, requests and peak RSS; the load comes from autocannon, over loopback only.
// See BENCHMARKS.md for how to read the output.
import { type ChildProcess, fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isDeepStrictEqual, parseArgs } from 'node:util';
import autocannon from 'autocannon';
import pg from 'pg';
import { projectRoot } from '../src/config.ts';
import { openDatabase } from '../src/db/client.ts';
import { DEFAULT_SEED_OPTIONS, type SeedOptions, modelName } from '../scripts/lib/seed-data.ts';
import { seedRegistry } from '../scripts/lib/seed.ts';
import type { ChildMessage, ServerStats } from './child.ts';
import type { MemoryProbe } from './memory-probe.ts';
import { summarizeProfiles } from './profile.ts';
import {
  type GraphQLBody,
  WORKLOADS,
  type WorkloadName,
  aliasLookupBody,
  aliasMoveBody,
  dashboardBody,
} from './workloads.ts';

const USAGE = `usage: npm run bench -- [--seconds S] [--warmup S] [--rounds R] [--connections C] [--models N]
                         [--workloads dashboard,alias-lookup,alias-move] [--pglite] [--profile]
                         [--server-flags=NODE-OPTIONS] [--json]
  --seconds      measured time of each workload on each server (default 12)
  --warmup       unmeasured load on each server before each workload (default 2)
  --rounds       the servers take turns this many times within --seconds (default 3)
  --connections  concurrent connections of the load generator (default 8)
  --models       models to seed (default ${DEFAULT_SEED_OPTIONS.models}, ${DEFAULT_SEED_OPTIONS.versions} versions each)
  --pglite       also run our server on an in-process PGlite (seeded in that process)
  --profile      run our server under node --cpu-prof and print where its time went
  --server-flags node options for our server's processes instead of those of npm start, e.g. --server-flags=--max-semi-space-size=32
  --json         print the results as JSON on stdout instead of a table
Environment: BENCH_POSTGRES_URL, an administrative URL of a PostgreSQL on loopback
(default postgres://root@127.0.0.1:5432/postgres); the bench creates and drops its own database there.`;

type ServerName = 'raw' | 'registry' | 'registry-pglite';

/**
 * The issue's targets, as a fraction of the raw baseline's req/s measured in the same run.
 * PostGraphile's reference figures are converted with the issue's own ratios to the raw server
 * (dashboard 23/113, lookup 900/6300, move 890/3600).
 */
const TARGETS: Record<WorkloadName, { ratio: number; says: string }> = {
  dashboard: { ratio: Math.max(0.5, (2 * 23) / 113), says: '>= 2x PostGraphile (0.41x raw) and >= 0.5x raw' },
  'alias-lookup': { ratio: (1.5 * 900) / 6300, says: '>= 1.5x PostGraphile (0.21x raw)' },
  'alias-move': { ratio: 890 / 3600, says: '>= PostGraphile (0.25x raw), with its audit event' },
};

interface Options {
  seconds: number;
  warmup: number;
  rounds: number;
  connections: number;
  models: number;
  workloads: WorkloadName[];
  pglite: boolean;
  profile: boolean;
  serverFlags: string[];
  json: boolean;
  adminUrl: string;
}

function parseOptions(): Options {
  const { values } = parseArgs({
    options: {
      seconds: { type: 'string' },
      warmup: { type: 'string' },
      rounds: { type: 'string' },
      connections: { type: 'string' },
      models: { type: 'string' },
      workloads: { type: 'string' },
      pglite: { type: 'boolean' },
      profile: { type: 'boolean' },
      'server-flags': { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const num = (name: string, raw: string | undefined, fallback: number, min: number, max: number) => {
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!Number.isFinite(value) || value < min || value > max) throw new Error(`--${name} must be from ${min} to ${max} (got "${raw}")`);
    return value;
  };
  const workloads = (values.workloads?.split(',').map((w) => w.trim()) ?? WORKLOADS) as WorkloadName[];
  const unknown = workloads.filter((w) => !WORKLOADS.includes(w));
  if (unknown.length) throw new Error(`--workloads: unknown ${unknown.join(', ')} (known: ${WORKLOADS.join(', ')})`);
  const adminUrl = process.env.BENCH_POSTGRES_URL || 'postgres://root@127.0.0.1:5432/postgres';
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(new URL(adminUrl).hostname)) {
    throw new Error(`BENCH_POSTGRES_URL must point at loopback (got host ${new URL(adminUrl).hostname})`);
  }
  return {
    seconds: num('seconds', values.seconds, 12, 1, 600),
    warmup: num('warmup', values.warmup, 2, 0, 120),
    rounds: num('rounds', values.rounds, 3, 1, 100),
    connections: num('connections', values.connections, 8, 1, 256),
    models: num('models', values.models, DEFAULT_SEED_OPTIONS.models, 100, 1_000_000),
    workloads,
    pglite: values.pglite ?? false,
    profile: values.profile ?? false,
    serverFlags: values['server-flags']?.split(/\s+/).filter(Boolean) ?? startScriptNodeOptions(),
    json: values.json ?? false,
    adminUrl,
  };
}

/** The node options `npm start` runs the server with (package.json), so the bench measures that server. */
function startScriptNodeOptions(): string[] {
  const start = (JSON.parse(readFileSync(path.join(projectRoot, 'package.json'), 'utf8')) as { scripts: { start: string } }).scripts.start;
  const words = start.split(/\s+/);
  return words.slice(1, words.indexOf('--import'));
}

const progress = (line: string) => process.stderr.write(`${line}\n`);

async function admin<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => {});
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end().catch(() => {});
  }
}

// ---- server processes

interface ServerProcess {
  name: ServerName;
  url: string;
  child: ChildProcess;
  stats(): Promise<ServerStats>;
  stop(): Promise<void>;
}

async function startChild(name: ServerName, script: string, args: string[], execArgv: string[] = []): Promise<ServerProcess> {
  const child = fork(path.join(projectRoot, 'bench', script), args, {
    cwd: projectRoot,
    execArgv: ['--import', 'tsx', ...execArgv],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const next = <T extends ChildMessage['type']>(type: T) =>
    new Promise<Extract<ChildMessage, { type: T }>>((resolve, reject) => {
      const onMessage = (message: ChildMessage) => {
        if (message.type === 'failed') reject(new Error(`${name} server failed to start:\n${message.error}`));
        else if (message.type === type) {
          child.off('message', onMessage);
          child.off('exit', onExit);
          resolve(message as Extract<ChildMessage, { type: T }>);
        }
      };
      const onExit = (code: number | null) => reject(new Error(`${name} server exited (code ${code})`));
      child.on('message', onMessage);
      child.once('exit', onExit);
    });
  const ready = await next('ready');
  return {
    name,
    url: ready.url,
    child,
    async stats() {
      const reply = next('stats');
      child.send({ type: 'stats' });
      const { type: _type, ...stats } = await reply;
      return stats;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
        child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        child.send({ type: 'stop' });
      }),
  };
}

// ---- load

/** Produces the body of each request of a workload; alias moves keep state across servers. */
class RequestSource {
  private lookupNext = 0;
  private moveNext = 0;
  /** Where champion is for each model of each database, so that each move is a real change. */
  private readonly champion = new Map<string, Map<number, number>>();

  constructor(private readonly seed: SeedOptions) {}

  /** `database`: which data the server serves (PGlite servers have their own). */
  body(workload: WorkloadName, database: string): GraphQLBody {
    if (workload === 'dashboard') return dashboardBody();
    if (workload === 'alias-lookup') {
      return aliasLookupBody(modelName(this.seed, this.lookupNext++ % this.seed.models));
    }
    const index = this.moveNext++ % this.seed.models;
    const newest = this.seed.versions;
    const champion = this.champion.get(database) ?? new Map<number, number>();
    this.champion.set(database, champion);
    const target = (champion.get(index) ?? newest) === newest ? newest - 2 : newest;
    champion.set(index, target);
    return aliasMoveBody(modelName(this.seed, index), target);
  }
}

interface LoadResult {
  requests: number;
  seconds: number;
  p50: number;
  p99: number;
  errors: number;
}

async function load(server: ServerProcess, options: Options, seconds: number, workload: WorkloadName, source: RequestSource): Promise<LoadResult> {
  const url = server.url;
  const database = server.name === 'registry-pglite' ? 'pglite' : 'postgres';
  let failures = 0;
  const result = await autocannon({
    url,
    connections: options.connections,
    duration: seconds,
    requests: [
      {
        method: 'POST',
        path: new URL(url).pathname,
        headers: { 'content-type': 'application/json' },
        setupRequest: (request) => ({ ...request, body: JSON.stringify(source.body(workload, database)) }),
        // A move that changed nothing, or any error in the body, counts as a failure.
        onResponse: (status, body) => {
          if (status !== 200 || body.includes('"errors"') || (workload === 'alias-move' && !body.includes('"changed":true'))) {
            failures++;
          }
        },
      },
    ],
  });
  return {
    requests: result.requests.total,
    seconds: result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: failures + result.errors + result.timeouts,
  };
}

interface Measurement {
  workload: WorkloadName;
  server: ServerName;
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
 * round gives every server one slice of the measured time, in alternating order. Throughput,
 * CPU and statements add up over the slices; p50 and p99 are the medians of the slices' values.
 */
async function measureWorkload(servers: ServerProcess[], workload: WorkloadName, options: Options, source: RequestSource): Promise<Measurement[]> {
  const slice = Math.max(1, Math.round(options.seconds / options.rounds));
  if (options.warmup > 0) for (const server of servers) await load(server, options, options.warmup, workload, source);
  const totals = new Map(
    servers.map((s) => [s.name, { requests: 0, seconds: 0, p50s: [] as number[], p99s: [] as number[], errors: 0, cpuMs: 0, statements: 0, handled: 0, peakRss: 0 }]),
  );
  for (let round = 0; round < options.rounds; round++) {
    for (const server of round % 2 === 0 ? servers : [...servers].reverse()) {
      await sleep(200);
      await server.stats();
      const run = await load(server, options, slice, workload, source);
      // Let requests still in flight when the load stopped finish, so CPU and statements match them.
      await sleep(300);
      const stats = await server.stats();
      const t = totals.get(server.name)!;
      t.requests += run.requests;
      t.seconds += run.seconds;
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
  return servers.map((server) => {
    const t = totals.get(server.name)!;
    const handled = Math.max(t.handled, 1);
    return {
      workload,
      server: server.name,
      reqPerSec: t.requests / t.seconds,
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

// ---- checks and output

async function post(url: string, body: GraphQLBody): Promise<{ text: string; json: unknown }> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`${url} answered ${response.status}: ${text.slice(0, 500)}`);
  return { text, json: JSON.parse(text) };
}

/** Both servers must answer the same JSON, or the comparison means nothing. */
async function checkSameAnswers(servers: ServerProcess[], seed: SeedOptions): Promise<{ dashboardBytes: number }> {
  let dashboardBytes = 0;
  for (const body of [dashboardBody(), aliasLookupBody(modelName(seed, 0)), aliasLookupBody('no-such-model')]) {
    const answers = await Promise.all(servers.map((s) => post(s.url, body)));
    for (let i = 1; i < answers.length; i++) {
      if (!isDeepStrictEqual(answers[i].json, answers[0].json)) {
        throw new Error(
          `${servers[i].name} and ${servers[0].name} answer ${body.operationName} differently:\n` +
            `${answers[0].text.slice(0, 400)}\n${answers[i].text.slice(0, 400)}`,
        );
      }
    }
    if (body.operationName === 'Dashboard') dashboardBytes = Buffer.byteLength(answers[0].text);
  }
  return { dashboardBytes };
}

function fixed(value: number): string {
  if (value >= 100) return value.toFixed(0);
  if (value >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

function table(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) => r.map((cell, c) => (c < 2 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ')).join('\n');
}

function report(measurements: Measurement[], machine: Record<string, unknown>, dashboardBytes: number): string {
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
  return [
    `machine: ${machine.cpus} CPUs (${machine.cpuModel}), node ${machine.node}, PostgreSQL ${machine.postgres}; ` +
      `${machine.connections} connections, ${machine.seconds} s per server and workload in ${machine.rounds} alternating slices after ${machine.warmup} s warm-up${machine.serverFlags ? `; our server runs with ${machine.serverFlags}` : ''}; dashboard response ${(dashboardBytes / 1024).toFixed(0)} KB`,
    '(x) = ratio to the raw node:http + pg baseline measured in this run',
    '',
    table(rows),
    '',
    'targets (issue 3):',
    ...verdicts,
  ].join('\n');
}

// ---- memory

/** Runs bench/memory-probe.ts on the bench database in a process of its own, with our server's node options. */
function probeMemory(databaseUrl: string, serverFlags: string[], requests: number): Promise<MemoryProbe> {
  return new Promise((resolve, reject) => {
    const child = fork(path.join(projectRoot, 'bench', 'memory-probe.ts'), [databaseUrl, String(requests)], {
      cwd: projectRoot,
      execArgv: ['--import', 'tsx', '--expose-gc', ...serverFlags],
      stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
    });
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code === 0) resolve(JSON.parse(output.trim().split('\n').at(-1)!) as MemoryProbe);
      else reject(new Error(`memory probe exited with code ${code}`));
    });
  });
}

function memoryLine(memory: MemoryProbe): string {
  const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(2);
  return (
    `memory: ${memory.requests} dashboard requests held at their peak (result built, rows loaded, not yet serialized) ` +
    `keep ${mb(memory.heldPerRequest)} MB of heap each, ${(memory.heldPerRequest / memory.responseBytes).toFixed(1)}x ` +
    `their ${(memory.responseBytes / 1024).toFixed(0)} KB response; idle heap ${mb(memory.idleHeap)} MB`
  );
}

// ---- main

async function main(): Promise<void> {
  let options: Options;
  try {
    options = parseOptions();
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    process.exit(2);
  }
  const seed: SeedOptions = { ...DEFAULT_SEED_OPTIONS, models: options.models };
  const databaseName = `registry_bench_${randomBytes(5).toString('hex')}`;
  const url = new URL(options.adminUrl);
  url.pathname = `/${databaseName}`;
  const databaseUrl = url.toString();
  const postgresVersion = await admin(options.adminUrl, async (client) => {
    await client.query(`CREATE DATABASE "${databaseName}"`);
    return (await client.query('SHOW server_version')).rows[0].server_version as string;
  });
  const servers: ServerProcess[] = [];
  const stopServers = () => Promise.all(servers.map((s) => s.stop()));
  const onSignal = () => {
    void stopServers().finally(() => dropDatabase().finally(() => process.exit(130)));
  };
  const dropDatabase = () =>
    admin(options.adminUrl, (client) => client.query(`DROP DATABASE IF EXISTS "${databaseName}" WITH (FORCE)`)).catch((error) =>
      progress(`could not drop ${databaseName}: ${(error as Error).message}`),
    );
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    progress(`bench: database ${databaseName}; seeding ${seed.models} models x ${seed.versions} versions`);
    const db = await openDatabase({ kind: 'postgres', url: databaseUrl }, { log: false });
    try {
      const started = performance.now();
      const seeded = await seedRegistry(db.prisma, seed);
      progress(`bench: seeded ${seeded.versions} versions, ${seeded.events} events in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    } finally {
      await db.close();
    }

    const profileDir = path.join(projectRoot, 'bench', 'profiles');
    if (options.profile) mkdirSync(profileDir, { recursive: true });
    const profileArgs = [...options.serverFlags, ...(options.profile ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [])];
    servers.push(await startChild('raw', 'raw-server.ts', [databaseUrl]));
    servers.push(await startChild('registry', 'registry-server.ts', [databaseUrl], profileArgs));
    if (options.pglite) {
      progress('bench: seeding PGlite in its server process');
      servers.push(await startChild('registry-pglite', 'registry-server.ts', ['pglite:memory', String(seed.models)], options.serverFlags));
    }
    const { dashboardBytes } = await checkSameAnswers(servers, seed);
    progress(`bench: all servers answer the same JSON (dashboard ${(dashboardBytes / 1024).toFixed(0)} KB)`);

    const source = new RequestSource(seed);
    const measurements: Measurement[] = [];
    for (const workload of options.workloads) {
      for (const m of await measureWorkload(servers, workload, options, source)) {
        measurements.push(m);
        progress(
          `bench: ${workload} on ${m.server}: ${fixed(m.reqPerSec)} req/s, p50 ${fixed(m.p50Ms)} ms, ` +
            `${fixed(m.statementsPerRequest)} SQL/req, ${fixed(m.cpuMsPerRequest)} CPU ms/req${m.errors ? `, ${m.errors} errors` : ''}`,
        );
      }
    }
    await stopServers();
    progress('bench: measuring the heap held per in-flight dashboard request');
    const memory = await probeMemory(databaseUrl, options.serverFlags, options.connections);

    const machine = {
      cpus: os.availableParallelism(),
      cpuModel: os.cpus()[0]?.model ?? 'unknown',
      node: process.version,
      postgres: postgresVersion,
      connections: options.connections,
      seconds: options.seconds,
      warmup: options.warmup,
      rounds: options.rounds,
      serverFlags: options.serverFlags.join(' '),
    };
    if (options.json) {
      console.log(JSON.stringify({ machine, dashboardBytes, targets: TARGETS, measurements, memory }, null, 2));
    } else {
      console.log(`${report(measurements, machine, dashboardBytes)}\n\n${memoryLine(memory)}`);
    }
    if (options.profile) console.log(`\n${summarizeProfiles(profileDir)}`);
  } finally {
    await stopServers();
    await dropDatabase();
  }
}

main().catch((error) => {
  console.error(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exit(1);
});

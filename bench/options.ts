// The command line of `npm run bench`.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { projectRoot } from '../src/paths.ts';
import { DEFAULT_SEED_OPTIONS } from '../scripts/lib/seed-data.ts';
import { type Against, resolveAgainst } from './against.ts';
import { WORKLOADS, type WorkloadName } from './workloads.ts';

export const USAGE = `usage: npm run bench -- [--seconds S] [--warmup S] [--rounds R] [--connections C] [--models N]
                         [--workloads W,W...] [--pglite] [--workers N] [--profile]
                         [--server-flags=NODE-OPTIONS] [--against CHECKOUT] [--json]
  --seconds      measured time of each workload on each server (default 12)
  --warmup       unmeasured load on each server before each workload (default 2)
  --rounds       the servers take turns this many times within --seconds (default 3)
  --connections  concurrent connections of the load generator (default 8)
  --workloads    which workloads, in the order given (default all: ${WORKLOADS.join(', ')});
                 an mlflow-* workload's ratio to its GraphQL twin is printed when both run
  --models       models to seed (default ${DEFAULT_SEED_OPTIONS.models}, ${DEFAULT_SEED_OPTIONS.versions} versions each)
  --pglite       also run our server on an in-process PGlite (seeded in that process)
  --workers      also run our server as N node:cluster workers on one port (WORKERS=N), named
                 registry-workers-N; its CPU, statements, requests and peak RSS are summed over the
                 workers and their primary
  --profile      run our server under node --cpu-prof and print where its time went
  --server-flags node options for our server's processes instead of those of npm start, e.g. --server-flags=--max-semi-space-size=32
                 (given, they apply to the --against server too; otherwise it gets those of its own npm start)
  --against      also run the registry server of another checkout of this project (e.g. a git
                 worktree of an older commit, with node_modules and src/generated) on the same
                 database, in the same slices, and print per workload our req/s divided by its
  --json         print the results as JSON on stdout instead of a table
Servers: our registry (registry), the raw node:http + pg baseline (raw) and PostGraphile 5.1.5 with
the amber preset (postgraphile, a devDependency; grafserv on node:http, pg pool of 10), all with
NODE_ENV=production on the same seeded database. The raw baseline and PostGraphile serve the
dashboard, alias-lookup and alias-move workloads, with equivalent queries (bench/postgraphile.ts)
that must answer the same data; the verdicts are ours / PostGraphile (targets 2x, 1.5x, 1x) and
ours / raw (stretch target 0.5x), from this run only.
Environment: BENCH_POSTGRES_URL, an administrative URL of a PostgreSQL on loopback
(default postgres://root@127.0.0.1:5432/postgres); the bench creates and drops its own database there.`;

export interface Options {
  seconds: number;
  warmup: number;
  rounds: number;
  connections: number;
  models: number;
  workloads: WorkloadName[];
  pglite: boolean;
  /** Above 1: also our server as that many cluster workers (bench/registry-cluster.ts). */
  workers: number;
  profile: boolean;
  serverFlags: string[];
  json: boolean;
  adminUrl: string;
  against?: Against;
}

/** Exits with the usage text on --help (status 0) or on a bad option (status 2). */
export function parseOptionsOrExit(): Options {
  try {
    return parseOptions();
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    process.exit(2);
  }
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
      workers: { type: 'string' },
      profile: { type: 'boolean' },
      'server-flags': { type: 'string' },
      against: { type: 'string' },
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
  if (values.workers !== undefined && !/^\d+$/.test(values.workers))
    throw new Error(`--workers must be a whole number (got "${values.workers}")`);
  const serverFlags = values['server-flags']?.split(/\s+/).filter(Boolean);
  return {
    seconds: num('seconds', values.seconds, 12, 1, 600),
    warmup: num('warmup', values.warmup, 2, 0, 120),
    rounds: num('rounds', values.rounds, 3, 1, 100),
    connections: num('connections', values.connections, 8, 1, 256),
    models: num('models', values.models, DEFAULT_SEED_OPTIONS.models, 100, 1_000_000),
    workloads,
    pglite: values.pglite ?? false,
    workers: num('workers', values.workers, 1, 1, 256),
    profile: values.profile ?? false,
    serverFlags: serverFlags ?? startScriptNodeOptions(projectRoot),
    json: values.json ?? false,
    adminUrl,
    ...(values.against === undefined ? {} : { against: againstCheckout(values.against, serverFlags) }),
  };
}

function againstCheckout(folder: string, serverFlags: string[] | undefined): Against {
  const checkout = resolveAgainst(folder);
  return { ...checkout, serverFlags: serverFlags ?? startScriptNodeOptions(checkout.root) };
}

/** The node options `npm start` runs the server with (package.json), so the bench measures that server. */
function startScriptNodeOptions(root: string): string[] {
  const start = (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: { start: string } }).scripts.start;
  const words = start.split(/\s+/);
  return words.slice(1, words.indexOf('--import'));
}

// `npm run bench:scale`: how latency and SQL statements per request change with data size, on a
// fresh PostgreSQL database (created and dropped here): the dashboard at 10 and 100 models per page
// with 1k, 10k and 100k versions stored, and history lookups (versionByAlias(at:), history(first: 20))
// as the audit table grows from about 0.1M to 1M events. Requests run one at a time in-process
// through the real yoga server (no HTTP, no concurrency): these are per-request costs.
import { randomBytes } from 'node:crypto';
import { openDatabase } from '../src/db/client.ts';
import { createApp } from '../src/app.ts';
import { DEFAULT_SEED_OPTIONS } from '../scripts/lib/seed-data.ts';
import { seedRegistry } from '../scripts/lib/seed.ts';
import { admin } from './bench-database.ts';
import { progress } from './progress.ts';
import { DASHBOARD_QUERY } from './workloads.ts';

const ADMIN_URL = process.env.BENCH_POSTGRES_URL || 'postgres://root@127.0.0.1:5432/postgres';
const REPEAT = Number(process.env.SCALE_REPEAT ?? 30);

const adminQuery = (sql: string) => admin(ADMIN_URL, (client) => client.query(sql));

const name = `registry_scale_${randomBytes(5).toString('hex')}`;
const url = new URL(ADMIN_URL);
url.pathname = `/${name}`;
await adminQuery(`CREATE DATABASE "${name}"`);
let statements = 0;
const db = await openDatabase({ kind: 'postgres', url: url.toString() }, { log: false, onQuery: () => statements++ });
const yoga = createApp(db, { logError: (error) => console.error(error) }).yoga;
const rows: string[][] = [['measurement', 'data', 'median ms', 'p90 ms', 'SQL/req', 'response KB']];

async function measure(label: string, data: string, query: string, variables: Record<string, unknown>): Promise<void> {
  const body = JSON.stringify({ query, variables });
  const once = async () => {
    const response = await yoga.fetch('http://localhost/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    const text = await response.text();
    if (text.includes('"errors"')) throw new Error(`${label}: ${text.slice(0, 300)}`);
    return text.length;
  };
  for (let i = 0; i < 3; i++) await once();
  const times: number[] = [];
  let size = 0;
  statements = 0;
  for (let i = 0; i < REPEAT; i++) {
    const started = performance.now();
    size = await once();
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  const row = [
    label,
    data,
    times[Math.floor(REPEAT / 2)].toFixed(1),
    times[Math.floor(REPEAT * 0.9)].toFixed(1),
    (statements / REPEAT).toFixed(1),
    (size / 1024).toFixed(0),
  ];
  rows.push(row);
  progress(`scale: ${row.join(' | ')}`);
}

async function seed(prefix: string, models: number, historyDepth = 0): Promise<void> {
  const started = performance.now();
  const result = await seedRegistry(db.prisma, { ...DEFAULT_SEED_OPTIONS, prefix, models, historyDepth });
  progress(
    `scale: seeded ${prefix}: ${result.models} models, ${result.versions} versions, ${result.events} events in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
}

const HISTORY = `query($name: String!, $at: DateTime!) { registeredModel(name: $name) {
  then: versionByAlias(alias: "champion", at: $at) { version }
  history(first: 20) { nodes { sequence action version } }
  champion: history(alias: "champion", first: 20) { nodes { sequence version previousVersion } }
} }`;

try {
  // Dashboard: versions stored 1k, 10k, 100k (50, 500, 5,000 models of 20 versions).
  let stored = 0;
  for (const [prefix, models] of [
    ['a', 50],
    ['b', 450],
    ['c', 4500],
  ] as const) {
    await seed(prefix, models);
    stored += models * DEFAULT_SEED_OPTIONS.versions;
    for (const perPage of [10, 100]) {
      await measure(`dashboard, ${perPage} models x 10 versions`, `${stored / 1000}k versions`, DASHBOARD_QUERY, {
        models: perPage,
        versions: 10,
      });
    }
  }
  // History: the same lookups with about 0.4M and then 1.4M audit events stored; h-* models have
  // 1,000 champion moves each.
  const eventsNow = async () => (await db.prisma.auditEvent.count()).toLocaleString('en');
  const at = new Date(DEFAULT_SEED_OPTIONS.start.getTime() + 60_000).toISOString();
  await measure('history lookups, a model with 85 events', `${await eventsNow()} events`, HISTORY, { name: 'a-0010', at });
  await seed('h', 1000, 1000);
  await measure('history lookups, a model with 85 events', `${await eventsNow()} events`, HISTORY, { name: 'a-0010', at });
  await measure('history lookups, a model with 1,085 events', `${await eventsNow()} events`, HISTORY, {
    name: 'h-0500',
    // Halfway through h-0500's champion moves (1,023 writes per model, 1 ms apart).
    at: new Date(DEFAULT_SEED_OPTIONS.start.getTime() + 500 * 1023 + 21 + 500).toISOString(),
  });
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  console.log(rows.map((r) => r.map((cell, c) => (c < 2 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ')).join('\n'));
} finally {
  await db.close();
  await adminQuery(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
}

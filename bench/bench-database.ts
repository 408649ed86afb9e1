// The bench's own PostgreSQL database: created fresh for each run, seeded once for every server
// that runs on PostgreSQL, and dropped afterwards (also on Ctrl-C).
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openDatabase } from '../src/db/client.ts';
import type { SeedOptions } from '../scripts/lib/seed-data.ts';
import { seedRegistry } from '../scripts/lib/seed.ts';
import { progress } from './progress.ts';

export interface BenchDatabase {
  name: string;
  url: string;
  postgresVersion: string;
  /** Never throws: a database left behind is reported, not allowed to hide the run's own error. */
  drop(): Promise<void>;
}

/** One administrative connection, closed whatever `work` does. */
export async function admin<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => {});
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end().catch(() => {});
  }
}

export async function createBenchDatabase(adminUrl: string): Promise<BenchDatabase> {
  const name = `registry_bench_${randomBytes(5).toString('hex')}`;
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const postgresVersion = await admin(adminUrl, async (client) => {
    await client.query(`CREATE DATABASE "${name}"`);
    return (await client.query('SHOW server_version')).rows[0].server_version as string;
  });
  return {
    name,
    url: url.toString(),
    postgresVersion,
    drop: () =>
      admin(adminUrl, (client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(
        () => {},
        (error) => {
          progress(`could not drop ${name}: ${(error as Error).message}`);
        },
      ),
  };
}

/** Migrates through openDatabase, as the server would, then seeds. */
export async function seedBenchDatabase(database: BenchDatabase, seed: SeedOptions): Promise<void> {
  progress(`bench: database ${database.name}; seeding ${seed.models} models x ${seed.versions} versions`);
  const db = await openDatabase({ kind: 'postgres', url: database.url }, { log: false });
  try {
    const started = performance.now();
    const seeded = await seedRegistry(db.prisma, seed);
    progress(
      `bench: seeded ${seeded.versions} versions, ${seeded.events} events in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
  } finally {
    await db.close();
  }
}

// Runs a DB-backed suite on every database engine the server supports:
//   - PGlite: one in-memory instance per test file;
//   - PostgreSQL: a fresh database `registry_test_<random>` per test file, migrated through
//     openDatabase and dropped afterwards.
// PostgreSQL is skipped with a warning when unreachable, unless REQUIRE_POSTGRES=1 (CI) or
// TEST_DATABASES=postgres asks for it, in which case importing this module fails.
// TEST_DATABASES=pglite or =postgres narrows the set. TEST_POSTGRES_URL overrides the server.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe } from 'vitest';
import { openDatabase, type OpenOptions } from '../../src/db/client.ts';
import type { Database, DatabaseKind } from '../../src/db/database.ts';

/** A database the tests may use. PostgreSQL ones have a name, and `drop` removes them after `close`. */
export type TestDatabase = Database & { databaseName?: string; drop?(): Promise<void> };

export interface DatabaseProvider {
  name: DatabaseKind;
  open(options?: OpenOptions): Promise<TestDatabase>;
}

export interface DatabaseContext {
  readonly kind: DatabaseKind;
  /** Set in beforeAll; closed (and dropped) in afterAll. */
  db: TestDatabase;
}

/** An administrative connection URL; databases for tests are created next to `postgres`. */
export const POSTGRES_ADMIN_URL = process.env.TEST_POSTGRES_URL || 'postgres://root@127.0.0.1:5432/postgres';

const ALL: DatabaseKind[] = ['pglite', 'postgres'];

function requestedKinds(): DatabaseKind[] {
  const raw = process.env.TEST_DATABASES?.trim();
  if (!raw) return ALL;
  const kinds = raw.split(',').map((s) => s.trim());
  const unknown = kinds.filter((k) => !ALL.includes(k as DatabaseKind));
  if (unknown.length) throw new Error(`TEST_DATABASES: unknown ${unknown.join(', ')} (use pglite, postgres or both)`);
  return kinds as DatabaseKind[];
}

async function adminQuery<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL, connectionTimeoutMillis: 3_000 });
  client.on('error', () => {});
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => {});
  }
}

async function postgresProblem(): Promise<string | null> {
  try {
    await adminQuery((client) => client.query('SELECT 1'));
    return null;
  } catch (error) {
    return (error as Error).message || String(error);
  }
}

/**
 * Creates an empty database (no migration) and returns its URL and a `drop` that removes it,
 * closing any connection still open to it.
 */
export async function createPostgresDatabase(): Promise<{ name: string; url: string; drop(): Promise<void> }> {
  const name = `registry_test_${randomBytes(6).toString('hex')}`;
  await adminQuery((client) => client.query(`CREATE DATABASE "${name}"`));
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    drop: () => adminQuery(async (client) => void (await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`))),
  };
}

const providers: Record<DatabaseKind, DatabaseProvider> = {
  pglite: {
    name: 'pglite',
    open: (options) => openDatabase({ kind: 'pglite', dataDir: null }, { log: false, ...options }),
  },
  postgres: {
    name: 'postgres',
    async open(options) {
      const created = await createPostgresDatabase();
      try {
        const db = await openDatabase({ kind: 'postgres', url: created.url }, { log: false, ...options });
        return Object.assign(db, { databaseName: created.name, drop: created.drop });
      } catch (error) {
        await created.drop().catch(() => {});
        throw error;
      }
    },
  },
};

const kinds = requestedKinds();
const unavailable: Array<{ name: DatabaseKind; reason: string }> = [];
if (kinds.includes('postgres')) {
  const problem = await postgresProblem();
  if (problem) {
    const message = `PostgreSQL at ${POSTGRES_ADMIN_URL} is not reachable: ${problem}`;
    if (process.env.REQUIRE_POSTGRES === '1' || process.env.TEST_DATABASES?.trim() === 'postgres') {
      throw new Error(`${message} (REQUIRE_POSTGRES=1 or TEST_DATABASES=postgres: not skipping)`);
    }
    console.warn(`${message}; skipping the PostgreSQL runs (set REQUIRE_POSTGRES=1 to fail instead).`);
    unavailable.push({ name: 'postgres', reason: 'PostgreSQL not reachable' });
  }
}

/** The engines to run on, in this order. */
export const databases: DatabaseProvider[] = kinds
  .filter((kind) => !unavailable.some((u) => u.name === kind))
  .map((kind) => providers[kind]);

/**
 * `describe(title [engine], ...)` once per engine, with `ctx.db` opened in beforeAll and
 * closed/dropped in afterAll. `options` (e.g. onQuery) go to openDatabase.
 */
export function describeEachDatabase(title: string, fn: (ctx: DatabaseContext) => void, options?: OpenOptions): void {
  for (const provider of databases) {
    describe(`${title} [${provider.name}]`, () => {
      const ctx = { kind: provider.name } as DatabaseContext;
      beforeAll(async () => {
        ctx.db = await provider.open(options);
      });
      afterAll(async () => {
        try {
          await ctx.db?.close();
        } finally {
          await ctx.db?.drop?.();
        }
      });
      fn(ctx);
    });
  }
  for (const { name, reason } of unavailable) {
    // Registered as skipped so the report shows what did not run.
    describe.skip(`${title} [${name}] (${reason})`, () => fn({ kind: name } as DatabaseContext));
  }
}

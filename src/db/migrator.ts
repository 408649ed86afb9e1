// Applies prisma/migrations the way `prisma migrate deploy` does and records them in the same
// `_prisma_migrations` table, so the Prisma CLI (where its engine is available) sees the same
// history. We cannot run the CLI here: its schema engine is not downloadable offline.
import { createHash, randomUUID } from 'node:crypto';
import { readdirSync, readFileSync, statSync, existsSync } from 'node:fs';
import path from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import type pg from 'pg';
import { projectRoot } from '../paths.ts';

/** The least a driver must offer: parameterized queries, and multi-statement simple queries. */
export interface MigrationConnection {
  query(sql: string, params?: unknown[]): Promise<Array<Record<string, unknown>>>;
  exec(sql: string): Promise<void>;
}

export interface MigrateOptions {
  /** Folder of `<name>/migration.sql` folders. Default: prisma/migrations of this project. */
  migrationsDir?: string;
  /** Progress and warnings, one line each. Default: stderr. `false` silences them. */
  log?: ((line: string) => void) | false;
}

export const DEFAULT_MIGRATIONS_DIR = path.join(projectRoot, 'prisma', 'migrations');

// The key Prisma's schema engine locks with: replicas running Prisma's CLI or this migrator
// exclude each other.
const ADVISORY_LOCK_KEY = 72707369;

// Prisma's own DDL for the table (prisma-engines, PostgreSQL flavour).
const CREATE_MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

export function pgliteConnection(pglite: PGlite): MigrationConnection {
  return {
    query: async (sql, params) => (await pglite.query<Record<string, unknown>>(sql, params)).rows,
    exec: async (sql) => {
      await pglite.exec(sql);
    },
  };
}

export function pgClientConnection(client: pg.Client): MigrationConnection {
  return {
    query: async (sql, params) => (await client.query(sql, params)).rows,
    // Without parameters node-postgres uses the simple-query protocol, which accepts many statements.
    exec: async (sql) => {
      await client.query(sql);
    },
  };
}

export interface MigrationFile {
  name: string;
  sql: string;
  checksum: string;
}

/** The migration folders in name order, with Prisma's checksum (sha256 hex of the file bytes). */
export function readMigrations(migrationsDir = DEFAULT_MIGRATIONS_DIR): MigrationFile[] {
  return readdirSync(migrationsDir)
    .filter((name) => statSync(path.join(migrationsDir, name)).isDirectory())
    .sort()
    .map((name) => {
      const file = path.join(migrationsDir, name, 'migration.sql');
      if (!existsSync(file)) throw new Error(`Migration folder ${name} has no migration.sql (${file})`);
      const bytes = readFileSync(file);
      return { name, sql: bytes.toString('utf8'), checksum: createHash('sha256').update(bytes).digest('hex') };
    });
}

/** Applies the pending migrations and returns their names (empty when none was pending). */
export async function migrate(conn: MigrationConnection, options: MigrateOptions = {}): Promise<string[]> {
  const log = options.log === false ? () => {} : (options.log ?? ((line: string) => process.stderr.write(`${line}\n`)));
  const migrations = readMigrations(options.migrationsDir);

  await conn.query('SELECT pg_advisory_lock($1)', [ADVISORY_LOCK_KEY]);
  try {
    await conn.exec(CREATE_MIGRATIONS_TABLE);
    const rows = (await conn.query(
      `SELECT migration_name, checksum, started_at, finished_at, rolled_back_at, logs
         FROM "_prisma_migrations" ORDER BY started_at`,
    )) as Array<{
      migration_name: string;
      checksum: string;
      started_at: Date;
      finished_at: Date | null;
      rolled_back_at: Date | null;
      logs: string | null;
    }>;

    const failed = rows.find((row) => row.finished_at === null && row.rolled_back_at === null);
    if (failed) {
      throw new Error(
        `Migration ${failed.migration_name} (started at ${new Date(failed.started_at).toISOString()}) failed ` +
          `and is still recorded as failed in _prisma_migrations; no further migration will be applied.\n` +
          `Its error: ${failed.logs ?? '(none recorded)'}\n` +
          `Repair the database by hand, then either mark it rolled back (UPDATE "_prisma_migrations" ` +
          `SET rolled_back_at = now() WHERE migration_name = '${failed.migration_name}', or ` +
          `prisma migrate resolve --rolled-back ${failed.migration_name}) to have it applied again, or ` +
          `mark it applied (prisma migrate resolve --applied ${failed.migration_name}).`,
      );
    }

    // Rolled-back rows do not count: Prisma applies such a migration again under a new row.
    const applied = new Map(
      rows.filter((row) => row.finished_at !== null && row.rolled_back_at === null).map((row) => [row.migration_name, row]),
    );
    const done: string[] = [];
    for (const migration of migrations) {
      const recorded = applied.get(migration.name);
      if (recorded) {
        if (recorded.checksum !== migration.checksum) {
          log(`Warning: migration ${migration.name} was modified after it was applied (checksum differs from _prisma_migrations).`);
        }
        continue;
      }
      const id = randomUUID();
      await conn.query(`INSERT INTO "_prisma_migrations" (id, checksum, started_at, migration_name) VALUES ($1, $2, now(), $3)`, [
        id,
        migration.checksum,
        migration.name,
      ]);
      try {
        await conn.exec(migration.sql);
      } catch (error) {
        const message = describeError(error);
        await conn.query(`UPDATE "_prisma_migrations" SET logs = $2 WHERE id = $1`, [id, message]);
        throw new Error(`Migration ${migration.name} failed to apply: ${message}`, { cause: error });
      }
      await conn.query(`UPDATE "_prisma_migrations" SET applied_steps_count = applied_steps_count + 1, finished_at = now() WHERE id = $1`, [
        id,
      ]);
      log(`Applied migration ${migration.name}`);
      done.push(migration.name);
    }
    await unlock();
    return done;
  } catch (error) {
    // Keep the original error; a session lock dies with its connection anyway.
    await unlock().catch(() => {});
    throw error;
  }

  async function unlock() {
    await conn.query('SELECT pg_advisory_unlock($1)', [ADVISORY_LOCK_KEY]);
  }
}

function describeError(error: unknown): string {
  const err = error as { message?: string; code?: string; position?: string };
  const code = err.code ? `Database error code: ${err.code}\n\n` : '';
  return `${code}Database error:\n${err.message ?? String(error)}`;
}

import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_PGLITE_DIR, loadConfig, parseDatabaseUrl, type DatabaseTarget } from '../../src/config.ts';
import { projectRoot } from '../../src/paths.ts';
import { openDatabase, PING_TIMEOUT_MS } from '../../src/db/client.ts';
import type { DatabaseKind } from '../../src/db/database.ts';
import { DEFAULT_MIGRATIONS_DIR, migrate, pgClientConnection, pgliteConnection, type MigrationConnection } from '../../src/db/migrator.ts';
import { createPostgresDatabase, databases, describeEachDatabase, POSTGRES_ADMIN_URL } from '../support/databases.ts';
import {
  actualSchemaFacts,
  diffFacts,
  expectedSchemaFacts,
  expectedSchemaFactsFromFile,
  formatDrift,
  SCHEMA_PATH,
} from '../support/schema-drift.ts';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

// Listed independently of the migrator, so a bug there cannot hide itself.
const migrationFolders = readdirSync(DEFAULT_MIGRATIONS_DIR)
  .filter((name) => statSync(path.join(DEFAULT_MIGRATIONS_DIR, name)).isDirectory())
  .sort()
  .map((name) => ({
    name,
    checksum: createHash('sha256')
      .update(readFileSync(path.join(DEFAULT_MIGRATIONS_DIR, name, 'migration.sql')))
      .digest('hex'),
  }));

const tempDirs: string[] = [];
function tempDir(prefix: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A migrations folder holding `files` ({ folderName: sql }), plus a lock file like Prisma's. */
function writeMigrations(files: Record<string, string>, dir = tempDir('migrations-')): string {
  writeFileSync(path.join(dir, 'migration_lock.toml'), 'provider = "postgresql"\n');
  for (const [name, sql] of Object.entries(files)) {
    mkdirSync(path.join(dir, name), { recursive: true });
    writeFileSync(path.join(dir, name, 'migration.sql'), sql);
  }
  return dir;
}

/** An empty database of the given kind, reached through the migrator's driver-level interface. */
async function rawDatabase(kind: DatabaseKind): Promise<{ conn: MigrationConnection; close(): Promise<void> }> {
  if (kind === 'pglite') {
    const pglite = await PGlite.create();
    return { conn: pgliteConnection(pglite), close: () => pglite.close() };
  }
  const created = await createPostgresDatabase();
  const client = new pg.Client({ connectionString: created.url });
  await client.connect();
  return {
    conn: pgClientConnection(client),
    close: async () => {
      await client.end();
      await created.drop();
    },
  };
}

/** A target that survives close(), so it can be opened again. */
async function reopenableTarget(kind: DatabaseKind): Promise<{ target: DatabaseTarget; cleanup(): Promise<void> }> {
  if (kind === 'pglite') {
    return { target: { kind: 'pglite', dataDir: path.join(tempDir('pglite-'), 'data') }, cleanup: async () => {} };
  }
  const created = await createPostgresDatabase();
  return { target: { kind: 'postgres', url: created.url }, cleanup: created.drop };
}

const now = () => new Date();

describeEachDatabase('migrated database', (ctx) => {
  const query = (sql: string) => ctx.db.prisma.$queryRawUnsafe<Array<Record<string, any>>>(sql);

  it('matches prisma/schema.prisma (drift test)', async () => {
    const expected = expectedSchemaFactsFromFile();
    const actual = await actualSchemaFacts(query);
    expect(expected.length).toBeGreaterThan(10);
    const diff = diffFacts(expected, actual);
    expect(diff, formatDrift(diff)).toEqual([]);
  });

  it('the drift test reports a schema.prisma the migrations do not implement', async () => {
    const altered = readFileSync(SCHEMA_PATH, 'utf8')
      .replace(
        'lastVersion Int       @default(0) @map("last_version")',
        'lastVersion Int @default(0) @map("last_version")\n  extra String?',
      )
      .replace('@@index([runId])', '')
      .replace('onDelete: Cascade)\n  tags    ModelVersionTag[]', 'onDelete: Restrict)\n  tags    ModelVersionTag[]');
    const diff = diffFacts(expectedSchemaFacts(altered), await actualSchemaFacts(query));
    expect(diff).toEqual(
      expect.arrayContaining([
        '- column registered_model.extra text',
        '+ index model_version_run_id_idx ON model_version (run_id)',
        '- foreign key model_version_model_id_fkey ON model_version (model_id) REFERENCES registered_model (id) ON DELETE RESTRICT ON UPDATE CASCADE',
        '+ foreign key model_version_model_id_fkey ON model_version (model_id) REFERENCES registered_model (id) ON DELETE CASCADE ON UPDATE CASCADE',
      ]),
    );
    expect(diff).toHaveLength(4);
    expect(formatDrift(diff)).toContain('- column registered_model.extra text');
  });

  it('the drift test reports a database change schema.prisma does not have', async () => {
    // DDL is transactional: look at the altered schema inside a transaction, then roll it back.
    let diff: string[] = [];
    await ctx.db.prisma
      .$transaction(async (tx) => {
        await tx.$executeRawUnsafe('ALTER TABLE "model_alias" ALTER COLUMN "alias" TYPE VARCHAR(100)');
        await tx.$executeRawUnsafe(`ALTER TYPE "AuditAction" ADD VALUE 'EXTRA'`);
        await tx.$executeRawUnsafe('CREATE INDEX "stray_idx" ON "audit_event" ("actor")');
        diff = diffFacts(expectedSchemaFactsFromFile(), await actualSchemaFacts((sql) => tx.$queryRawUnsafe(sql)));
        throw new Error('rollback');
      })
      .catch((error: Error) => {
        if (error.message !== 'rollback') throw error;
      });
    expect(diff).toHaveLength(5);
    expect(diff).toEqual(
      expect.arrayContaining([
        '+ column model_alias.alias character varying(100) NOT NULL',
        '- column model_alias.alias character varying(255) NOT NULL',
        // The last value changes as actions are added: EXTRA must be after it, and only in the database.
        expect.stringMatching(/^\+ enum AuditAction \(MODEL_CREATED, .*, EXTRA\)$/),
        expect.stringMatching(/^- enum AuditAction \(MODEL_CREATED, .*[^A]\)$/),
        '+ index stray_idx ON audit_event (actor)',
      ]),
    );
    // And the rollback left the database as it was.
    expect(diffFacts(expectedSchemaFactsFromFile(), await actualSchemaFacts(query))).toEqual([]);
  });

  it('records the migrations in _prisma_migrations exactly as Prisma does', async () => {
    const columns = await query(`
      SELECT column_name::text AS name, data_type::text AS type, character_maximum_length::int AS length,
             datetime_precision::int AS precision, is_nullable::text AS nullable, column_default::text AS "default"
        FROM information_schema.columns
       WHERE table_schema = current_schema() AND table_name = '_prisma_migrations'
       ORDER BY ordinal_position`);
    const column = (
      name: string,
      type: string,
      length: number | null,
      precision: number | null,
      nullable: 'YES' | 'NO',
      def: string | null,
    ) => ({
      name,
      type,
      length,
      precision,
      nullable,
      default: def,
    });
    expect(columns).toEqual([
      column('id', 'character varying', 36, null, 'NO', null),
      column('checksum', 'character varying', 64, null, 'NO', null),
      column('finished_at', 'timestamp with time zone', null, 6, 'YES', null),
      column('migration_name', 'character varying', 255, null, 'NO', null),
      column('logs', 'text', null, null, 'YES', null),
      column('rolled_back_at', 'timestamp with time zone', null, 6, 'YES', null),
      column('started_at', 'timestamp with time zone', null, 6, 'NO', 'now()'),
      column('applied_steps_count', 'integer', null, null, 'NO', '0'),
    ]);
    const primaryKey = await query(`
      SELECT c.conname::text AS name, array_agg(a.attname::text) AS columns
        FROM pg_constraint c JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey)
       WHERE c.conrelid = '"_prisma_migrations"'::regclass AND c.contype = 'p' GROUP BY c.conname`);
    expect(primaryKey).toEqual([{ name: '_prisma_migrations_pkey', columns: ['id'] }]);

    const rows = await query(`SELECT * FROM "_prisma_migrations" ORDER BY migration_name`);
    expect(rows.map((row) => row.migration_name)).toEqual(migrationFolders.map((m) => m.name));
    rows.forEach((row, i) => {
      expect(row.id).toMatch(UUID_V4);
      expect(row.checksum).toBe(migrationFolders[i].checksum);
      expect(row.finished_at).toBeInstanceOf(Date);
      expect(row.finished_at.getTime()).toBeGreaterThanOrEqual(row.started_at.getTime());
      expect(row.applied_steps_count).toBe(1);
      expect(row.rolled_back_at).toBeNull();
      expect(row.logs).toBeNull();
    });
  });
});

for (const { name: kind } of databases) {
  describe(`migrator [${kind}]`, () => {
    it('re-opening a migrated database applies nothing and keeps the data', async () => {
      const { target, cleanup } = await reopenableTarget(kind);
      try {
        const firstLog: string[] = [];
        const first = await openDatabase(target, { log: (line) => firstLog.push(line) });
        expect(firstLog).toEqual(migrationFolders.map((m) => `Applied migration ${m.name}`));
        await first.prisma.registeredModel.create({ data: { name: 'kept', createdAt: now(), updatedAt: now() } });
        await first.close();

        const secondLog: string[] = [];
        const second = await openDatabase(target, { log: (line) => secondLog.push(line) });
        try {
          expect(secondLog).toEqual([]);
          expect(await second.prisma.registeredModel.findMany({ select: { name: true } })).toEqual([{ name: 'kept' }]);
          const rows = await second.prisma.$queryRawUnsafe<unknown[]>('SELECT id FROM "_prisma_migrations"');
          expect(rows).toHaveLength(migrationFolders.length);
        } finally {
          await second.close();
        }
      } finally {
        await cleanup();
      }
    });

    it('records a failing migration, stops, and refuses to go on until it is rolled back', async () => {
      const dir = writeMigrations({
        '001_ok': 'CREATE TABLE "first" ("id" INTEGER NOT NULL);',
        '002_broken': 'CREATE TABLE "second" ("id" INTEGER NOT NULL);\nINSERT INTO "no_such_table" VALUES (1);',
        '003_later': 'CREATE TABLE "third" ("id" INTEGER NOT NULL);',
      });
      const { conn, close } = await rawDatabase(kind);
      try {
        await expect(migrate(conn, { migrationsDir: dir, log: false })).rejects.toThrow(
          /Migration 002_broken failed to apply: .*no_such_table/s,
        );
        const rows = await conn.query(
          'SELECT migration_name, finished_at, rolled_back_at, logs, applied_steps_count FROM "_prisma_migrations" ORDER BY started_at',
        );
        expect(rows.map((r) => r.migration_name)).toEqual(['001_ok', '002_broken']);
        expect(rows[0].finished_at).toBeInstanceOf(Date);
        expect(rows[1]).toMatchObject({ finished_at: null, rolled_back_at: null, applied_steps_count: 0 });
        expect(rows[1].logs).toMatch(/no_such_table/);
        // The file ran as one implicit transaction: its first statement was rolled back too.
        expect(await conn.query(`SELECT to_regclass('second') AS t`)).toEqual([{ t: null }]);

        await expect(migrate(conn, { migrationsDir: dir, log: false })).rejects.toThrow(
          /Migration 002_broken .*failed.*no further migration will be applied.*rolled_back_at/s,
        );
        expect(await conn.query(`SELECT to_regclass('third') AS t`)).toEqual([{ t: null }]);

        // After a fix and `migrate resolve --rolled-back`, Prisma applies it again under a new row.
        writeMigrations({ '002_broken': 'CREATE TABLE "second" ("id" INTEGER NOT NULL);' }, dir);
        await conn.query(`UPDATE "_prisma_migrations" SET rolled_back_at = now() WHERE migration_name = '002_broken'`);
        expect(await migrate(conn, { migrationsDir: dir, log: false })).toEqual(['002_broken', '003_later']);
        const after = await conn.query(
          'SELECT migration_name, finished_at IS NOT NULL AS finished, rolled_back_at IS NOT NULL AS rolled_back FROM "_prisma_migrations" ORDER BY started_at',
        );
        expect(after).toEqual([
          { migration_name: '001_ok', finished: true, rolled_back: false },
          { migration_name: '002_broken', finished: false, rolled_back: true },
          { migration_name: '002_broken', finished: true, rolled_back: false },
          { migration_name: '003_later', finished: true, rolled_back: false },
        ]);
      } finally {
        await close();
      }
    });

    it('warns when an applied migration file was modified afterwards', async () => {
      const dir = writeMigrations({ '001_table': 'CREATE TABLE "t" ("id" INTEGER NOT NULL);' });
      const { conn, close } = await rawDatabase(kind);
      try {
        const log: string[] = [];
        expect(await migrate(conn, { migrationsDir: dir, log: (line) => log.push(line) })).toEqual(['001_table']);
        expect(log).toEqual(['Applied migration 001_table']);
        writeMigrations({ '001_table': 'CREATE TABLE "t" ("id" BIGINT NOT NULL);' }, dir);
        log.length = 0;
        expect(await migrate(conn, { migrationsDir: dir, log: (line) => log.push(line) })).toEqual([]);
        expect(log).toEqual([expect.stringMatching(/migration 001_table was modified after it was applied/)]);
      } finally {
        await close();
      }
    });

    if (kind === 'postgres') {
      it('concurrent migrators apply each migration exactly once', async () => {
        const initSql = readFileSync(path.join(DEFAULT_MIGRATIONS_DIR, migrationFolders[0].name, 'migration.sql'), 'utf8');
        const dir = writeMigrations({
          '001_init': initSql,
          // Slow, and not idempotent: applied twice it would insert two rows.
          '002_slow': `SELECT pg_sleep(0.3);
            INSERT INTO "registered_model" ("name", "created_at", "updated_at") VALUES ('once', now(), now());`,
        });
        const created = await createPostgresDatabase();
        const clients = Array.from({ length: 4 }, () => new pg.Client({ connectionString: created.url }));
        try {
          await Promise.all(clients.map((client) => client.connect()));
          const results = await Promise.all(
            clients.map((client) => migrate(pgClientConnection(client), { migrationsDir: dir, log: false })),
          );
          expect(results.flat().sort()).toEqual(['001_init', '002_slow']);
          const { rows } = await clients[0].query(
            'SELECT migration_name, count(*)::int AS n FROM "_prisma_migrations" WHERE finished_at IS NOT NULL GROUP BY 1 ORDER BY 1',
          );
          expect(rows).toEqual([
            { migration_name: '001_init', n: 1 },
            { migration_name: '002_slow', n: 1 },
          ]);
          expect((await clients[0].query('SELECT count(*)::int AS n FROM "registered_model"')).rows).toEqual([{ n: 1 }]);
        } finally {
          await Promise.all(clients.map((client) => client.end().catch(() => {})));
          await created.drop();
        }
      });

      it('replicas opening a fresh database together migrate it once', async () => {
        const created = await createPostgresDatabase();
        try {
          const opened = await Promise.all([1, 2, 3].map(() => openDatabase({ kind: 'postgres', url: created.url }, { log: false })));
          const rows = await opened[0].prisma.$queryRawUnsafe<unknown[]>('SELECT id FROM "_prisma_migrations"');
          expect(rows).toHaveLength(migrationFolders.length);
          await Promise.all(opened.map((db) => db.close()));
        } finally {
          await created.drop();
        }
      });
    }
  });
}

for (const provider of databases) {
  describe(`openDatabase [${provider.name}]`, () => {
    it('gives a working Prisma client, ping() and close()', async () => {
      const queries: string[] = [];
      const db = await provider.open({ onQuery: (sql) => queries.push(sql), transactionTimeoutMs: 500 });
      try {
        expect(db.kind).toBe(provider.name);
        await db.ping();
        const created = await db.prisma.registeredModel.create({
          data: { name: 'smoke', description: 'a model', createdAt: now(), updatedAt: now() },
        });
        expect(created).toMatchObject({ id: expect.any(Number), name: 'smoke', lastVersion: 0 });
        expect(await db.prisma.registeredModel.findUnique({ where: { name: 'smoke' } })).toEqual(created);
        expect(queries.some((sql) => /INSERT INTO "public"."registered_model"/.test(sql))).toBe(true);
        // The configured transaction timeout reaches the client (Prisma's own default is 5 s).
        await expect(
          db.prisma.$transaction(async (tx) => {
            await tx.registeredModel.count();
            await new Promise((resolve) => setTimeout(resolve, 800));
            await tx.registeredModel.count();
          }),
        ).rejects.toThrow(/timeout|expired/i);
        await db.ping();
        await db.close();
        if (db.databaseName) {
          // The pool is gone: nothing is connected to the test database any more.
          const admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
          await admin.connect();
          const { rows } = await admin.query('SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1', [db.databaseName]);
          await admin.end();
          expect(rows).toEqual([{ n: 0 }]);
        } else {
          await expect(db.ping()).rejects.toThrow();
        }
      } finally {
        await db.drop?.();
      }
    });

    if (provider.name === 'pglite') {
      it('ping() gives up after PING_TIMEOUT_MS while the engine is held by a transaction', async () => {
        const db = await provider.open();
        try {
          let release!: () => void;
          const held = new Promise<void>((resolve) => (release = resolve));
          // PGlite runs one transaction at a time: the ping queues behind this one.
          const tx = db.prisma.$transaction(async (t) => {
            await t.registeredModel.count();
            await held;
          });
          await new Promise((resolve) => setTimeout(resolve, 100));
          const started = Date.now();
          await expect(db.ping()).rejects.toThrow(/did not answer within/);
          expect(Date.now() - started).toBeGreaterThanOrEqual(PING_TIMEOUT_MS - 50);
          release();
          await tx;
          await db.ping();
        } finally {
          await db.close();
        }
      });
    }

    if (provider.name === 'postgres') {
      it('ping() rejects promptly once the database is gone', async () => {
        const db = await provider.open();
        try {
          await db.ping();
          await db.drop!();
          const started = Date.now();
          await expect(db.ping()).rejects.toThrow();
          expect(Date.now() - started).toBeLessThan(3_000);
        } finally {
          await db.close().catch(() => {});
        }
      });
    }
  });
}

describe('parseDatabaseUrl', () => {
  it('defaults to PGlite in <project root>/data/pglite, whatever the current directory', () => {
    const expected = { kind: 'pglite', dataDir: path.join(projectRoot, 'data', 'pglite') };
    expect(parseDatabaseUrl(undefined, '/somewhere/else')).toEqual(expected);
    expect(parseDatabaseUrl('', '/somewhere/else')).toEqual(expected);
    expect(parseDatabaseUrl('  ')).toEqual(expected);
    expect(DEFAULT_PGLITE_DIR).toBe(expected.dataDir);
  });

  it('reads pglite:<dir> relative to the current directory, and pglite:memory', () => {
    expect(parseDatabaseUrl('pglite:./db', '/srv/app')).toEqual({ kind: 'pglite', dataDir: '/srv/app/db' });
    expect(parseDatabaseUrl('pglite:db/x', '/srv/app')).toEqual({ kind: 'pglite', dataDir: '/srv/app/db/x' });
    expect(parseDatabaseUrl('pglite:/var/lib/registry')).toEqual({ kind: 'pglite', dataDir: '/var/lib/registry' });
    expect(parseDatabaseUrl('pglite:memory')).toEqual({ kind: 'pglite', dataDir: null });
    expect(() => parseDatabaseUrl('pglite:')).toThrow(/pglite:<dir>/);
    expect(() => parseDatabaseUrl('pglite://data')).toThrow(/pglite:<dir>/);
  });

  it('passes postgres:// and postgresql:// URLs through', () => {
    expect(parseDatabaseUrl('postgres://root@127.0.0.1:5432/test')).toEqual({
      kind: 'postgres',
      url: 'postgres://root@127.0.0.1:5432/test',
    });
    expect(parseDatabaseUrl('postgresql://u:p@db/registry?sslmode=require')).toEqual({
      kind: 'postgres',
      url: 'postgresql://u:p@db/registry?sslmode=require',
    });
  });

  it('rejects anything else, naming the accepted forms and hiding passwords', () => {
    for (const url of ['mysql://u:secret@host/db', 'file:./dev.db', './data', 'memory']) {
      expect(() => parseDatabaseUrl(url)).toThrow(/Accepted forms: .*pglite:<dir>.*pglite:memory.*postgres:\/\/.*postgresql:\/\//);
    }
    expect(() => parseDatabaseUrl('mysql://u:secret@host/db')).toThrow(/mysql:\/\/u:\*\*\*@host\/db/);
    expect(() => parseDatabaseUrl('mysql://u:secret@host/db')).not.toThrow(/secret/);
  });
});

describe('loadConfig', () => {
  it('has defaults for everything', () => {
    expect(loadConfig({})).toEqual({
      databaseUrl: { kind: 'pglite', dataDir: DEFAULT_PGLITE_DIR },
      port: 4000,
      host: '127.0.0.1',
      transactionTimeoutMs: 15_000,
      transactionMaxWaitMs: 10_000,
      workers: 1,
      // Loopback with the embedded database: the two-command demo needs no token.
      security: expect.objectContaining({ auth: 'off' }),
      liveUpdates: expect.objectContaining({ maxSubscriptionsPerToken: 100 }),
    });
  });

  it('reads the environment', () => {
    expect(
      loadConfig({
        DATABASE_URL: 'postgres://root@127.0.0.1/test',
        PORT: '8080',
        HOST: '0.0.0.0',
        TX_TIMEOUT_MS: '30000',
        TX_MAX_WAIT_MS: '2000',
        WORKERS: '4',
      }),
    ).toEqual({
      databaseUrl: { kind: 'postgres', url: 'postgres://root@127.0.0.1/test' },
      port: 8080,
      host: '0.0.0.0',
      transactionTimeoutMs: 30_000,
      transactionMaxWaitMs: 2_000,
      workers: 4,
      // Reachable from other machines, with PostgreSQL: tokens required.
      security: expect.objectContaining({ auth: 'required' }),
      liveUpdates: expect.objectContaining({ maxSubscriptionsPerToken: 100 }),
    });
    expect(loadConfig({ PORT: '', HOST: '' })).toMatchObject({ port: 4000, host: '127.0.0.1' });
    expect(loadConfig({ WORKERS: 'auto' }).workers).toBe(os.availableParallelism());
    expect(loadConfig({ WORKERS: 'AUTO' }).workers).toBe(os.availableParallelism());
  });

  it('rejects bad values with a clear message listing every problem', () => {
    expect(() => loadConfig({ PORT: 'abc' })).toThrow('PORT must be an integer from 0 to 65535 (got "abc")');
    expect(() => loadConfig({ PORT: '70000' })).toThrow(/PORT must be an integer/);
    expect(() => loadConfig({ PORT: '80.5' })).toThrow(/PORT must be an integer/);
    expect(() => loadConfig({ TX_TIMEOUT_MS: '0' })).toThrow(/TX_TIMEOUT_MS must be an integer/);
    expect(() => loadConfig({ TX_MAX_WAIT_MS: '-5' })).toThrow(/TX_MAX_WAIT_MS must be an integer/);
    expect(() => loadConfig({ WORKERS: '0' })).toThrow('WORKERS must be an integer from 1 to 256 or "auto" (got "0")');
    expect(() => loadConfig({ WORKERS: 'all' })).toThrow(/WORKERS must be an integer from 1 to 256 or "auto"/);
    let message = '';
    try {
      loadConfig({ PORT: 'x', DATABASE_URL: 'sqlite:./x.db' });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/^Invalid configuration:/);
    expect(message).toMatch(/PORT must be an integer/);
    expect(message).toMatch(/DATABASE_URL "sqlite:.\/x.db" is not supported/);
  });
});

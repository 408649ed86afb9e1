// Opens the database: migrates it, then hands out one Prisma client over the matching driver adapter.
import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { parseDatabaseUrl, type DatabaseTarget } from '../config.ts';
import { PrismaClient } from '../generated/prisma/client.ts';
import type { Database, Listener, ListenHandlers, OpenDatabaseOptions } from './database.ts';
import { type DirectQuery, registerDirectQuery } from '../registry/sql.ts';
import { listenOnPostgres } from './pg-listener.ts';
import { getTypeParser } from './timestamps.ts';
import { lockDataFolder } from './data-folder-lock.ts';
import { migrate, pgClientConnection, pgliteConnection, type MigrateOptions } from './migrator.ts';

export interface OpenOptions extends OpenDatabaseOptions, MigrateOptions {
  /** Longest an interactive transaction may run (Prisma's default, 5 s, is tight for PGlite). */
  transactionTimeoutMs?: number;
  /** Longest to wait for a connection to start a transaction. */
  transactionMaxWaitMs?: number;
  /**
   * PostgreSQL: longest one statement may wait for its answer (default 10 s) before it fails and its
   * connection is dropped, so a database that hangs cannot hold requests forever. Batch tools
   * (check, export, import) raise it.
   */
  queryTimeoutMs?: number;
}

export const PING_TIMEOUT_MS = 2_000;
export const DEFAULT_QUERY_TIMEOUT_MS = 10_000;

const openedWith = new WeakMap<PrismaClient, Database>();

/**
 * The database a client was opened with, so code that only holds the client (GraphQL resolvers
 * hold `ctx.prisma`) can reach what belongs to the database, such as its notifications.
 */
export function databaseOf(prisma: PrismaClient): Database | undefined {
  return openedWith.get(prisma);
}

/**
 * `options` can be the whole Config: its transaction settings are picked up by name.
 * PostgreSQL is migrated over its own connection first; the advisory lock lets replicas
 * start together.
 */
export async function openDatabase(target: DatabaseTarget, options: OpenOptions = {}): Promise<Database> {
  const migrateOptions: MigrateOptions = { migrationsDir: options.migrationsDir, log: options.log };
  let adapter: PrismaPGlite | PrismaPg;
  let pglite: PGlite | undefined;
  let pool: pg.Pool | undefined;
  let directQuery: DirectQuery;
  /** Set by close(): connections failing from then on are expected, not news. */
  let closing = false;
  /** Releases the PGlite folder's process lock (none for pglite:memory and PostgreSQL). */
  let releaseLock: (() => void) | undefined;

  if (target.kind === 'pglite') {
    if (target.dataDir !== null) {
      mkdirSync(target.dataDir, { recursive: true });
      // Before PGlite reads the folder: a second process would work on a copy and overwrite it.
      releaseLock = lockDataFolder(target.dataDir);
    }
    try {
      pglite = target.dataDir === null ? await PGlite.create() : await PGlite.create(target.dataDir);
    } catch (error) {
      releaseLock?.();
      throw error;
    }
    try {
      await migrate(pgliteConnection(pglite), migrateOptions);
    } catch (error) {
      await pglite.close();
      releaseLock?.();
      throw error;
    }
    adapter = new PrismaPGlite(pglite);
    const instance = pglite;
    // PGlite.query waits for an open transaction (the adapter runs them through PGlite.transaction).
    directQuery = async <T>(text: string, values: readonly unknown[]) =>
      (await instance.query<T>(text, [...values])).rows;
  } else {
    const client = new pg.Client({ connectionString: target.url, connectionTimeoutMillis: 10_000 });
    // A broken connection emits 'error'; without a listener that would crash the process.
    client.on('error', () => {});
    try {
      await client.connect();
      await migrate(pgClientConnection(client), migrateOptions);
    } finally {
      await client.end().catch(() => {});
    }
    // One pool for Prisma and the direct reads; ended here on close, not by Prisma (which could
    // open a new one if anything reconnected after $disconnect).
    const shared = new pg.Pool({
      connectionString: target.url,
      connectionTimeoutMillis: 10_000,
      query_timeout: options.queryTimeoutMs ?? DEFAULT_QUERY_TIMEOUT_MS,
      // Notices a peer that vanished (network partition) on idle pooled connections.
      keepAlive: true,
      // For the direct reads; Prisma passes its own parsers with each of its queries.
      types: { getTypeParser },
    });
    pool = shared;
    // The pool's own listener, for as long as the pool lives: Prisma removes the adapter's when it
    // disconnects, and an 'error' event nobody hears crashes the process.
    shared.on('error', (error) => {
      if (!closing) console.warn(`PostgreSQL pool: idle connection failed: ${error.message}`);
    });
    adapter = new PrismaPg(shared);
    directQuery = async <T>(text: string, values: readonly unknown[]) =>
      (await shared.query<T & pg.QueryResultRow>({ text, values: [...values] })).rows;
  }

  const { onQuery } = options;
  const prisma = new PrismaClient({
    adapter,
    transactionOptions: {
      timeout: options.transactionTimeoutMs ?? 15_000,
      maxWait: options.transactionMaxWaitMs ?? 10_000,
    },
    ...(onQuery ? { log: [{ emit: 'event' as const, level: 'query' as const }] } : {}),
  });
  if (onQuery) (prisma as unknown as PrismaClient<'query'>).$on('query', (event) => onQuery(event.query));
  const direct = directQuery;
  registerDirectQuery(
    prisma,
    onQuery
      ? (text, values) => {
          onQuery(text);
          return direct(text, values);
        }
      : direct,
  );

  const engine = pglite;
  const listeners = new Set<Listener>();
  const log = options.log === false ? () => {} : (options.log ?? ((line: string) => console.error(line)));
  async function listen(channel: string, handlers: ListenHandlers): Promise<Listener> {
    let inner: Listener;
    if (engine) {
      const unlisten = await engine.listen(channel, () => handlers.onNotify());
      inner = {
        async close() {
          if (!engine.closed) await unlisten();
          handlers.onClose?.();
        },
      };
    } else {
      inner = await listenOnPostgres((target as { url: string }).url, channel, handlers, log);
    }
    const listener: Listener = {
      async close() {
        if (!listeners.delete(listener)) return;
        await inner.close();
      },
    };
    listeners.add(listener);
    return listener;
  }

  const database: Database = {
    kind: target.kind,
    prisma,
    async ping() {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`database did not answer within ${PING_TIMEOUT_MS} ms`)), PING_TIMEOUT_MS);
        timer.unref();
      });
      try {
        await Promise.race([prisma.$queryRaw`SELECT 1`, timeout]);
      } finally {
        clearTimeout(timer);
      }
    },
    listen,
    async close() {
      closing = true;
      await Promise.all([...listeners].map((listener) => listener.close()));
      // $disconnect lets go of the pool; ending it is ours.
      await prisma.$disconnect();
      if (pool && !pool.ended) await pool.end();
      if (engine && !engine.closed) await engine.close();
      releaseLock?.();
    },
  };
  openedWith.set(prisma, database);
  return database;
}

/** `openDatabase(parseDatabaseUrl(url))`; an unset url means the default PGlite folder. */
export function openDatabaseFromUrl(url?: string, options?: OpenOptions): Promise<Database> {
  return openDatabase(parseDatabaseUrl(url), options);
}

// Opens the database: migrates it, then hands out one Prisma client over the matching driver adapter.
import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { PrismaPg } from '@prisma/adapter-pg';
import { createHash } from 'node:crypto';
import pg from 'pg';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { parseDatabaseUrl, type DatabaseTarget } from '../config.ts';
import { PrismaClient } from '../generated/prisma/client.ts';
import type { Database, DirectQuery, Listener, ListenHandlers, OpenDatabaseOptions } from './database.ts';
import { listenOnPostgres } from './pg-listener.ts';
import { getTypeParser } from './timestamps.ts';
import { lockDataFolder } from './data-folder-lock.ts';
import { migrate, pgClientConnection, pgliteConnection, type MigrateOptions } from './migrator.ts';
import { TRANSACTION_EXPIRED_MESSAGE } from './unavailable.ts';

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

/**
 * PostgreSQL's own statement_timeout for the pool's connections: just under the client's
 * query_timeout, so the server cancels first. PGlite runs in-process and cannot be cancelled: there,
 * the input limits (tag filters, list sizes) are what bound a statement.
 */
export function serverStatementTimeoutMs(queryTimeoutMs: number): number {
  return Math.max(1, queryTimeoutMs - Math.min(500, Math.floor(queryTimeoutMs / 10)));
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
    directQuery = async <T>(text: string, values: readonly unknown[]) => (await instance.query<T>(text, [...values])).rows;
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
    const queryTimeoutMs = options.queryTimeoutMs ?? DEFAULT_QUERY_TIMEOUT_MS;
    const shared = new pg.Pool({
      connectionString: target.url,
      connectionTimeoutMillis: 10_000,
      query_timeout: queryTimeoutMs,
      // query_timeout only stops the client waiting; the statement would run on in PostgreSQL
      // (F21). The server cancels it itself a little earlier, so the client gets PostgreSQL's
      // 57014 and the connection stays usable.
      statement_timeout: serverStatementTimeoutMs(queryTimeoutMs),
      // A transaction whose client stopped talking (event loop blocked, process stuck) is ended by
      // PostgreSQL, releasing its locks (F9). Batch tools with long transactions raise queryTimeoutMs.
      idle_in_transaction_session_timeout: Math.max(options.transactionTimeoutMs ?? 15_000, queryTimeoutMs),
      // Notices a peer that vanished (network partition) on idle pooled connections.
      keepAlive: true,
      // For the direct reads; Prisma passes its own parsers with each of its queries.
      types: { getTypeParser },
    });
    pool = shared;
    shared.on('connect', (client) => cancelBeforeRollback(client, target.url));
    // The pool's own listener, for as long as the pool lives: Prisma removes the adapter's when it
    // disconnects, and an 'error' event nobody hears crashes the process.
    shared.on('error', (error) => {
      if (!closing) console.warn(`PostgreSQL pool: idle connection failed: ${error.message}`);
    });
    adapter = new PrismaPg(shared);
    const prepared = preparedNames();
    directQuery = async <T>(text: string, values: readonly unknown[]) =>
      (await shared.query<T & pg.QueryResultRow>({ name: prepared(text), text, values: [...values] })).rows;
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
  const driverQuery = directQuery;
  const direct: DirectQuery = onQuery
    ? (text, values) => {
        onQuery(text);
        return driverQuery(text, values);
      }
    : driverQuery;

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
    direct,
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
  return database;
}

/** How many distinct statement texts get a prepared statement per pool (each on every connection). */
const MAX_PREPARED_STATEMENTS = 256;

/**
 * Names for PostgreSQL prepared statements, one per statement text: the direct reads' texts are
 * fixed (their values travel as parameters, lists as arrays), so each connection parses and plans
 * a lookup once and then only binds and executes it, which halved PostgreSQL's CPU per alias lookup
 * (BENCHMARKS.md). The name comes from the text itself, so one name never means two texts; texts
 * beyond the first MAX_PREPARED_STATEMENTS run unprepared, which bounds what the connections keep.
 */
function preparedNames(): (text: string) => string | undefined {
  const names = new Map<string, string>();
  return (text) => {
    let name = names.get(text);
    if (name === undefined) {
      if (names.size >= MAX_PREPARED_STATEMENTS) return undefined;
      name = `direct_${createHash('sha256').update(text).digest('hex').slice(0, 24)}`;
      names.set(text, name);
    }
    return name;
  };
}

/**
 * Prisma ends an expired transaction (TX_TIMEOUT_MS) by sending ROLLBACK on its connection, even
 * while the transaction's statement still runs. pg would queue it (its "Calling client.query() when
 * the client is already executing a query" deprecation) and PostgreSQL would run the statement on,
 * holding the model's lock, until it ended. Instead the running statement is canceled first (over a
 * separate connection, as PostgreSQL requires), and ROLLBACK is sent once it has stopped. (A
 * callback that failed with a statement still in flight is rolled back the same way.)
 */
function cancelBeforeRollback(client: pg.PoolClient, url: string): void {
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  let running: Promise<unknown> | null = null;
  let canceled = false;
  const track = (result: unknown) => {
    if (!(result instanceof Promise)) return result;
    const tracked = result.then(
      (value) => {
        if (running === tracked) running = null;
        return value;
      },
      (error: unknown) => {
        if (running === tracked) running = null;
        // Says why, so the caller reports TRANSACTION_TIMEOUT (unavailable.ts), not an outage.
        if (canceled && error instanceof Error) error.message = TRANSACTION_EXPIRED_MESSAGE;
        throw error;
      },
    );
    running = tracked;
    return tracked;
  };
  (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
    const first = args[0] as string | { text?: string } | undefined;
    const text = typeof first === 'string' ? first : first?.text;
    const busy = running;
    if (!busy || text?.trim().toUpperCase() !== 'ROLLBACK') return track(query(...args));
    const pid = (client as unknown as { processID: number }).processID;
    canceled = true;
    return track(
      (async () => {
        const canceler = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
        canceler.on('error', () => {});
        try {
          await canceler.connect();
          await canceler.query('SELECT pg_cancel_backend($1)', [pid]);
        } catch {
          // Could not cancel: the ROLLBACK then waits for the statement, as it would have anyway.
        } finally {
          await canceler.end().catch(() => {});
        }
        await busy.catch(() => {});
        canceled = false;
        return query(...args);
      })(),
    );
  };
}

/** `openDatabase(parseDatabaseUrl(url))`; an unset url means the default PGlite folder. */
export function openDatabaseFromUrl(url?: string, options?: OpenOptions): Promise<Database> {
  return openDatabase(parseDatabaseUrl(url), options);
}

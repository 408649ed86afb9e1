// What the rest of the server knows about its database: one generated Prisma client, whichever
// engine is underneath (PGlite in-process, or PostgreSQL through @prisma/adapter-pg).
import type { PrismaClient } from '../generated/prisma/client.ts';

export type DatabaseKind = 'pglite' | 'postgres';

/**
 * Runs one statement outside any transaction and returns its rows as objects keyed by column
 * name. Values come typed as through Prisma's $queryRaw, except that timestamps arrive as Date
 * (Prisma: ISO text; readers convert with `withDates`, which accepts both) and that 8-byte integers
 * would differ by driver, so statements cast counts to int.
 */
export type DirectQuery = <T>(text: string, values: readonly unknown[]) => Promise<T[]>;

export interface Database {
  readonly kind: DatabaseKind;
  readonly prisma: PrismaClient;
  /** Raw reads straight over the driver, skipping Prisma's row mapping (src/store/sql.ts says why). */
  readonly direct: DirectQuery;
  /** Resolves when the database answers a trivial query; rejects otherwise. */
  ping(): Promise<void>;
  /**
   * Calls `handlers.onNotify` whenever a transaction that sent NOTIFY on `channel` commits (on
   * PostgreSQL over a dedicated connection, so replicas hear each other). close() stops every
   * listener before the database closes.
   */
  listen(channel: string, handlers: ListenHandlers): Promise<Listener>;
  /** Closes the client and the engine (PGlite flushes its data folder). */
  close(): Promise<void>;
}

export interface ListenHandlers {
  onNotify(): void;
  /** The listener stopped for good (closed directly or with its database). */
  onClose?(): void;
}

export interface Listener {
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  /** Called with the SQL text of every statement the Prisma client sends (tests count them). */
  onQuery?: (sql: string) => void;
}

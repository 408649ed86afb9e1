// What the rest of the server knows about its database: one generated Prisma client, whichever
// engine is underneath (PGlite in-process, or PostgreSQL through @prisma/adapter-pg).
import type { PrismaClient } from '../generated/prisma/client.ts';

export type DatabaseKind = 'pglite' | 'postgres';

export interface Database {
  readonly kind: DatabaseKind;
  readonly prisma: PrismaClient;
  /** Resolves when the database answers a trivial query; rejects otherwise. */
  ping(): Promise<void>;
  /** Closes the client and the engine (PGlite flushes its data folder). */
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  /** Called with the SQL text of every statement the Prisma client sends (tests count them). */
  onQuery?: (sql: string) => void;
}

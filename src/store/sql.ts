// The store's raw statements: what they share (the read paths, the statement names, decoding).
//
// Which tables are read by raw SQL, and why (the step numbers are those of BENCHMARKS.md):
// - tags and aliases of many owners (store/tags.ts, store/aliases.ts), version and history pages of
//   many models (store/versions.ts, store/events.ts): one index scan per owner through a LATERAL
//   join over an array parameter, where Prisma's IN list made PostgreSQL read the whole table
//   (step 2), with the ORDER BY inside the subquery so the planner keeps it per owner (step 6);
// - models by name (store/models.ts): the first statement of every lookup (step 3);
// - the models page and its count (store/models.ts): the first statements of every dashboard, one
//   SQL filter for name, tags, alias and scope in place of Prisma's `where` builder (step 10);
// - the alias move's target and current alias (src/registry/aliases.ts, which reuses the column
//   lists of store/columns.ts): one statement after the lock (step 8);
// - history listings and the live feed (store/events.ts): one filter for both, indexed (F20, F26).
// Everything else (look-ups by id, versions by number) is a Prisma query.
//
// Each statement starts with its name (`/* listModels */`), so pg_stat_statements, slow-query logs
// and onQuery counts say which reader sent it.
//
// Raw reads go through the transaction when inside one, straight over the driver otherwise.
// Prisma's $queryRaw passes every value of every row through its own mapping (on a dashboard's
// 4,400 rows that was most of the Node CPU spent on reading, step 5); reads outside a transaction
// do not need it, so the database hands out a direct path (Database.direct).
import type { DirectQuery } from '../db/database.ts';
import { Prisma, type PrismaClient } from '../generated/prisma/client.ts';
import type { Tx } from '../registry/context.ts';

/** The database outside any transaction: Prisma for its queries, the driver for raw reads. */
export interface DirectReader {
  readonly prisma: PrismaClient;
  readonly direct: DirectQuery;
}

/** Where reads run: the database (raw reads on the direct path) or an open transaction. */
export type Reader = DirectReader | Tx;

export function queryRows<T>(db: Reader, sql: Prisma.Sql): Promise<T[]> {
  return 'direct' in db ? db.direct<T>(sql.text, sql.values) : inTransaction(db).$queryRaw<T[]>(sql);
}

/** The Prisma client to run a Prisma query with: the database's, or the transaction itself. */
export function prismaOf(db: Reader): PrismaClient | Tx {
  return 'direct' in db ? db.prisma : inTransaction(db);
}

/**
 * A Prisma client has the transaction's type too, but a read given one would take Prisma's slow
 * path where the database's direct one was meant: refused, so the mistake shows in the first test.
 */
function inTransaction(tx: Tx): Tx {
  if ('$connect' in tx) throw new Error('store reads take the Database (direct path) or a transaction, not a Prisma client');
  return tx;
}

/** Turns the timestamp columns of raw rows into Dates, in place (direct rows have them already). */
export function withDates<T, K extends keyof T>(rows: T[], ...columns: K[]): T[] {
  for (const row of rows) {
    for (const column of columns) {
      const value = row[column] as unknown;
      if (value !== null && !(value instanceof Date)) row[column] = new Date(value as string) as T[K];
    }
  }
  return rows;
}


/** A statement named for logs and statistics: `name` is an identifier written in the code, never input. */
export function named(name: string, sql: Prisma.Sql): Prisma.Sql {
  if (!/^\w+$/.test(name)) throw new Error(`statement name ${JSON.stringify(name)} is not an identifier`);
  return Prisma.sql`${Prisma.raw(`/* ${name} */`)} ${sql}`;
}

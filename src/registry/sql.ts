// Raw reads: through the transaction when inside one, straight over the driver otherwise.
// Prisma's $queryRaw passes every value of every row through its own mapping (on a dashboard's
// 4,400 rows that was most of the Node CPU spent on reading, BENCHMARKS.md); reads outside a
// transaction do not need it, so the database registers a direct path for its client.
import type { Prisma, PrismaClient } from '../generated/prisma/client.ts';
import type { Tx } from './context.ts';

/**
 * Runs one statement outside any transaction and returns its rows as objects keyed by column
 * name. Values come typed as through Prisma's $queryRaw, except that timestamps arrive as Date
 * (Prisma: ISO text; readers convert with `withDates`, which accepts both) and that 8-byte integers
 * would differ by driver, so statements cast counts to int.
 */
export type DirectQuery = <T>(text: string, values: readonly unknown[]) => Promise<T[]>;

const directQueries = new WeakMap<object, DirectQuery>();

export function registerDirectQuery(prisma: PrismaClient, query: DirectQuery): void {
  directQueries.set(prisma, query);
}

export function queryRows<T>(db: PrismaClient | Tx, sql: Prisma.Sql): Promise<T[]> {
  const direct = directQueries.get(db);
  return direct ? direct<T>(sql.text, sql.values) : db.$queryRaw<T[]>(sql);
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

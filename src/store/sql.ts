// The data-access layer: the statements of the registry's reads, commands and batch tools, per
// aggregate (models, versions, tags, aliases, events, idempotency keys, tokens, webhooks and their
// delivery queue, the watermark's reads), each a named function. This file holds what the raw ones share: the transaction type, the read paths,
// the statement names, decoding, the database clock.
//
// Which tables are read by raw SQL, and why (the step numbers are those of BENCHMARKS.md):
// - tags and aliases of many owners (store/tags.ts, store/aliases.ts), version and history pages of
//   many models (store/versions.ts, store/events.ts): one index scan per owner through a LATERAL
//   join over an array parameter, where Prisma's IN list made PostgreSQL read the whole table
//   (step 2), with the ORDER BY inside the subquery so the planner keeps it per owner (step 6);
// - models by name (store/models.ts): the first statement of every lookup (step 3);
// - the models page and its count (store/models.ts): the first statements of every dashboard, one
//   SQL filter for name, tags, alias and scope in place of Prisma's `where` builder (step 10);
// - the alias move's target and current alias (store/aliases.ts aliasAndTarget): one statement
//   after the lock (step 8);
// - history listings and the live feed (store/events.ts): one filter for both, indexed (F20, F26);
// - MLflow's searches (store/mlflow-search.ts): a filter of any number of name, run, source, number
//   and tag predicates, an order mixing directions, and MLflow's offset pages, as one statement;
// - the safe watermark's reads (store/watermark.ts): a sequence's state and pg_locks are no tables
//   Prisma knows;
// - the webhooks to queue for (store/webhooks.ts lockQueueableWebhooks): FOR UPDATE SKIP LOCKED.
// Everything else (look-ups by id, versions by number) is a Prisma query.
//
// Which tables are written by raw SQL, and why:
// - audit_event: every event goes through one INSERT (store/events.ts eventInsertSql, one VALUES
//   row per event), except the alias move's;
// - the alias move (store/aliases.ts moveAliasInOneStatement): the model's lock, the reads,
//   compare-and-set, the alias upsert, updated_at and the ALIAS_SET event in one call of a
//   server-side function (migration 20261202070000), one round trip with no interactive transaction;
// - idempotency_key (store/idempotency.ts): ON CONFLICT DO NOTHING RETURNING, expiry computed on
//   the database clock, and a sweep with FOR UPDATE SKIP LOCKED have no Prisma form;
// - the model lock (store/models.ts lockModel): Prisma has no FOR UPDATE, and the clock is read in
//   the same statement, after the lock;
// - the serial counters (store/serials.ts): pg_sequence functions take table names, not rows;
// - webhook_delivery's queue (store/webhooks.ts queueDeliveries, claimDeliveries,
//   recordDeliveryOutcome): ON CONFLICT DO NOTHING, a lease on the database clock, a claim with
//   FOR UPDATE SKIP LOCKED, and an outcome recorded only while the attempt still holds the lease.
// Every other write is Prisma's: registered_model and model_version with their nested tags in one
// create, tags, alias deletion, api_token, webhook (and its queue cursor), webhook_delivery's test
// pings, and the import's batches (createMany). None is on a hot path, and test/registry/statement-counts.test.ts pins what each
// command sends.
//
// Each raw statement starts with its name (`/* listModels */`), so pg_stat_statements, slow-query
// logs and onQuery counts say which function sent it.
//
// Raw reads go through the transaction when inside one, straight over the driver otherwise.
// Prisma's $queryRaw passes every value of every row through its own mapping (on a dashboard's
// 4,400 rows that was most of the Node CPU spent on reading, step 5); reads outside a transaction
// do not need it, so the database hands out a direct path (Database.direct).
import type { DirectQuery } from '../db/database.ts';
import { Prisma, type PrismaClient } from '../generated/prisma/client.ts';

/** One Prisma transaction: every write runs in one, and raw reads inside it see its writes. */
export type Tx = Prisma.TransactionClient;

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
      // undefined: a column the statement did not read (versionColumnsSql).
      if (value != null && !(value instanceof Date)) row[column] = new Date(value as string) as T[K];
    }
  }
  return rows;
}

/** A statement named for logs and statistics: `name` is an identifier written in the code, never input. */
export function named(name: string, sql: Prisma.Sql): Prisma.Sql {
  if (!/^\w+$/.test(name)) throw new Error(`statement name ${JSON.stringify(name)} is not an identifier`);
  return Prisma.sql`${Prisma.raw(`/* ${name} */`)} ${sql}`;
}

/**
 * The database's clock, the one every write stamps its rows with: replicas' clocks differ, the
 * database's is one, so `at` and `updated_at` order as the commits do.
 */
export async function databaseNow(tx: Tx): Promise<Date> {
  const rows = await tx.$queryRaw<{ now: Date }[]>(named('databaseNow', Prisma.sql`SELECT clock_timestamp() AS now`));
  return new Date(rows[0].now);
}

// The handle every registry write runs with: one Prisma transaction, who is acting, and one
// database timestamp shared by the state change and its audit events.
import { Prisma, type PrismaClient, type RegisteredModel } from '../generated/prisma/client.ts';
import { NotFoundError } from './errors.ts';
import { MODEL_COLUMNS_SQL } from '../store/columns.ts';
import { isStorableText } from './validation.ts';

export type Tx = Prisma.TransactionClient;

/** Who makes a change: a token name once authentication exists, null when anonymous. */
export type Actor = string | null;

export interface WriteContext {
  readonly tx: Tx;
  readonly actor: Actor;
  /**
   * The database clock, read after the model row is locked, so that per model `at` never runs
   * backwards as `sequence` grows.
   */
  readonly now: Date;
}


/**
 * Runs `work` in one transaction: state and audit events commit together or not at all.
 * Time limits are the client's (set from the configuration in src/db/client.ts).
 */
export function inTransaction<T>(prisma: PrismaClient, work: (tx: Tx) => Promise<T>): Promise<T> {
  return prisma.$transaction(work);
}

export async function databaseNow(tx: Tx): Promise<Date> {
  const rows = await tx.$queryRaw<{ now: Date }[]>`SELECT clock_timestamp() AS now`;
  return new Date(rows[0].now);
}

/**
 * Locks the model row for the rest of the transaction. Every write to a model goes through here,
 * which serialises writers per model: version numbers stay gap-free and each alias's history forms
 * an unbroken chain even with many concurrent writers and replicas.
 */
export async function lockModel(tx: Tx, name: string): Promise<{ model: RegisteredModel; now: Date }> {
  if (!isStorableText(name)) throw modelNotFound(name);
  const rows = await tx.$queryRaw<(RegisteredModel & { now: Date })[]>`
    SELECT ${MODEL_COLUMNS_SQL}, clock_timestamp() AS now FROM registered_model m WHERE m.name = ${name} FOR UPDATE`;
  const row = rows[0];
  if (!row) throw modelNotFound(name);
  const { now, ...model } = row;
  return {
    model: { ...model, createdAt: new Date(model.createdAt), updatedAt: new Date(model.updatedAt) },
    now: new Date(now),
  };
}

/** Marks the model changed (any change to it, its tags, aliases or versions) and returns it. */
export function touchModel(tx: Tx, modelId: number, now: Date): Promise<RegisteredModel> {
  return tx.registeredModel.update({ where: { id: modelId }, data: { updatedAt: now } });
}

export function modelNotFound(name: string): NotFoundError {
  return new NotFoundError(`registered model "${name}" not found`);
}

export function versionNotFound(name: string, version: number): NotFoundError {
  return new NotFoundError(`version ${version} of registered model "${name}" not found`);
}

/** True when `error` is a unique-constraint violation (P2002 on both adapters). */
export function isUniqueViolation(error: unknown): boolean {
  return error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002';
}

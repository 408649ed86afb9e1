// The handle every registry write runs with: one Prisma transaction, who is asking (their access
// decides what the write may do and is recorded as its actor), the registry's settings, and one
// database timestamp shared by the state change and its audit events.
import type { Access } from '../auth/access.ts';
import { Prisma, type PrismaClient, type RegisteredModel } from '../generated/prisma/client.ts';
import { NotFoundError } from './errors.ts';
import { MODEL_COLUMNS_SQL } from '../store/columns.ts';
import { isStorableText } from './validation.ts';

export type Tx = Prisma.TransactionClient;

/** Who makes a change: the token's name, null when anonymous. */
export type Actor = string | null;

/** What the registry's commands are configured with (from src/config.ts, by src/app.ts). */
export interface RegistrySettings {
  /** How long an idempotency key answers retries, in ms. */
  readonly idempotencyTtlMs: number;
  readonly webhooks: WebhookRules & { readonly requestTimeoutMs: number };
}

export interface WebhookRules {
  /** Accept http:// targets (tests, trusted networks); otherwise https:// only. */
  readonly allowHttp: boolean;
  /** Accept loopback, private, link-local... targets (tests, trusted networks). */
  readonly allowPrivate: boolean;
}

/** One command's transaction, the caller's access, and the settings: what every command runs with. */
export interface Write {
  readonly tx: Tx;
  readonly access: Access;
  readonly settings: RegistrySettings;
}

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

/**
 * Aliases a write removes or renames as a side effect (deleting a version or a model, renaming a
 * model): each must be one the caller may change, under the model's name and under `newName`.
 * Called with the model locked, so no alias can arrive between this check and the change.
 */
export function requireAliasRemovals(access: Access, modelName: string, aliases: readonly string[], newName?: string): void {
  for (const alias of aliases) {
    access.requireAliasChange(modelName, alias);
    if (newName !== undefined) access.requireAliasChange(newName, alias);
  }
}

/** Whether a write must read a model's aliases to check their removal: not for promote tokens. */
export function checksAliasRemovals(access: Access): boolean {
  return !access.promote && access.policy.rules.length > 0;
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

// The handle every registry write runs with: one Prisma transaction, who is asking (their access
// decides what the write may do and is recorded as its actor), the registry's settings, and one
// database timestamp shared by the state change and its audit events.
import type { Access } from '../auth/access.ts';
import { Prisma, type PrismaClient, type RegisteredModel } from '../generated/prisma/client.ts';
import { lockModel as lockModelRow } from '../store/models.ts';
import type { Reader, Tx } from '../store/sql.ts';
import { NotFoundError } from './rules/errors.ts';
import { isStorableText } from './rules/validation.ts';

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
  /** Where a one-statement write runs (StatementWrite): here, the transaction itself. */
  readonly db: Reader;
  readonly access: Access;
  readonly settings: RegistrySettings;
}

/**
 * What a command that is one statement runs with: the database itself (the statement is atomic on
 * its own, so no interactive transaction and its round trips) or, called inside a caller's
 * transaction (tools, tests), that transaction. Every Write is one.
 */
export type StatementWrite = Omit<Write, 'tx'>;

export function writeIn(tx: Tx, access: Access, settings: RegistrySettings): Write {
  return { tx, db: tx, access, settings };
}

/**
 * For a one-statement command whose input sometimes needs more (an idempotency key): `work` in a
 * transaction of its own, or in the caller's when it was called inside one.
 */
export function transactionFor<T>(w: StatementWrite, work: (w: Write) => Promise<T>): Promise<T> {
  const { db, access, settings } = w;
  if ('direct' in db) return inTransaction(db.prisma, (tx) => work(writeIn(tx, access, settings)));
  return work(writeIn(db, access, settings));
}

/**
 * Runs `work` in one transaction: state and audit events commit together or not at all.
 * Time limits are the client's (set from the configuration in src/db/client.ts), unless a long
 * operator job (an import) gives its own.
 */
export function inTransaction<T>(prisma: PrismaClient, work: (tx: Tx) => Promise<T>, options?: { timeoutMs: number }): Promise<T> {
  return options ? prisma.$transaction(work, { timeout: options.timeoutMs, maxWait: 60_000 }) : prisma.$transaction(work);
}

/**
 * Locks the model row for the rest of the transaction. Every write to a model goes through here,
 * which serialises writers per model: version numbers stay gap-free and each alias's history forms
 * an unbroken chain even with many concurrent writers and replicas.
 */
export async function lockModel(tx: Tx, name: string): Promise<{ model: RegisteredModel; now: Date }> {
  const locked = isStorableText(name) ? await lockModelRow(tx, name) : null;
  if (!locked) throw modelNotFound(name);
  return locked;
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

export function modelNotFound(name: string): NotFoundError {
  return new NotFoundError(`registered model "${name}" not found`, { kind: 'model', name });
}

export function versionNotFound(name: string, version: number): NotFoundError {
  return new NotFoundError(`version ${version} of registered model "${name}" not found`, { kind: 'version', name, version });
}

/** True when `error` is a unique-constraint violation (P2002 on both adapters). */
export function isUniqueViolation(error: unknown): boolean {
  return error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002';
}

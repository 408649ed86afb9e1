// Idempotent creates: a client that retries after a timeout sends the same key, and gets the
// result of the first attempt instead of a second model or version. Keys belong to an actor (two
// bots may use the same key) and an operation, and expire after a while (IDEMPOTENCY_TTL_HOURS).
import { createHash } from 'node:crypto';
import * as store from '../../store/idempotency.ts';
import type { Reader, Tx } from '../../store/sql.ts';
import type { Actor } from '../write.ts';
import { ValidationError } from '../rules/errors.ts';
import { checkIdempotencyKey } from '../rules/validation.ts';

export interface IdempotentRequest {
  actor: Actor;
  operation: string;
  key: string;
  /** The input that must be the same on a retry (without the key itself). */
  input: unknown;
  ttlMs: number;
}

/** JSON with object keys sorted and null/undefined members dropped: equal inputs, equal text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== null && v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

const DATE_FIELDS = new Set(['createdAt', 'updatedAt', 'at']);

function reviveDates(key: string, value: unknown): unknown {
  return DATE_FIELDS.has(key) && typeof value === 'string' ? new Date(value) : value;
}

/**
 * Runs `work` once per (actor, operation, key) within the key's lifetime, in the caller's
 * transaction. A retry with the same input gets the stored result (as JSON: dates revived); with a
 * different input, a ValidationError. On PostgreSQL a concurrent retry waits at the insert until
 * the first attempt commits (then reads its result) or rolls back (then does the work itself).
 * `replay` sees a stored result before it is returned: the world may have moved since (the model
 * renamed out of the caller's scope, deleted), and it throws what a fresh request would answer now.
 */
export async function runIdempotent<T>(
  tx: Tx,
  request: IdempotentRequest,
  work: () => Promise<T>,
  replay: (stored: T) => Promise<T> = async (stored) => stored,
): Promise<T> {
  checkIdempotencyKey(request.key);
  const key = { actor: request.actor ?? '', operation: request.operation, key: request.key };
  const requestHash = createHash('sha256').update(canonicalJson(request.input)).digest('hex');
  const ttlSeconds = request.ttlMs / 1000;
  if (!(await store.claimIdempotencyKey(tx, key, requestHash, ttlSeconds))) {
    const stored = await store.lockIdempotencyKey(tx, key);
    if (stored && !stored.expired) {
      if (stored.requestHash !== requestHash) {
        throw new ValidationError(
          'idempotencyKey',
          `idempotencyKey ${JSON.stringify(request.key)} was already used for a different ${request.operation} input; ` +
            'use a new key for a new request',
        );
      }
      return replay(JSON.parse(stored.result, reviveDates) as T);
    }
    // Expired (or removed meanwhile): the key starts a new life.
    await store.renewIdempotencyKey(tx, key, requestHash, ttlSeconds);
  }
  const result = await work();
  await store.storeIdempotencyResult(tx, key, JSON.stringify(result));
  await store.sweepIdempotencyKeys(tx);
  return result;
}

/**
 * Forgets the caller's key before it expires: its result no longer answers a retry, and the next
 * request with the key does the work anew (a front door whose answer reached the client, see
 * src/mlflow/retry-guard.ts).
 */
export function releaseIdempotencyKey(db: Reader, actor: Actor, request: { operation: string; key: string }): Promise<void> {
  return store.deleteIdempotencyKey(db, { actor: actor ?? '', operation: request.operation, key: request.key });
}

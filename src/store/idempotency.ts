// Idempotency keys (src/registry/history/idempotency.ts has the rules). Raw SQL: ON CONFLICT DO NOTHING
// with RETURNING, make_interval on the database clock and FOR UPDATE SKIP LOCKED have no Prisma form.
import { Prisma } from '../generated/prisma/client.ts';
import { type Reader, type Tx, named, prismaOf } from './sql.ts';

/** One key of one actor's operation. */
export interface IdempotencyKey {
  actor: string;
  operation: string;
  key: string;
}

/** The row a key starts its life with: no result yet, expiring `ttlSeconds` from the database's now. */
function newKeyValues(k: IdempotencyKey, requestHash: string, ttlSeconds: number): Prisma.Sql {
  return Prisma.sql`(${k.actor}, ${k.operation}, ${k.key}, ${requestHash}, '',
            clock_timestamp(), clock_timestamp() + make_interval(secs => ${ttlSeconds}))`;
}

/** Inserts the key unless it exists; true when inserted. Waits on a concurrent insert of the same key. */
export async function claimIdempotencyKey(tx: Tx, k: IdempotencyKey, requestHash: string, ttlSeconds: number): Promise<boolean> {
  const inserted = await tx.$queryRaw<{ key: string }[]>(
    named(
      'claimIdempotencyKey',
      Prisma.sql`
    INSERT INTO idempotency_key (actor, operation, key, request_hash, result, created_at, expires_at)
    VALUES ${newKeyValues(k, requestHash, ttlSeconds)}
    ON CONFLICT DO NOTHING RETURNING key`,
    ),
  );
  return inserted.length > 0;
}

/** The key's request and result, locked; undefined when it was removed meanwhile. */
export async function lockIdempotencyKey(
  tx: Tx,
  k: IdempotencyKey,
): Promise<{ requestHash: string; result: string; expired: boolean } | undefined> {
  const [stored] = await tx.$queryRaw<{ requestHash: string; result: string; expired: boolean }[]>(
    named(
      'lockIdempotencyKey',
      Prisma.sql`
    SELECT request_hash AS "requestHash", result, expires_at <= clock_timestamp() AS expired
    FROM idempotency_key WHERE actor = ${k.actor} AND operation = ${k.operation} AND key = ${k.key}
    FOR UPDATE`,
    ),
  );
  return stored;
}

/** Starts the key's life anew (it had expired or was removed). */
export async function renewIdempotencyKey(tx: Tx, k: IdempotencyKey, requestHash: string, ttlSeconds: number): Promise<void> {
  await tx.$executeRaw(
    named(
      'renewIdempotencyKey',
      Prisma.sql`
    INSERT INTO idempotency_key (actor, operation, key, request_hash, result, created_at, expires_at)
    VALUES ${newKeyValues(k, requestHash, ttlSeconds)}
    ON CONFLICT (actor, operation, key) DO UPDATE SET request_hash = EXCLUDED.request_hash, result = '',
      created_at = EXCLUDED.created_at, expires_at = EXCLUDED.expires_at`,
    ),
  );
}

export async function storeIdempotencyResult(tx: Tx, k: IdempotencyKey, result: string): Promise<void> {
  await tx.$executeRaw(
    named(
      'storeIdempotencyResult',
      Prisma.sql`
    UPDATE idempotency_key SET result = ${result}
    WHERE actor = ${k.actor} AND operation = ${k.operation} AND key = ${k.key}`,
    ),
  );
}

/** Removes a few expired keys of anyone; SKIP LOCKED keeps concurrent writers apart. */
export async function sweepIdempotencyKeys(tx: Tx): Promise<void> {
  await tx.$executeRaw(
    named(
      'sweepIdempotencyKeys',
      Prisma.sql`
    DELETE FROM idempotency_key WHERE ctid IN (
      SELECT ctid FROM idempotency_key WHERE expires_at < clock_timestamp() LIMIT 20 FOR UPDATE SKIP LOCKED)`,
    ),
  );
}

/** Forgets one key, whatever its state. */
export async function deleteIdempotencyKey(db: Reader, k: IdempotencyKey): Promise<void> {
  await prismaOf(db).$executeRaw(
    named(
      'deleteIdempotencyKey',
      Prisma.sql`DELETE FROM idempotency_key WHERE actor = ${k.actor} AND operation = ${k.operation} AND key = ${k.key}`,
    ),
  );
}

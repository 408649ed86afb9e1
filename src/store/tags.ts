// Tags of many owners: one index scan per owner through a LATERAL join. Given an IN list of the
// 1,000 version ids of a dashboard, PostgreSQL reads the whole tag table instead, and the list
// costs Prisma one parameter each. The ORDER BY sits inside the LATERAL subquery: without it the
// planner flattens the subquery into a hash join over the whole table again (19 ms against 1.7 ms
// for a dashboard's 3,300 of 60,000 version tags; BENCHMARKS.md steps 2 and 6). Rows come out per
// owner, in key order within each owner; store/aliases.ts loads aliases the same way.
import { type ModelVersionTag, Prisma, type RegisteredModelTag } from '../generated/prisma/client.ts';
import { MODEL_TAG_COLUMNS_SQL, VERSION_TAG_COLUMNS_SQL } from './columns.ts';
import { type Reader, type Tx, queryRows } from './sql.ts';

export function modelTags(db: Reader, modelIds: readonly number[]): Promise<RegisteredModelTag[]> {
  return queryRows<RegisteredModelTag>(
    db,
    Prisma.sql`/* modelTags */
    SELECT ${MODEL_TAG_COLUMNS_SQL}
    FROM unnest(${[...modelIds]}::int[]) AS k(id)
    CROSS JOIN LATERAL (SELECT * FROM registered_model_tag t WHERE t.model_id = k.id ORDER BY t.key) t`,
  );
}

export function versionTags(db: Reader, versionIds: readonly number[]): Promise<ModelVersionTag[]> {
  return queryRows<ModelVersionTag>(
    db,
    Prisma.sql`/* versionTags */
    SELECT ${VERSION_TAG_COLUMNS_SQL}
    FROM unnest(${[...versionIds]}::int[]) AS k(id)
    CROSS JOIN LATERAL (SELECT * FROM model_version_tag t WHERE t.version_id = k.id ORDER BY t.key) t`,
  );
}

// Writes, inside a registry command's transaction, after the model's lock.

export function findModelTag(tx: Tx, modelId: number, key: string): Promise<RegisteredModelTag | null> {
  return tx.registeredModelTag.findUnique({ where: { modelId_key: { modelId, key } } });
}

export function countModelTags(tx: Tx, modelId: number): Promise<number> {
  return tx.registeredModelTag.count({ where: { modelId } });
}

export async function upsertModelTag(tx: Tx, modelId: number, key: string, value: string): Promise<void> {
  await tx.registeredModelTag.upsert({ where: { modelId_key: { modelId, key } }, create: { modelId, key, value }, update: { value } });
}

export async function deleteModelTag(tx: Tx, modelId: number, key: string): Promise<void> {
  await tx.registeredModelTag.delete({ where: { modelId_key: { modelId, key } } });
}

export function findVersionTag(tx: Tx, versionId: number, key: string): Promise<ModelVersionTag | null> {
  return tx.modelVersionTag.findUnique({ where: { versionId_key: { versionId, key } } });
}

export function countVersionTags(tx: Tx, versionId: number): Promise<number> {
  return tx.modelVersionTag.count({ where: { versionId } });
}

export async function upsertVersionTag(tx: Tx, versionId: number, key: string, value: string): Promise<void> {
  await tx.modelVersionTag.upsert({ where: { versionId_key: { versionId, key } }, create: { versionId, key, value }, update: { value } });
}

export async function deleteVersionTag(tx: Tx, versionId: number, key: string): Promise<void> {
  await tx.modelVersionTag.delete({ where: { versionId_key: { versionId, key } } });
}

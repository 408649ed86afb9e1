// Tags of many owners: one index scan per owner through a LATERAL join. Given an IN list of the
// 1,000 version ids of a dashboard, PostgreSQL reads the whole tag table instead, and the list
// costs Prisma one parameter each. The ORDER BY sits inside the LATERAL subquery: without it the
// planner flattens the subquery into a hash join over the whole table again (19 ms against 1.7 ms
// for a dashboard's 3,300 of 60,000 version tags; BENCHMARKS.md steps 2 and 6). Rows come out per
// owner, in key order within each owner; store/aliases.ts loads aliases the same way.
import { type ModelVersionTag, Prisma, type RegisteredModelTag } from '../generated/prisma/client.ts';
import { MODEL_TAG_COLUMNS_SQL, VERSION_TAG_COLUMNS_SQL } from './columns.ts';
import { type Reader, queryRows } from './sql.ts';

export function modelTags(db: Reader, modelIds: readonly number[]): Promise<RegisteredModelTag[]> {
  return queryRows<RegisteredModelTag>(db, Prisma.sql`/* modelTags */
    SELECT ${MODEL_TAG_COLUMNS_SQL}
    FROM unnest(${[...modelIds]}::int[]) AS k(id)
    CROSS JOIN LATERAL (SELECT * FROM registered_model_tag t WHERE t.model_id = k.id ORDER BY t.key) t`);
}

export function versionTags(db: Reader, versionIds: readonly number[]): Promise<ModelVersionTag[]> {
  return queryRows<ModelVersionTag>(db, Prisma.sql`/* versionTags */
    SELECT ${VERSION_TAG_COLUMNS_SQL}
    FROM unnest(${[...versionIds]}::int[]) AS k(id)
    CROSS JOIN LATERAL (SELECT * FROM model_version_tag t WHERE t.version_id = k.id ORDER BY t.key) t`);
}

// Registered models: the models page with its count, and batch loads by id and by name.
import { Prisma, type RegisteredModel } from '../generated/prisma/client.ts';
import { escapeLike, namePatternsSql } from '../registry/name-patterns.ts';
import type { Page, SortKey } from '../registry/paging.ts';
import { MODEL_COLUMNS_SQL, modelRows } from './columns.ts';
import { type PageArgs, type Scope, type TagFilter, storable, tagFiltersSql } from './filters.ts';
import { keysetPage, keysetSql } from './keyset.ts';
import { type Reader, prismaOf, queryRows } from './sql.ts';

export type ModelOrder = 'NAME_ASC' | 'NAME_DESC' | 'UPDATED_AT_DESC' | 'CREATED_AT_DESC';
type ModelSortField = 'name' | 'updatedAt' | 'createdAt' | 'id';
export const MODEL_SORT: Record<ModelOrder, SortKey<ModelSortField>> = {
  NAME_ASC: [{ field: 'name', direction: 'asc' }],
  NAME_DESC: [{ field: 'name', direction: 'desc' }],
  UPDATED_AT_DESC: [
    { field: 'updatedAt', direction: 'desc' },
    { field: 'id', direction: 'desc' },
  ],
  CREATED_AT_DESC: [
    { field: 'createdAt', direction: 'desc' },
    { field: 'id', direction: 'desc' },
  ],
};

export interface ModelFilter {
  nameContains?: string | null;
  tags?: readonly TagFilter[] | null;
  hasAlias?: string | null;
}

const MODEL_SORT_COLUMNS: Record<ModelSortField, Prisma.Sql> = {
  name: Prisma.sql`m.name`,
  updatedAt: Prisma.sql`m.updated_at`,
  createdAt: Prisma.sql`m.created_at`,
  id: Prisma.sql`m.id`,
};

/** The models that match `filter` within `scope`, as SQL over `registered_model m`; null: none can. */
function modelFilterSql(filter: ModelFilter | null | undefined, scope: Scope): Prisma.Sql | null {
  const tags = tagFiltersSql(filter?.tags, Prisma.sql`registered_model_tag t WHERE t.model_id = m.id`);
  if (!tags || !storable(filter?.nameContains, filter?.hasAlias)) return null;
  const parts = [Prisma.sql`TRUE`];
  if (scope) parts.push(namePatternsSql(scope, Prisma.sql`m.name`));
  // A substring, not a pattern: LIKE's wildcards and escape character are matched literally.
  if (filter?.nameContains != null) parts.push(Prisma.sql`m.name ILIKE ${`%${escapeLike(filter.nameContains)}%`}`);
  parts.push(...tags);
  if (filter?.hasAlias != null) {
    parts.push(Prisma.sql`EXISTS (SELECT 1 FROM model_alias a WHERE a.model_id = m.id AND a.alias = ${filter.hasAlias})`);
  }
  return Prisma.join(parts, ' AND ');
}

/** Raw rather than findMany: the first statement of every dashboard (Prisma's mapping costs 1 ms per 100 rows). */
export async function listModels(
  db: Reader,
  args: PageArgs<ModelOrder> & { filter?: ModelFilter | null; scope?: Scope },
): Promise<Page<RegisteredModel>> {
  const where = modelFilterSql(args.filter, args.scope);
  if (!where) return { rows: [], hasNextPage: false };
  const sorted = keysetSql(MODEL_SORT[args.orderBy ?? 'NAME_ASC'], args.after, MODEL_SORT_COLUMNS);
  return keysetPage(db, 'listModels', Prisma.sql`${MODEL_COLUMNS_SQL} FROM registered_model m`, where, sorted, args.first, modelRows);
}

export async function countModels(db: Reader, filter: ModelFilter | null | undefined, scope?: Scope): Promise<number> {
  const where = modelFilterSql(filter, scope);
  if (!where) return 0;
  const rows = await queryRows<{ n: number }>(db, Prisma.sql`/* countModels */
    SELECT count(*)::int AS n FROM registered_model m WHERE ${where}`);
  return rows[0].n;
}

export function modelsByIds(db: Reader, ids: readonly number[]): Promise<RegisteredModel[]> {
  return prismaOf(db).registeredModel.findMany({ where: { id: { in: [...ids] } } });
}

/** Raw rather than findMany: this is every lookup's first statement, and Prisma's own cost per query is most of it. */
export async function modelsByNames(db: Reader, names: readonly string[]): Promise<RegisteredModel[]> {
  const wanted = names.filter((n) => storable(n));
  if (wanted.length === 0) return [];
  return modelRows(await queryRows<RegisteredModel>(db, Prisma.sql`/* modelsByNames */
    SELECT ${MODEL_COLUMNS_SQL} FROM registered_model m WHERE m.name = ANY(${wanted}::text[])`));
}

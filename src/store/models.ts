// Registered models: the models page with its count, and batch loads by id and by name.
import { Prisma, type RegisteredModel } from '../generated/prisma/client.ts';
import { escapeLike, namePatternsSql } from '../registry/rules/name-patterns.ts';
import type { Page, SortKey } from '../registry/rules/paging.ts';
import { MODEL_COLUMNS_SQL, modelRows } from './columns.ts';
import { type PageArgs, type Scope, type TagFilter, storable, tagFiltersSql } from './filters.ts';
import { keysetPage, keysetSql } from './keyset.ts';
import { type Reader, type Tx, named, prismaOf, queryRows } from './sql.ts';

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
  const rows = await queryRows<{ n: number }>(
    db,
    Prisma.sql`/* countModels */
    SELECT count(*)::int AS n FROM registered_model m WHERE ${where}`,
  );
  return rows[0].n;
}

export function modelsByIds(db: Reader, ids: readonly number[]): Promise<RegisteredModel[]> {
  return prismaOf(db).registeredModel.findMany({ where: { id: { in: [...ids] } } });
}

/** Raw rather than findMany: this is every lookup's first statement, and Prisma's own cost per query is most of it. */
export async function modelsByNames(db: Reader, names: readonly string[]): Promise<RegisteredModel[]> {
  const wanted = names.filter((n) => storable(n));
  if (wanted.length === 0) return [];
  return modelRows(
    await queryRows<RegisteredModel>(
      db,
      Prisma.sql`/* modelsByNames */
    SELECT ${MODEL_COLUMNS_SQL} FROM registered_model m WHERE m.name = ANY(${wanted}::text[])`,
    ),
  );
}

// Writes. Each runs inside a registry command's transaction, after the model's lock (lockModel).

/**
 * Locks the model row for the rest of the transaction, and reads the database clock after the
 * lock (so per model `at` never runs backwards as `sequence` grows). Null: no such model.
 */
export async function lockModel(tx: Tx, name: string): Promise<{ model: RegisteredModel; now: Date } | null> {
  const rows = await tx.$queryRaw<(RegisteredModel & { now: Date })[]>(
    named(
      'lockModel',
      Prisma.sql`
    SELECT ${MODEL_COLUMNS_SQL}, clock_timestamp() AS now FROM registered_model m WHERE m.name = ${name} FOR UPDATE`,
    ),
  );
  const row = rows[0];
  if (!row) return null;
  const { now, ...model } = row;
  return { model: modelRows([model])[0], now: new Date(now) };
}

export async function modelNameTaken(tx: Tx, name: string): Promise<boolean> {
  return (await tx.registeredModel.findUnique({ where: { name }, select: { id: true } })) !== null;
}

export function findModel(tx: Tx, id: number): Promise<RegisteredModel | null> {
  return tx.registeredModel.findUnique({ where: { id } });
}

/** The model with its tags, in one Prisma create. */
export function insertModel(
  tx: Tx,
  model: { name: string; description: string | null; tags: readonly { key: string; value: string }[] },
  now: Date,
): Promise<RegisteredModel> {
  return tx.registeredModel.create({
    data: {
      name: model.name,
      description: model.description,
      createdAt: now,
      updatedAt: now,
      tags: { create: model.tags.map((t) => ({ key: t.key, value: t.value })) },
    },
  });
}

export function updateModelDescription(tx: Tx, id: number, description: string | null, now: Date): Promise<RegisteredModel> {
  return tx.registeredModel.update({ where: { id }, data: { description, updatedAt: now } });
}

export function renameModel(tx: Tx, id: number, name: string, now: Date): Promise<RegisteredModel> {
  return tx.registeredModel.update({ where: { id }, data: { name, updatedAt: now } });
}

/** Records that version `lastVersion` was handed out: numbers are never reused. */
export function setLastVersion(tx: Tx, id: number, lastVersion: number, now: Date): Promise<RegisteredModel> {
  return tx.registeredModel.update({ where: { id }, data: { lastVersion, updatedAt: now } });
}

/** Marks the model changed (any change to it, its tags, aliases or versions) and returns it. */
export function touchModel(tx: Tx, id: number, now: Date): Promise<RegisteredModel> {
  return tx.registeredModel.update({ where: { id }, data: { updatedAt: now } });
}

/** Versions, tags and aliases go by ON DELETE CASCADE; the events stay (they have no foreign key). */
export async function deleteModel(tx: Tx, id: number): Promise<void> {
  await tx.registeredModel.delete({ where: { id } });
}

export function countModelVersions(tx: Tx, modelId: number): Promise<number> {
  return tx.modelVersion.count({ where: { modelId } });
}

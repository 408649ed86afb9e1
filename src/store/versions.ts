// Model versions: listings across models or of one, pages and counts for many models at once, and
// batch loads by id and by number.
import {
  type ModelVersion,
  type ModelVersionStage,
  type ModelVersionStatus,
  Prisma,
  type RegisteredModel,
} from '../generated/prisma/client.ts';
import { namePatternsSql } from '../registry/rules/name-patterns.ts';
import type { Page, SortKey } from '../registry/rules/paging.ts';
import {
  type JsonRow,
  type OptionalVersionColumn,
  VERSION_COLUMNS_SQL,
  modelOfJson,
  versionColumnsSql,
  versionOfJson,
  versionRows,
} from './columns.ts';
import { type PageArgs, type Scope, type TagFilter, storable, tagFiltersSql } from './filters.ts';
import { keysetPage, keysetPagesOfModels, keysetSql } from './keyset.ts';
import { type Reader, type Tx, named, prismaOf, queryRows } from './sql.ts';

export type VersionOrder = 'VERSION_DESC' | 'VERSION_ASC' | 'CREATED_AT_DESC';
type VersionSortField = 'version' | 'createdAt' | 'id';
export const VERSION_SORT: Record<VersionOrder, SortKey<VersionSortField>> = {
  VERSION_DESC: [
    { field: 'version', direction: 'desc' },
    { field: 'id', direction: 'desc' },
  ],
  VERSION_ASC: [
    { field: 'version', direction: 'asc' },
    { field: 'id', direction: 'asc' },
  ],
  CREATED_AT_DESC: [
    { field: 'createdAt', direction: 'desc' },
    { field: 'id', direction: 'desc' },
  ],
};

/**
 * Sort keys within one model: the version number is unique there, so a cursor taken from one
 * model's page means the same position in every model's page.
 */
export const VERSION_IN_MODEL_SORT: Record<VersionOrder, SortKey<VersionSortField>> = {
  VERSION_DESC: [{ field: 'version', direction: 'desc' }],
  VERSION_ASC: [{ field: 'version', direction: 'asc' }],
  CREATED_AT_DESC: [
    { field: 'createdAt', direction: 'desc' },
    { field: 'version', direction: 'desc' },
  ],
};

const VERSION_SORT_COLUMNS: Record<VersionSortField, Prisma.Sql> = {
  version: Prisma.sql`v.version`,
  createdAt: Prisma.sql`v.created_at`,
  id: Prisma.sql`v.id`,
};

export interface VersionFilter {
  runId?: string | null;
  status?: ModelVersionStatus | null;
  tags?: readonly TagFilter[] | null;
}

/** The versions that match `filter`, as SQL over `model_version v`; null: none can. */
function versionFilterSql(filter: VersionFilter | null | undefined): Prisma.Sql | null {
  const tags = tagFiltersSql(filter?.tags, Prisma.sql`model_version_tag t WHERE t.version_id = v.id`);
  if (!tags || !storable(filter?.runId)) return null;
  const parts = [Prisma.sql`TRUE`];
  if (filter?.runId != null) parts.push(Prisma.sql`v.run_id = ${filter.runId}`);
  if (filter?.status != null) parts.push(Prisma.sql`v.status = ${filter.status}::"ModelVersionStatus"`);
  parts.push(...tags);
  return Prisma.join(parts, ' AND ');
}

/**
 * The versions that match `filter`, of the model `name` if given, within `scope`, as SQL over
 * `model_version v`; null: none can.
 */
function versionsSql(name: string | null | undefined, filter: VersionFilter | null | undefined, scope: Scope): Prisma.Sql | null {
  const where = versionFilterSql(filter);
  if (!where || !storable(name)) return null;
  if (name == null && !scope) return where;
  const named = name == null ? Prisma.empty : Prisma.sql`AND m.name = ${name}`;
  const inScope = scope ? Prisma.sql`AND ${namePatternsSql(scope, Prisma.sql`m.name`)}` : Prisma.empty;
  return Prisma.sql`${where} AND v.model_id IN (SELECT m.id FROM registered_model m WHERE TRUE ${named} ${inScope})`;
}

/** Versions across models (or of the model `name`): newest first by default. */
export async function listVersions(
  db: Reader,
  args: PageArgs<VersionOrder> & { name?: string | null; filter?: VersionFilter | null; scope?: Scope },
): Promise<Page<ModelVersion>> {
  const where = versionsSql(args.name, args.filter, args.scope);
  if (!where) return { rows: [], hasNextPage: false };
  const sorted = keysetSql(VERSION_SORT[args.orderBy ?? 'CREATED_AT_DESC'], args.after, VERSION_SORT_COLUMNS);
  return keysetPage(db, 'listVersions', Prisma.sql`${VERSION_COLUMNS_SQL} FROM model_version v`, where, sorted, args.first, versionRows);
}

export async function countVersions(
  db: Reader,
  args: { name?: string | null; filter?: VersionFilter | null; scope?: Scope },
): Promise<number> {
  const where = versionsSql(args.name, args.filter, args.scope);
  if (!where) return 0;
  const rows = await queryRows<{ n: number }>(
    db,
    Prisma.sql`/* countVersions */
    SELECT count(*)::int AS n FROM model_version v WHERE ${where}`,
  );
  return rows[0].n;
}

/** One page of versions for each of many models, in one statement (through the (model_id, version) index). */
export async function listVersionsOfModels(
  db: Reader,
  modelIds: readonly number[],
  args: PageArgs<VersionOrder> & { filter?: VersionFilter | null },
  columns: readonly OptionalVersionColumn[] | null = null,
): Promise<Map<number, Page<ModelVersion>>> {
  const where = versionFilterSql(args.filter);
  if (!where) return new Map(modelIds.map((id) => [id, { rows: [], hasNextPage: false }]));
  const sorted = keysetSql(VERSION_IN_MODEL_SORT[args.orderBy ?? 'VERSION_DESC'], args.after, VERSION_SORT_COLUMNS);
  const from = { columns: versionColumnsSql(columns), table: Prisma.sql`model_version`, alias: Prisma.sql`v` };
  return keysetPagesOfModels(db, 'listVersionsOfModels', from, modelIds, where, sorted, args.first, versionRows);
}

export async function countVersionsOfModels(
  db: Reader,
  modelIds: readonly number[],
  filter: VersionFilter | null | undefined,
): Promise<Map<number, number>> {
  const where = versionFilterSql(filter);
  if (!where) return new Map();
  const rows = await queryRows<{ modelId: number; n: number }>(
    db,
    Prisma.sql`/* countVersionsOfModels */
    SELECT v.model_id AS "modelId", count(*)::int AS n FROM model_version v
    WHERE v.model_id = ANY(${[...modelIds]}::int[]) AND ${where}
    GROUP BY v.model_id`,
  );
  return new Map(rows.map((r) => [r.modelId, r.n]));
}

export function versionsByIds(db: Reader, ids: readonly number[]): Promise<ModelVersion[]> {
  return prismaOf(db).modelVersion.findMany({ where: { id: { in: [...ids] } } });
}

export function versionsByNumbers(db: Reader, keys: readonly { modelId: number; version: number }[]): Promise<ModelVersion[]> {
  return prismaOf(db).modelVersion.findMany({
    where: { modelId: { in: unique(keys.map((k) => k.modelId)) }, version: { in: unique(keys.map((k) => k.version)) } },
  });
}

/** The highest existing version number of each model (models without versions are absent). */
export async function latestVersionNumbers(db: Reader, modelIds: readonly number[]): Promise<Map<number, number>> {
  const groups = await prismaOf(db).modelVersion.groupBy({
    by: ['modelId'],
    where: { modelId: { in: [...modelIds] } },
    _max: { version: true },
  });
  return new Map(groups.flatMap((g) => (g._max.version == null ? [] : [[g.modelId, g._max.version] as const])));
}

/**
 * The highest version of the model in each of `stages` (every stage when none are given, NONE
 * included), in stage order: MLflow's get-latest-versions.
 */
export function latestVersionsByStage(db: Reader, modelId: number, stages?: readonly ModelVersionStage[] | null): Promise<ModelVersion[]> {
  const inStages = stages?.length ? Prisma.sql`AND v.stage::text = ANY(${[...stages]}::text[])` : Prisma.empty;
  return queryRows<ModelVersion>(
    db,
    Prisma.sql`/* latestVersionsByStage */
    SELECT DISTINCT ON (v.stage) ${VERSION_COLUMNS_SQL} FROM model_version v
    WHERE v.model_id = ${modelId} ${inStages}
    ORDER BY v.stage, v.version DESC`,
  ).then(versionRows);
}

/**
 * latestVersionsByStage of many models in one statement, within `scope` (models outside it have
 * none): ordered by model, then stage. DISTINCT ON (model_id, stage) keeps the first row of each
 * group, the highest version, after one scan of the models' versions through the (model_id,
 * version) index, as the one-model read does.
 */
export async function latestVersionsByStageOfModels(
  db: Reader,
  modelIds: readonly number[],
  stages?: readonly ModelVersionStage[] | null,
  scope?: Scope,
): Promise<ModelVersion[]> {
  if (modelIds.length === 0) return [];
  const inStages = stages?.length ? Prisma.sql`AND v.stage::text = ANY(${[...stages]}::text[])` : Prisma.empty;
  const inScope = scope
    ? Prisma.sql`AND v.model_id IN (SELECT m.id FROM registered_model m WHERE ${namePatternsSql(scope, Prisma.sql`m.name`)})`
    : Prisma.empty;
  return versionRows(
    await queryRows<ModelVersion>(
      db,
      Prisma.sql`/* latestVersionsByStageOfModels */
    SELECT DISTINCT ON (v.model_id, v.stage) ${VERSION_COLUMNS_SQL} FROM model_version v
    WHERE v.model_id = ANY(${unique(modelIds)}::int[]) ${inStages} ${inScope}
    ORDER BY v.model_id, v.stage, v.version DESC`,
    ),
  );
}

export interface StageAtKey {
  modelId: number;
  stage: ModelVersionStage;
  at: Date;
}

/**
 * Time travel: for each (model, stage, instant), the highest version of the model that was in that
 * stage then, as it is now (null: none was, or it has been deleted since), within `scope`. Answered
 * from history, in one statement for all keys: per key, the model's version events at or before
 * the instant (through the (model_id, sequence) index), the last one per version number giving its
 * state then: VERSION_CREATED / VERSION_IMPORTED put it in NONE, VERSION_STAGE_CHANGED in its
 * newValue, VERSION_DELETED removes it. A version never transitioned is in NONE from its creation.
 */
export async function versionsInStageAt(db: Reader, keys: readonly StageAtKey[], scope?: Scope): Promise<(ModelVersion | null)[]> {
  if (keys.length === 0) return [];
  const inScope = scope
    ? Prisma.sql`AND v.model_id IN (SELECT m.id FROM registered_model m WHERE ${namePatternsSql(scope, Prisma.sql`m.name`)})`
    : Prisma.empty;
  const rows = versionRows(
    await queryRows<ModelVersion & { i: number }>(
      db,
      Prisma.sql`/* versionsInStageAt */
    SELECT k.i, ${VERSION_COLUMNS_SQL}
    FROM unnest(${keys.map((k) => k.modelId)}::int[], ${keys.map((k) => k.stage)}::text[],
                ${keys.map((k) => k.at.toISOString())}::timestamptz[], ${keys.map((_k, i) => i)}::int[])
         AS k(model_id, stage, at, i)
    CROSS JOIN LATERAL (
      SELECT s.version FROM (
        SELECT DISTINCT ON (e.version) e.version, e.action, e.new_value
        FROM audit_event e
        WHERE e.model_id = k.model_id AND e.at <= k.at
          AND e.action IN ('VERSION_CREATED', 'VERSION_IMPORTED', 'VERSION_STAGE_CHANGED', 'VERSION_DELETED')
        ORDER BY e.version, e.sequence DESC
      ) s
      WHERE CASE s.action WHEN 'VERSION_DELETED' THEN NULL WHEN 'VERSION_STAGE_CHANGED' THEN s.new_value ELSE 'NONE' END = k.stage
      ORDER BY s.version DESC LIMIT 1
    ) s
    JOIN model_version v ON v.model_id = k.model_id AND v.version = s.version
    WHERE TRUE ${inScope}`,
    ),
  );
  const found = new Map(rows.map(({ i, ...v }) => [Number(i), v]));
  return keys.map((_k, i) => found.get(i) ?? null);
}

function unique<T>(values: readonly T[]): T[] {
  return [...new Set(values)];
}

// Writes, inside a registry command's transaction, after the model's lock.

export interface NewVersion {
  modelId: number;
  version: number;
  source: string;
  runId: string | null;
  runLink: string | null;
  description: string | null;
  storageLocation: string | null;
  tags: readonly { key: string; value: string }[];
}

/**
 * A new version with its tags and events in one statement (the function of migration
 * 20261202080000): the model's lock, the next number, the rows and the history, atomic on their own.
 * Null: no model of that name.
 */
export async function createVersionInOneStatement(
  db: Reader,
  version: Omit<NewVersion, 'modelId' | 'version'> & { name: string; actor: string | null },
): Promise<{ model: RegisteredModel; version: ModelVersion } | null> {
  const [row] = await queryRows<{ outcome: string; model: JsonRow; version: JsonRow }>(
    db,
    named(
      'createVersion',
      Prisma.sql`SELECT * FROM registry_create_model_version(${version.name}, ${version.source}, ${version.runId}, ${version.runLink},
        ${version.description}, ${version.storageLocation}, ${version.tags.map((t) => t.key)}::text[],
        ${version.tags.map((t) => t.value)}::text[], ${version.actor})`,
    ),
  );
  const model = modelOfJson(row.model);
  const created = versionOfJson(row.version);
  return row.outcome === 'created' && model && created ? { model, version: created } : null;
}

/** The version with its tags, in one Prisma create. */
export function insertVersion(tx: Tx, version: NewVersion, now: Date): Promise<ModelVersion> {
  const { tags, ...fields } = version;
  return tx.modelVersion.create({
    data: {
      ...fields,
      status: 'READY',
      createdAt: now,
      updatedAt: now,
      tags: { create: tags.map((t) => ({ key: t.key, value: t.value })) },
    },
  });
}

export function findVersion(tx: Tx, modelId: number, version: number): Promise<ModelVersion | null> {
  return tx.modelVersion.findUnique({ where: { modelId_version: { modelId, version } } });
}

export async function versionExists(tx: Tx, id: number): Promise<boolean> {
  return (await tx.modelVersion.findUnique({ where: { id }, select: { id: true } })) !== null;
}

export type VersionFields = Partial<Pick<ModelVersion, 'description' | 'status' | 'statusMessage' | 'stage'>>;

export function updateVersion(tx: Tx, id: number, fields: VersionFields, now: Date): Promise<ModelVersion> {
  return tx.modelVersion.update({ where: { id }, data: { ...fields, updatedAt: now } });
}

/** The version `version` of the model now named `name`, outside the command's own model lock. */
export function findVersionOfModel(db: Reader, name: string, version: number): Promise<ModelVersion | null> {
  return prismaOf(db).modelVersion.findFirst({ where: { version, model: { name } } });
}

/** Moves the model's versions in `stage`, except `exceptId`, to ARCHIVED; returns their numbers. */
export async function archiveVersionsInStage(
  tx: Tx,
  args: { modelId: number; stage: ModelVersionStage; exceptId: number },
  now: Date,
): Promise<number[]> {
  const archived = await tx.modelVersion.updateManyAndReturn({
    where: { modelId: args.modelId, stage: args.stage, id: { not: args.exceptId } },
    data: { stage: 'ARCHIVED', updatedAt: now },
    select: { version: true },
  });
  return archived.map((v) => v.version).sort((a, b) => a - b);
}

/** Marks the version changed (its tags) and returns it. */
export function touchVersion(tx: Tx, id: number, now: Date): Promise<ModelVersion> {
  return tx.modelVersion.update({ where: { id }, data: { updatedAt: now } });
}

/** Its tags and the aliases on it go by ON DELETE CASCADE. */
export async function deleteVersion(tx: Tx, id: number): Promise<void> {
  await tx.modelVersion.delete({ where: { id } });
}

// Reads: paged listings with filters, and batch loads by key for the GraphQL layer's DataLoaders.
// Every batch function answers many keys with one statement, so nested queries cost a number of
// statements bounded by their depth, not by the number of rows.
import {
  type AuditAction,
  AuditAction as AuditActionValues,
  type AuditEvent,
  type ModelAlias,
  type ModelVersion,
  type ModelVersionStatus,
  type ModelVersionTag,
  Prisma,
  type PrismaClient,
  type RegisteredModel,
  type RegisteredModelTag,
} from '../generated/prisma/client.ts';
import type { Tx } from './context.ts';
import { type NamePattern, namePatternFilters, namePatternsSql } from './name-patterns.ts';
import { type Page, type SortKey, afterCursorWhere, decodeCursor, toPage } from './paging.ts';
import { queryRows, withDates } from './sql.ts';
import { checkEnumList, checkTagFilters, isStorableText } from './validation.ts';

export type Reader = PrismaClient | Tx;

export interface TagFilter {
  key: string;
  value?: string | null;
}

export interface PageArgs<O> {
  first: number;
  after?: string | null;
  orderBy?: O | null;
}

/** A filter holding text PostgreSQL cannot store matches nothing; it must not reach the database. */
function storable(...values: (string | null | undefined)[]): boolean {
  return values.every((v) => v == null || isStorableText(v));
}

function tagsStorable(tags: readonly TagFilter[] | null | undefined): boolean {
  return (tags ?? []).every((t) => storable(t.key, t.value));
}

/**
 * The models a reader may see, as name patterns; null: every model. Listings filter by it in SQL,
 * so pages and counts never include what is out of scope.
 */
export type Scope = readonly NamePattern[] | null | undefined;

// ---- Registered models

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

/** A RegisteredModel's columns, from `registered_model m`, for raw statements. */
export const MODEL_COLUMNS_SQL = Prisma.sql`m.id, m.name, m.description, m.created_at AS "createdAt",
  m.updated_at AS "updatedAt", m.last_version AS "lastVersion"`;

const MODEL_SORT_COLUMNS: Record<ModelSortField, Prisma.Sql> = {
  name: Prisma.sql`m.name`,
  updatedAt: Prisma.sql`m.updated_at`,
  createdAt: Prisma.sql`m.created_at`,
  id: Prisma.sql`m.id`,
};

/** The models that match `filter` within `scope`, as SQL over `registered_model m`; null: none can. */
function modelFilterSql(filter: ModelFilter | null | undefined, scope: Scope): Prisma.Sql | null {
  checkTagFilters(filter?.tags);
  if (!storable(filter?.nameContains, filter?.hasAlias) || !tagsStorable(filter?.tags)) return null;
  const parts = [Prisma.sql`TRUE`];
  if (scope) parts.push(namePatternsSql(scope, Prisma.sql`m.name`));
  if (filter?.nameContains != null) {
    // A substring, not a pattern: LIKE's wildcards and escape character are matched literally.
    const literal = filter.nameContains.replace(/[\\%_]/g, (c) => `\\${c}`);
    parts.push(Prisma.sql`m.name ILIKE ${`%${literal}%`}`);
  }
  for (const tag of filter?.tags ?? []) {
    const value = tag.value == null ? Prisma.empty : Prisma.sql`AND t.value = ${tag.value}`;
    parts.push(Prisma.sql`EXISTS (SELECT 1 FROM registered_model_tag t WHERE t.model_id = m.id AND t.key = ${tag.key} ${value})`);
  }
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
  return keysetPage<RegisteredModel>(db, Prisma.sql`${MODEL_COLUMNS_SQL} FROM registered_model m`, where, sorted, args.first);
}

export async function countModels(db: Reader, filter: ModelFilter | null | undefined, scope?: Scope): Promise<number> {
  const where = modelFilterSql(filter, scope);
  if (!where) return 0;
  const rows = await queryRows<{ n: number }>(db, Prisma.sql`SELECT count(*)::int AS n FROM registered_model m WHERE ${where}`);
  return rows[0].n;
}

// ---- Model versions

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

export interface VersionFilter {
  runId?: string | null;
  status?: ModelVersionStatus | null;
  tags?: readonly TagFilter[] | null;
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
  const sorted = keysetSql(VERSION_SORT[args.orderBy ?? 'CREATED_AT_DESC'], args.after, VERSION_COLUMNS);
  return keysetPage<ModelVersion>(db, Prisma.sql`${VERSION_COLUMNS_SQL} FROM model_version v`, where, sorted, args.first);
}

export async function countVersions(
  db: Reader,
  args: { name?: string | null; filter?: VersionFilter | null; scope?: Scope },
): Promise<number> {
  const where = versionsSql(args.name, args.filter, args.scope);
  if (!where) return 0;
  const rows = await queryRows<{ n: number }>(db, Prisma.sql`SELECT count(*)::int AS n FROM model_version v WHERE ${where}`);
  return rows[0].n;
}

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

const VERSION_COLUMNS: Record<VersionSortField, Prisma.Sql> = {
  version: Prisma.sql`v.version`,
  createdAt: Prisma.sql`v.created_at`,
  id: Prisma.sql`v.id`,
};

/** ORDER BY and "after the cursor" for a sort key whose fields all run the same direction. */
function keysetSql<F extends string>(key: SortKey<F>, after: string | null | undefined, columns: Record<F, Prisma.Sql>) {
  const direction = key[0].direction === 'asc' ? Prisma.sql`ASC` : Prisma.sql`DESC`;
  const orderBy = Prisma.join(key.map((k) => Prisma.sql`${columns[k.field]} ${direction}`));
  if (!after) return { orderBy, after: Prisma.empty };
  const values = decodeCursor(after, key).map((v) =>
    v instanceof Date ? Prisma.sql`${v.toISOString()}::timestamptz` : Prisma.sql`${v}`,
  );
  const keyColumns = Prisma.join(key.map((k) => columns[k.field]));
  const operator = key[0].direction === 'asc' ? Prisma.sql`>` : Prisma.sql`<`;
  return { orderBy, after: Prisma.sql`AND (${keyColumns}) ${operator} (${Prisma.join(values)})` };
}

/** One page of `SELECT <from>` rows matching `where`, in keyset order (`sorted`), timestamps as Dates. */
async function keysetPage<T extends { createdAt: Date; updatedAt: Date }>(
  db: Reader,
  from: Prisma.Sql,
  where: Prisma.Sql,
  sorted: ReturnType<typeof keysetSql>,
  first: number,
): Promise<Page<T>> {
  const rows = await queryRows<T>(db, Prisma.sql`
    SELECT ${from} WHERE ${where} ${sorted.after} ORDER BY ${sorted.orderBy} LIMIT ${first + 1}`);
  return toPage(withDates(rows, 'createdAt', 'updatedAt'), first);
}

/** The versions that match `filter`, as SQL over `model_version v`; null: none can. */
function versionFilterSql(filter: VersionFilter | null | undefined): Prisma.Sql | null {
  checkTagFilters(filter?.tags);
  if (!storable(filter?.runId) || !tagsStorable(filter?.tags)) return null;
  const parts = [Prisma.sql`TRUE`];
  if (filter?.runId != null) parts.push(Prisma.sql`v.run_id = ${filter.runId}`);
  if (filter?.status != null) parts.push(Prisma.sql`v.status = ${filter.status}::"ModelVersionStatus"`);
  for (const tag of filter?.tags ?? []) {
    const value = tag.value == null ? Prisma.empty : Prisma.sql`AND t.value = ${tag.value}`;
    parts.push(Prisma.sql`EXISTS (SELECT 1 FROM model_version_tag t WHERE t.version_id = v.id AND t.key = ${tag.key} ${value})`);
  }
  return Prisma.join(parts, ' AND ');
}

/** A ModelVersion's columns, from `model_version v`, for raw statements. */
export const VERSION_COLUMNS_SQL = Prisma.sql`v.id, v.model_id AS "modelId", v.version, v.source, v.run_id AS "runId",
  v.run_link AS "runLink", v.description, v.status::text AS status, v.status_message AS "statusMessage",
  v.created_at AS "createdAt", v.updated_at AS "updatedAt"`;

/**
 * One page of versions for each of many models, in one statement (a dashboard's nested lists):
 * a LATERAL subquery per model reads only that model's first rows through the
 * (model_id, version) index, however many versions the models have.
 */
export async function listVersionsOfModels(
  db: Reader,
  modelIds: readonly number[],
  args: PageArgs<VersionOrder> & { filter?: VersionFilter | null },
): Promise<Map<number, Page<ModelVersion>>> {
  const where = versionFilterSql(args.filter);
  if (!where) return new Map(modelIds.map((id) => [id, { rows: [], hasNextPage: false }]));
  const sql = keysetSql(VERSION_IN_MODEL_SORT[args.orderBy ?? 'VERSION_DESC'], args.after, VERSION_COLUMNS);
  const rows = await queryRows<ModelVersion>(db, Prisma.sql`
    SELECT ${VERSION_COLUMNS_SQL}
    FROM unnest(${[...modelIds]}::int[]) AS m(id)
    CROSS JOIN LATERAL (
      SELECT * FROM model_version v
      WHERE v.model_id = m.id AND ${where} ${sql.after}
      ORDER BY ${sql.orderBy}
      LIMIT ${args.first + 1}
    ) v`);
  const byModel = groupBy(
    withDates(rows, 'createdAt', 'updatedAt'),
    (v) => v.modelId,
  );
  return new Map(modelIds.map((id) => [id, toPage(byModel.get(id) ?? [], args.first)]));
}

export async function countVersionsOfModels(
  db: Reader,
  modelIds: readonly number[],
  filter: VersionFilter | null | undefined,
): Promise<Map<number, number>> {
  const where = versionFilterSql(filter);
  if (!where) return new Map();
  const rows = await queryRows<{ modelId: number; n: number }>(db, Prisma.sql`
    SELECT v.model_id AS "modelId", count(*)::int AS n FROM model_version v
    WHERE v.model_id = ANY(${[...modelIds]}::int[]) AND ${where}
    GROUP BY v.model_id`);
  return new Map(rows.map((r) => [r.modelId, r.n]));
}

// ---- Batch loads by key

export function modelsByIds(db: Reader, ids: readonly number[]): Promise<RegisteredModel[]> {
  return db.registeredModel.findMany({ where: { id: { in: [...ids] } } });
}

/** Raw rather than findMany: this is every lookup's first statement, and Prisma's own cost per query is most of it. */
export async function modelsByNames(db: Reader, names: readonly string[]): Promise<RegisteredModel[]> {
  const wanted = names.filter((n) => storable(n));
  if (wanted.length === 0) return [];
  const rows = await queryRows<RegisteredModel>(db, Prisma.sql`
    SELECT ${MODEL_COLUMNS_SQL} FROM registered_model m WHERE m.name = ANY(${wanted}::text[])`);
  return withDates(rows, 'createdAt', 'updatedAt');
}

export function versionsByIds(db: Reader, ids: readonly number[]): Promise<ModelVersion[]> {
  return db.modelVersion.findMany({ where: { id: { in: [...ids] } } });
}

export function versionsByNumbers(db: Reader, keys: readonly { modelId: number; version: number }[]): Promise<ModelVersion[]> {
  return db.modelVersion.findMany({
    where: { modelId: { in: unique(keys.map((k) => k.modelId)) }, version: { in: unique(keys.map((k) => k.version)) } },
  });
}

/** The highest existing version number of each model (models without versions are absent). */
export async function latestVersionNumbers(db: Reader, modelIds: readonly number[]): Promise<Map<number, number>> {
  const groups = await db.modelVersion.groupBy({
    by: ['modelId'],
    where: { modelId: { in: [...modelIds] } },
    _max: { version: true },
  });
  return new Map(groups.flatMap((g) => (g._max.version == null ? [] : [[g.modelId, g._max.version] as const])));
}

// Tags and aliases of many owners: one index scan per owner through a LATERAL join. Given an IN
// list of the 1,000 version ids of a dashboard, PostgreSQL reads the whole tag table instead, and
// the list costs Prisma one parameter each. The ORDER BY sits inside the LATERAL subquery: without
// it the planner flattens the subquery into a hash join over the whole table again (19 ms against
// 1.7 ms for a dashboard's 3,300 of 60,000 version tags; BENCHMARKS.md). Rows come out per owner,
// in key order within each owner.

export function modelTags(db: Reader, modelIds: readonly number[]): Promise<RegisteredModelTag[]> {
  return queryRows<RegisteredModelTag>(db, Prisma.sql`
    SELECT t.model_id AS "modelId", t.key, t.value
    FROM unnest(${[...modelIds]}::int[]) AS k(id)
    CROSS JOIN LATERAL (SELECT * FROM registered_model_tag t WHERE t.model_id = k.id ORDER BY t.key) t`);
}

export function versionTags(db: Reader, versionIds: readonly number[]): Promise<ModelVersionTag[]> {
  return queryRows<ModelVersionTag>(db, Prisma.sql`
    SELECT t.version_id AS "versionId", t.key, t.value
    FROM unnest(${[...versionIds]}::int[]) AS k(id)
    CROSS JOIN LATERAL (SELECT * FROM model_version_tag t WHERE t.version_id = k.id ORDER BY t.key) t`);
}

function aliasRows(rows: ModelAlias[]): ModelAlias[] {
  return withDates(rows, 'updatedAt');
}

export async function aliasesOfModels(db: Reader, modelIds: readonly number[]): Promise<ModelAlias[]> {
  return aliasRows(await queryRows<ModelAlias>(db, Prisma.sql`
    SELECT a.model_id AS "modelId", a.alias, a.version_id AS "versionId", a.updated_at AS "updatedAt"
    FROM unnest(${[...modelIds]}::int[]) AS k(id)
    CROSS JOIN LATERAL (SELECT * FROM model_alias a WHERE a.model_id = k.id ORDER BY a.alias) a`));
}

export async function aliasesOfVersions(db: Reader, versionIds: readonly number[]): Promise<ModelAlias[]> {
  return aliasRows(await queryRows<ModelAlias>(db, Prisma.sql`
    SELECT a.model_id AS "modelId", a.alias, a.version_id AS "versionId", a.updated_at AS "updatedAt"
    FROM unnest(${[...versionIds]}::int[]) AS k(id)
    CROSS JOIN LATERAL (SELECT * FROM model_alias a WHERE a.version_id = k.id ORDER BY a.alias) a`));
}

export interface AliasKey {
  modelId: number;
  alias: string;
}

/** The version each (model, alias) points to now, in one statement; aliases that do not exist are absent. */
export async function aliasTargets(db: Reader, keys: readonly AliasKey[]): Promise<(ModelVersion & { alias: string })[]> {
  const wanted = keys.filter((k) => storable(k.alias));
  if (wanted.length === 0) return [];
  const rows = await queryRows<(ModelVersion & { alias: string })>(db, Prisma.sql`
    SELECT a.alias, ${VERSION_COLUMNS_SQL}
    FROM unnest(${wanted.map((k) => k.modelId)}::int[], ${wanted.map((k) => k.alias)}::text[]) AS k(model_id, alias)
    JOIN model_alias a ON a.model_id = k.model_id AND a.alias = k.alias
    JOIN model_version v ON v.id = a.version_id`);
  return withDates(rows, 'createdAt', 'updatedAt');
}

// ---- History

export interface EventFilter {
  /** Every event of each model that ever had this name (across renames, and after deletion). */
  modelName?: string | null;
  alias?: string | null;
  actions?: readonly AuditAction[] | null;
  actor?: string | null;
  since?: Date | null;
  until?: Date | null;
  /** Only events recorded under a model name in scope. */
  scope?: Scope;
}

/** Actions to filter on, each once; a list longer than the enum is refused (ValidationError). */
export function checkAuditActions(actions: readonly AuditAction[] | null | undefined, field = 'actions'): AuditAction[] | null | undefined {
  return checkEnumList(actions, Object.values(AuditActionValues), field);
}

export const EVENT_SORT: SortKey<'sequence'> = [{ field: 'sequence', direction: 'desc' }];

async function eventWhere(db: Reader, filter: EventFilter): Promise<Prisma.AuditEventWhereInput> {
  const actions = checkAuditActions(filter.actions, 'filter.actions');
  if (!storable(filter.modelName, filter.alias, filter.actor)) return { sequence: { in: [] } };
  const and: Prisma.AuditEventWhereInput[] = [];
  if (filter.modelName != null) {
    // Renames are recorded under the new name, so events under a name find every model that bore it.
    const models = await db.auditEvent.groupBy({ by: ['modelId'], where: { modelName: filter.modelName } });
    and.push({ modelId: { in: models.map((m) => m.modelId) } });
  }
  if (filter.alias != null) and.push({ alias: filter.alias });
  if (actions != null) and.push({ action: { in: actions } });
  if (filter.actor != null) and.push({ actor: filter.actor });
  if (filter.since != null) and.push({ at: { gte: filter.since } });
  if (filter.until != null) and.push({ at: { lt: filter.until } });
  if (filter.scope) and.push({ OR: namePatternFilters(filter.scope).map((modelName) => ({ modelName })) });
  return { AND: and };
}

/** Recorded changes, newest first. */
export async function listEvents(
  db: Reader,
  args: { first: number; after?: string | null; filter: EventFilter },
): Promise<Page<AuditEvent>> {
  const where = { AND: [await eventWhere(db, args.filter), args.after ? afterCursorWhere(EVENT_SORT, args.after) : {}] };
  const rows = await db.auditEvent.findMany({ where, orderBy: { sequence: 'desc' }, take: args.first + 1 });
  return toPage(rows, args.first);
}

export interface ModelHistoryArgs {
  first: number;
  after?: string | null;
  alias?: string | null;
  actions?: readonly AuditAction[] | null;
  /** Only events recorded under a model name in scope. */
  scope?: Scope;
}

/** One page of history for each of many models, in one statement (newest first). */
export async function listEventsOfModels(
  db: Reader,
  modelIds: readonly number[],
  args: ModelHistoryArgs,
): Promise<Map<number, Page<AuditEvent>>> {
  const wanted = checkAuditActions(args.actions);
  if (!storable(args.alias)) return new Map(modelIds.map((id) => [id, { rows: [], hasNextPage: false }]));
  const alias = args.alias == null ? Prisma.empty : Prisma.sql`AND e.alias = ${args.alias}`;
  const actions = wanted == null ? Prisma.empty : Prisma.sql`AND e.action::text = ANY(${wanted}::text[])`;
  const after = args.after ? Prisma.sql`AND e.sequence < ${decodeCursor(args.after, EVENT_SORT)[0]}` : Prisma.empty;
  const inScope = args.scope ? Prisma.sql`AND ${namePatternsSql(args.scope, Prisma.sql`e.model_name`)}` : Prisma.empty;
  const rows = await queryRows<AuditEvent>(db, Prisma.sql`
    SELECT e.sequence, e.at, e.actor, e.action::text AS action, e.model_id AS "modelId", e.model_name AS "modelName",
           e.version, e.previous_version AS "previousVersion", e.alias, e.key,
           e.previous_value AS "previousValue", e.new_value AS "newValue"
    FROM unnest(${[...modelIds]}::int[]) AS m(id)
    CROSS JOIN LATERAL (
      SELECT * FROM audit_event e
      WHERE e.model_id = m.id ${alias} ${actions} ${after} ${inScope}
      ORDER BY e.sequence DESC
      LIMIT ${args.first + 1}
    ) e`);
  const byModel = groupBy(
    withDates(rows, 'at'),
    (e) => e.modelId,
  );
  return new Map(modelIds.map((id) => [id, toPage(byModel.get(id) ?? [], args.first)]));
}

export interface AliasAtKey {
  modelId: number;
  alias: string;
  at: Date;
}

/**
 * Time travel: the version number each alias pointed to at an instant, answered from history as
 * the state after the alias's last event at or before that instant (null: it did not exist).
 */
export async function aliasVersionsAt(db: Reader, keys: readonly AliasAtKey[]): Promise<(number | null)[]> {
  const wanted = keys.map((k, i) => ({ ...k, i })).filter((k) => storable(k.alias));
  if (wanted.length === 0) return keys.map(() => null);
  // One statement for all keys: per key, the last alias event at or before its instant, found
  // through the (model_id, alias, sequence) index.
  const rows = await queryRows<{ i: number; action: AuditAction; version: number | null }>(db, Prisma.sql`
    SELECT k.i, e.action, e.version
    FROM unnest(${wanted.map((k) => k.modelId)}::int[], ${wanted.map((k) => k.alias)}::text[],
                ${wanted.map((k) => k.at.toISOString())}::timestamptz[], ${wanted.map((k) => k.i)}::int[])
         AS k(model_id, alias, at, i)
    CROSS JOIN LATERAL (
      SELECT action, version FROM audit_event e
      WHERE e.model_id = k.model_id AND e.alias = k.alias AND e.at <= k.at
        AND e.action IN ('ALIAS_SET', 'ALIAS_DELETED')
      ORDER BY e.sequence DESC LIMIT 1
    ) e`);
  const found = new Map(rows.map((r) => [Number(r.i), r.action === 'ALIAS_SET' ? r.version : null]));
  return keys.map((_k, i) => found.get(i) ?? null);
}

// ---- helpers

export function groupBy<T, K>(rows: readonly T[], keyOf: (row: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const row of rows) {
    const key = keyOf(row);
    const group = groups.get(key);
    if (group) group.push(row);
    else groups.set(key, [row]);
  }
  return groups;
}

function unique<T>(values: readonly T[]): T[] {
  return [...new Set(values)];
}

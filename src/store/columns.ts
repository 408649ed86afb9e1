// One column list per table, each with the decoder its raw rows need, so that a raw row is the row
// Prisma's own findFirst returns (same keys, same types: test/store/rows.test.ts). Column aliases
// give Prisma's field names; enums are read as text, as Prisma hands them out.
import { type AuditEvent, type ModelAlias, type ModelVersion, Prisma, type RegisteredModel } from '../generated/prisma/client.ts';
import { withDates } from './sql.ts';

/** RegisteredModel, from `registered_model m`. */
export const MODEL_COLUMNS_SQL = Prisma.sql`m.id, m.name, m.description, m.created_at AS "createdAt",
  m.updated_at AS "updatedAt", m.last_version AS "lastVersion"`;

/**
 * The ModelVersion columns a reader may leave out (Loaders.versionPage, when the query asks none
 * of them). The others are always read: the keys, `source` (what tells a version from a model),
 * and `createdAt`, a sort key of cursors.
 */
export type OptionalVersionColumn =
  | 'runId'
  | 'runLink'
  | 'description'
  | 'status'
  | 'statusMessage'
  | 'stage'
  | 'storageLocation'
  | 'updatedAt';

const KEY_VERSION_COLUMNS_SQL = Prisma.sql`v.id, v.model_id AS "modelId", v.version, v.source, v.created_at AS "createdAt"`;

const OPTIONAL_VERSION_COLUMNS: Record<OptionalVersionColumn, Prisma.Sql> = {
  runId: Prisma.sql`v.run_id AS "runId"`,
  runLink: Prisma.sql`v.run_link AS "runLink"`,
  description: Prisma.sql`v.description`,
  status: Prisma.sql`v.status::text AS status`,
  statusMessage: Prisma.sql`v.status_message AS "statusMessage"`,
  stage: Prisma.sql`v.stage::text AS stage`,
  storageLocation: Prisma.sql`v.storage_location AS "storageLocation"`,
  updatedAt: Prisma.sql`v.updated_at AS "updatedAt"`,
};

/** ModelVersion, from `model_version v`. */
export const VERSION_COLUMNS_SQL = Prisma.join([KEY_VERSION_COLUMNS_SQL, ...Object.values(OPTIONAL_VERSION_COLUMNS)], ', ');

/**
 * VERSION_COLUMNS_SQL with only `optional` of the optional columns (null: all of them). Reading 6
 * of the 13 columns of a dashboard's 1,100 versions costs the driver 1.8 instead of 3.0 ms.
 * The rows lack the others: they must not reach anything but the fields that asked for them.
 */
export function versionColumnsSql(optional: readonly OptionalVersionColumn[] | null): Prisma.Sql {
  if (optional === null) return VERSION_COLUMNS_SQL;
  const columns = [KEY_VERSION_COLUMNS_SQL];
  for (const name of Object.keys(OPTIONAL_VERSION_COLUMNS) as OptionalVersionColumn[]) {
    if (optional.includes(name)) columns.push(OPTIONAL_VERSION_COLUMNS[name]);
  }
  return Prisma.join(columns, ', ');
}

/** ModelAlias, from `model_alias a`. */
export const ALIAS_COLUMNS_SQL = Prisma.sql`a.model_id AS "modelId", a.alias, a.version_id AS "versionId", a.updated_at AS "updatedAt"`;

/** RegisteredModelTag, from `registered_model_tag t`. */
export const MODEL_TAG_COLUMNS_SQL = Prisma.sql`t.model_id AS "modelId", t.key, t.value`;

/** ModelVersionTag, from `model_version_tag t`. */
export const VERSION_TAG_COLUMNS_SQL = Prisma.sql`t.version_id AS "versionId", t.key, t.value`;

/** AuditEvent, from `audit_event e`. */
export const EVENT_COLUMNS_SQL = Prisma.sql`e.sequence, e.at, e.actor, e.action::text AS action, e.model_id AS "modelId",
  e.model_name AS "modelName", e.version, e.previous_version AS "previousVersion", e.alias, e.key,
  e.previous_value AS "previousValue", e.new_value AS "newValue"`;

// Decoders: timestamps come as Dates over the direct path and as ISO text through $queryRaw.

export function modelRows(rows: RegisteredModel[]): RegisteredModel[] {
  return withDates(rows, 'createdAt', 'updatedAt');
}

export function versionRows<T extends ModelVersion>(rows: T[]): T[] {
  return withDates(rows, 'createdAt', 'updatedAt');
}

export function aliasRows(rows: ModelAlias[]): ModelAlias[] {
  return withDates(rows, 'updatedAt');
}

export function eventRows(rows: AuditEvent[]): AuditEvent[] {
  return withDates(rows, 'at');
}

/** A row as a server-side function returns it (`to_jsonb` of a table row: column names, ISO instants). */
export type JsonRow = Record<string, unknown> | null;

export function modelOfJson(row: JsonRow): RegisteredModel | null {
  if (!row) return null;
  return {
    id: row.id as number,
    name: row.name as string,
    description: row.description as string | null,
    createdAt: new Date(row.created_at as string),
    updatedAt: new Date(row.updated_at as string),
    lastVersion: row.last_version as number,
  };
}

export function versionOfJson(row: JsonRow): ModelVersion | null {
  if (!row) return null;
  return {
    id: row.id as number,
    modelId: row.model_id as number,
    version: row.version as number,
    source: row.source as string,
    runId: row.run_id as string | null,
    runLink: row.run_link as string | null,
    description: row.description as string | null,
    status: row.status as ModelVersion['status'],
    statusMessage: row.status_message as string | null,
    stage: row.stage as ModelVersion['stage'],
    storageLocation: row.storage_location as string | null,
    createdAt: new Date(row.created_at as string),
    updatedAt: new Date(row.updated_at as string),
  };
}

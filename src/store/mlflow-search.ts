// MLflow's registered-models/search and model-versions/search over our tables: a parsed filter
// (mlflow/search-filter.ts) compiled to one SQL condition, MLflow's order, and MLflow's paging.
//
// Paging is by offset, as MLflow's own: order_by may mix directions (`name DESC, timestamp ASC`),
// which one keyset row comparison (store/keyset.ts) cannot express, and an offset token is the one
// a client moved over from a real MLflow server already holds. The order always ends in a unique
// key (model name; model name and version number), so pages neither repeat nor skip rows as long
// as nothing is written between them, MLflow's guarantee too.
import { type ModelVersion, Prisma, type RegisteredModel } from '../generated/prisma/client.ts';
import {
  type Clause,
  IS_PROMPT_TAG_KEY,
  type ModelOrderKey,
  type OrderTerm,
  type SearchFilter,
  type VersionOrderKey,
  encodePageToken,
  splitPromptFilter,
} from '../mlflow/search-filter.ts';
import { namePatternsSql } from '../registry/rules/name-patterns.ts';
import { MODEL_COLUMNS_SQL, VERSION_COLUMNS_SQL, modelRows, versionRows } from './columns.ts';
import { type Scope, storable } from './filters.ts';
import { type Reader, named, queryRows } from './sql.ts';

export interface SearchArgs<K extends string> {
  filter: SearchFilter;
  /** Already checked against the entity's limit (parseMaxResults). */
  maxResults: number;
  /** With its tiebreakers (parseModelOrderBy, parseVersionOrderBy). */
  orderBy: readonly OrderTerm<K>[];
  /** The decoded token (decodePageToken): rows to skip. */
  pageToken: number;
  scope: Scope;
}

export interface SearchPage<T> {
  rows: T[];
  nextPageToken: string | null;
}

/** A version with its model's name, which MLflow's version JSON carries. */
export type SearchedVersion = ModelVersion & { modelName: string };

interface Columns {
  attributes: Record<string, Prisma.Sql>;
  /** The tag table as `t`, restricted to the entity's row. */
  tagsOf: Prisma.Sql;
}

const MODEL_COLUMNS: Columns = {
  attributes: { name: Prisma.sql`m.name` },
  tagsOf: Prisma.sql`registered_model_tag t WHERE t.model_id = m.id`,
};

const VERSION_COLUMNS: Columns = {
  attributes: {
    name: Prisma.sql`m.name`,
    run_id: Prisma.sql`v.run_id`,
    source_path: Prisma.sql`v.source`,
    version_number: Prisma.sql`v.version`,
  },
  tagsOf: Prisma.sql`model_version_tag t WHERE t.version_id = v.id`,
};

const STRING_OPERATORS = { '=': Prisma.sql`=`, '!=': Prisma.sql`<>`, LIKE: Prisma.sql`LIKE`, ILIKE: Prisma.sql`ILIKE` };
const NUMERIC_OPERATORS = {
  '=': Prisma.sql`=`,
  '!=': Prisma.sql`<>`,
  '<': Prisma.sql`<`,
  '<=': Prisma.sql`<=`,
  '>': Prisma.sql`>`,
  '>=': Prisma.sql`>=`,
};

/**
 * One clause as SQL. A value no row can hold (a NUL character) never reaches the database: it
 * equals and matches nothing, and differs from every value present.
 */
function clauseSql(clause: Clause, columns: Columns): Prisma.Sql {
  if (clause.kind === 'tag') {
    // Through the tag table: `tag.k != 'x'` only matches entities that have tag k, as in MLflow.
    const exists = Prisma.sql`EXISTS (SELECT 1 FROM ${columns.tagsOf} AND t.key = ${clause.key}`;
    if (!storable(clause.key)) return Prisma.sql`FALSE`;
    if (!storable(clause.value)) return clause.comparator === '!=' ? Prisma.sql`${exists})` : Prisma.sql`FALSE`;
    return Prisma.sql`${exists} AND t.value ${STRING_OPERATORS[clause.comparator]} ${clause.value})`;
  }
  const column = columns.attributes[clause.key];
  if (clause.key === 'version_number') {
    // numeric: a number beyond int's range compares rather than failing the statement.
    return Prisma.sql`${column} ${NUMERIC_OPERATORS[clause.comparator as keyof typeof NUMERIC_OPERATORS]} ${clause.value}::numeric`;
  }
  if (clause.comparator === 'IN') {
    const values = (clause as { values: string[] }).values.filter((v) => storable(v));
    return values.length === 0 ? Prisma.sql`FALSE` : Prisma.sql`${column} = ANY(${values}::text[])`;
  }
  const value = (clause as { value: string }).value;
  if (!storable(value)) return clause.comparator === '!=' ? Prisma.sql`${column} IS NOT NULL` : Prisma.sql`FALSE`;
  return Prisma.sql`${column} ${STRING_OPERATORS[clause.comparator]} ${value}`;
}

function whereSql(filter: SearchFilter, columns: Columns, scope: Scope): Prisma.Sql {
  const { clauses, excludePrompts } = splitPromptFilter(filter);
  const parts = [Prisma.sql`TRUE`];
  if (scope) parts.push(namePatternsSql(scope, Prisma.sql`m.name`));
  parts.push(...clauses.map((c) => clauseSql(c, columns)));
  if (excludePrompts) {
    parts.push(Prisma.sql`NOT EXISTS (SELECT 1 FROM ${columns.tagsOf} AND t.key = ${IS_PROMPT_TAG_KEY} AND t.value = ${'true'})`);
  }
  return Prisma.join(parts, ' AND ');
}

// Names sort by code point, as on MLflow's SQLite and MySQL (binary) stores, whatever the
// database's collation.
const MODEL_ORDER: Record<ModelOrderKey, Prisma.Sql> = {
  name: Prisma.sql`m.name COLLATE "C"`,
  last_updated_timestamp: Prisma.sql`m.updated_at`,
};
const VERSION_ORDER: Record<VersionOrderKey, Prisma.Sql> = {
  name: Prisma.sql`m.name COLLATE "C"`,
  version_number: Prisma.sql`v.version`,
  creation_timestamp: Prisma.sql`v.created_at`,
  last_updated_timestamp: Prisma.sql`v.updated_at`,
};

function orderSql<K extends string>(terms: readonly OrderTerm<K>[], columns: Record<K, Prisma.Sql>): Prisma.Sql {
  return Prisma.join(terms.map((t) => Prisma.sql`${columns[t.key]} ${t.ascending ? Prisma.sql`ASC` : Prisma.sql`DESC`}`));
}

/** One row more than the page tells whether another page exists. */
function toSearchPage<T>(rows: T[], args: SearchArgs<string>): SearchPage<T> {
  if (rows.length <= args.maxResults) return { rows, nextPageToken: null };
  return { rows: rows.slice(0, args.maxResults), nextPageToken: encodePageToken(args.pageToken + args.maxResults) };
}

export async function searchRegisteredModels(db: Reader, args: SearchArgs<ModelOrderKey>): Promise<SearchPage<RegisteredModel>> {
  const rows = await queryRows<RegisteredModel>(
    db,
    named(
      'searchRegisteredModels',
      Prisma.sql`SELECT ${MODEL_COLUMNS_SQL} FROM registered_model m
    WHERE ${whereSql(args.filter, MODEL_COLUMNS, args.scope)}
    ORDER BY ${orderSql(args.orderBy, MODEL_ORDER)}
    LIMIT ${args.maxResults + 1} OFFSET ${args.pageToken}`,
    ),
  );
  return toSearchPage(modelRows(rows), args);
}

export async function searchModelVersions(db: Reader, args: SearchArgs<VersionOrderKey>): Promise<SearchPage<SearchedVersion>> {
  const rows = await queryRows<SearchedVersion>(
    db,
    named(
      'searchModelVersions',
      Prisma.sql`SELECT ${VERSION_COLUMNS_SQL}, m.name AS "modelName"
    FROM model_version v JOIN registered_model m ON m.id = v.model_id
    WHERE ${whereSql(args.filter, VERSION_COLUMNS, args.scope)}
    ORDER BY ${orderSql(args.orderBy, VERSION_ORDER)}
    LIMIT ${args.maxResults + 1} OFFSET ${args.pageToken}`,
    ),
  );
  return toSearchPage(versionRows(rows), args);
}

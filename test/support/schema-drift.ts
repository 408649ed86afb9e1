// Compares a migrated database with prisma/schema.prisma. Both sides become a sorted list of
// one-line facts ("column model_version.source character varying(4096) NOT NULL"), so a drift
// reads as a plain diff of missing and unexpected lines.
//
// The expectation follows what `prisma migrate dev` would generate for PostgreSQL: Prisma's
// default type mapping and constraint names. Features the mapping does not know (lists,
// relation `map:` names, which the DMMF does not expose, ...) throw rather than pass silently.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { projectRoot } from '../../src/paths.ts';

const { get_dmmf } = createRequire(import.meta.url)('@prisma/prisma-schema-wasm') as {
  get_dmmf(params: string): string;
};

export const SCHEMA_PATH = path.join(projectRoot, 'prisma', 'schema.prisma');

export type Query = (sql: string) => Promise<Array<Record<string, any>>>;

// ---------------------------------------------------------------- expectation from schema.prisma

interface DmmfField {
  name: string;
  dbName?: string | null;
  kind: 'scalar' | 'object' | 'enum' | 'unsupported';
  type: string;
  isList: boolean;
  isRequired: boolean;
  nativeType: [string, string[]] | null;
  default?: unknown;
  relationFromFields?: string[];
  relationToFields?: string[];
  relationOnDelete?: string;
  relationOnUpdate?: string;
}
interface DmmfModel {
  name: string;
  dbName: string | null;
  fields: DmmfField[];
}
interface DmmfIndex {
  model: string;
  type: 'id' | 'unique' | 'normal' | 'fulltext';
  dbName?: string | null;
  algorithm?: string;
  fields: Array<{ name: string; sortOrder?: 'asc' | 'desc' }>;
}
interface DmmfEnum {
  name: string;
  dbName: string | null;
  values: Array<{ name: string; dbName: string | null }>;
}

function readDmmf(schemaText: string) {
  try {
    return JSON.parse(get_dmmf(JSON.stringify({ prismaSchema: [['schema.prisma', schemaText]] }))).datamodel as {
      models: DmmfModel[];
      enums: DmmfEnum[];
      indexes: DmmfIndex[];
    };
  } catch (error) {
    // The engine reports a JSON object whose message is coloured for a terminal.
    const raw = (error as Error).message ?? String(error);
    let message = raw;
    try {
      message = JSON.parse(raw).message;
    } catch {}
    throw new Error(`schema.prisma does not validate:\n${message.replace(/\x1b\[[0-9;]*m/g, '')}`);
  }
}

const SCALAR_TYPES: Record<string, string> = {
  String: 'text',
  Int: 'integer',
  BigInt: 'bigint',
  Float: 'double precision',
  Decimal: 'numeric(65,30)',
  Boolean: 'boolean',
  DateTime: 'timestamp without time zone(3)',
  Json: 'jsonb',
  Bytes: 'bytea',
};

function nativeType([name, args]: [string, string[]]): string {
  const arg = (fallback?: string) => (args.length ? `(${args.join(',')})` : fallback ? `(${fallback})` : '');
  switch (name) {
    case 'VarChar':
      return `character varying${arg()}`;
    case 'Char':
      return `character${arg('1')}`;
    case 'Text':
      return 'text';
    case 'Timestamptz':
      return `timestamp with time zone${arg('6')}`;
    case 'Timestamp':
      return `timestamp without time zone${arg('6')}`;
    case 'Timetz':
      return `time with time zone${arg('6')}`;
    case 'Time':
      return `time without time zone${arg('6')}`;
    case 'Date':
      return 'date';
    case 'SmallInt':
      return 'smallint';
    case 'Integer':
      return 'integer';
    case 'BigInt':
      return 'bigint';
    case 'DoublePrecision':
      return 'double precision';
    case 'Real':
      return 'real';
    case 'Decimal':
      return `numeric${arg()}`;
    case 'Boolean':
      return 'boolean';
    case 'Uuid':
      return 'uuid';
    case 'JsonB':
      return 'jsonb';
    case 'Json':
      return 'json';
    case 'ByteA':
      return 'bytea';
    case 'Inet':
      return 'inet';
    case 'Xml':
      return 'xml';
    case 'Money':
      return 'money';
    case 'Oid':
      return 'oid';
    case 'Citext':
      return 'USER-DEFINED citext';
    default:
      throw new Error(`schema-drift: native type @db.${name} is not mapped yet; add it to nativeType()`);
  }
}

function expectedDefault(field: DmmfField): string | null {
  const value = field.default;
  if (value === undefined || value === null) return null;
  if (typeof value === 'object' && !Array.isArray(value)) {
    const fn = value as { name: string; args: unknown[] };
    switch (fn.name) {
      case 'autoincrement':
        return 'autoincrement';
      case 'now':
        return 'CURRENT_TIMESTAMP';
      case 'dbgenerated':
        return fn.args.length ? String(fn.args[0]) : null;
      case 'uuid':
      case 'cuid':
      case 'nanoid':
      case 'ulid':
        return null; // filled in by the client
      default:
        throw new Error(`schema-drift: @default(${fn.name}()) is not mapped yet`);
    }
  }
  if (Array.isArray(value)) throw new Error('schema-drift: list defaults are not mapped yet');
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return `'${String(value).replace(/'/g, "''")}'`;
}

const REFERENTIAL_ACTIONS: Record<string, string> = {
  Cascade: 'CASCADE',
  Restrict: 'RESTRICT',
  NoAction: 'NO ACTION',
  SetNull: 'SET NULL',
  SetDefault: 'SET DEFAULT',
};

// PostgreSQL identifiers hold 63 bytes; Prisma shortens the table/column part and keeps the suffix.
function constraintName(table: string, columns: string[], suffix: string): string {
  return `${table}_${columns.join('_')}`.slice(0, 63 - suffix.length) + suffix;
}

const list = (columns: string[]) => `(${columns.join(', ')})`;

/** The facts `schemaText` implies for a PostgreSQL database migrated from it. */
export function expectedSchemaFacts(schemaText: string): string[] {
  const datamodel = readDmmf(schemaText);
  const facts: string[] = [];
  const models = new Map(datamodel.models.map((model) => [model.name, model]));
  const tableOf = (model: DmmfModel) => model.dbName ?? model.name;
  const columnOf = (model: DmmfModel, fieldName: string) => {
    const field = model.fields.find((f) => f.name === fieldName);
    if (!field) throw new Error(`schema-drift: ${model.name}.${fieldName} not found`);
    return field.dbName ?? field.name;
  };
  const enumDbNames = new Map(datamodel.enums.map((e) => [e.name, e.dbName ?? e.name]));

  for (const e of datamodel.enums) {
    facts.push(`enum ${e.dbName ?? e.name} ${list(e.values.map((v) => v.dbName ?? v.name))}`);
  }

  for (const model of datamodel.models) {
    const table = tableOf(model);
    facts.push(`table ${table}`);
    for (const field of model.fields) {
      if (field.kind === 'object') continue;
      if (field.isList) throw new Error(`schema-drift: list column ${model.name}.${field.name} is not mapped yet`);
      let type: string;
      if (field.kind === 'enum') type = `USER-DEFINED ${enumDbNames.get(field.type)}`;
      else if (field.nativeType) type = nativeType(field.nativeType);
      else if (SCALAR_TYPES[field.type]) type = SCALAR_TYPES[field.type];
      else throw new Error(`schema-drift: type ${field.type} of ${model.name}.${field.name} is not mapped yet`);
      const def = expectedDefault(field);
      facts.push(
        `column ${table}.${field.dbName ?? field.name} ${type}${field.isRequired ? ' NOT NULL' : ''}${def === null ? '' : ` DEFAULT ${def}`}`,
      );
    }
    for (const field of model.fields) {
      if (field.kind !== 'object' || !field.relationFromFields?.length) continue;
      const target = models.get(field.type)!;
      const columns = field.relationFromFields.map((name) => columnOf(model, name));
      const refColumns = field.relationToFields!.map((name) => columnOf(target, name));
      // Prisma's defaults: Restrict when the foreign-key columns are required, SetNull otherwise; Cascade on update.
      const required = field.relationFromFields.every((name) => model.fields.find((f) => f.name === name)!.isRequired);
      const onDelete = REFERENTIAL_ACTIONS[field.relationOnDelete ?? (required ? 'Restrict' : 'SetNull')];
      const onUpdate = REFERENTIAL_ACTIONS[field.relationOnUpdate ?? 'Cascade'];
      facts.push(
        `foreign key ${constraintName(table, columns, '_fkey')} ON ${table} ${list(columns)} REFERENCES ${tableOf(target)} ${list(refColumns)} ON DELETE ${onDelete} ON UPDATE ${onUpdate}`,
      );
    }
  }

  for (const index of datamodel.indexes) {
    const model = models.get(index.model)!;
    const table = tableOf(model);
    const columns = index.fields.map((f) => columnOf(model, f.name));
    const described = index.fields.map((f, i) => columns[i] + (f.sortOrder === 'desc' ? ' DESC' : ''));
    const using = index.algorithm && index.algorithm !== 'BTree' ? ` USING ${index.algorithm.toLowerCase()}` : '';
    if (index.type === 'id') {
      facts.push(`primary key ${index.dbName ?? `${table.slice(0, 58)}_pkey`} ON ${table} ${list(described)}`);
    } else if (index.type === 'unique') {
      facts.push(`unique index ${index.dbName ?? constraintName(table, columns, '_key')} ON ${table} ${list(described)}${using}`);
    } else if (index.type === 'normal') {
      facts.push(`index ${index.dbName ?? constraintName(table, columns, '_idx')} ON ${table} ${list(described)}${using}`);
    } else {
      throw new Error(`schema-drift: ${index.type} indexes are not mapped yet`);
    }
  }
  return facts.sort();
}

export function expectedSchemaFactsFromFile(file = SCHEMA_PATH): string[] {
  return expectedSchemaFacts(readFileSync(file, 'utf8'));
}

// ---------------------------------------------------------------- what the database holds

function columnType(c: Record<string, any>): string {
  const dt: string = c.data_type;
  switch (dt) {
    case 'character varying':
    case 'character':
      return c.length === null ? dt : `${dt}(${c.length})`;
    case 'timestamp with time zone':
    case 'timestamp without time zone':
    case 'time with time zone':
    case 'time without time zone':
      return `${dt}(${c.datetime_precision})`;
    case 'numeric':
      return c.numeric_precision === null ? dt : `numeric(${c.numeric_precision},${c.numeric_scale})`;
    case 'USER-DEFINED':
    case 'ARRAY':
      return `${dt} ${c.udt_name}`;
    default:
      return dt;
  }
}

function normalizeDefault(def: string | null): string | null {
  if (def === null) return null;
  if (/^nextval\(/.test(def)) return 'autoincrement';
  if (def === 'now()') return 'CURRENT_TIMESTAMP';
  // Drop the casts PostgreSQL adds to literals: 'READY'::"ModelVersionStatus", 'x'::text, '-1'::integer.
  let value = def;
  while (/::("[^"]+"|[a-z_ ]+(\([\d, ]+\))?)$/i.test(value)) {
    value = value.replace(/::("[^"]+"|[a-z_ ]+(\([\d, ]+\))?)$/i, '');
  }
  if (/^'-?\d+(\.\d+)?'$/.test(value)) value = value.slice(1, -1);
  return value;
}

const FK_ACTIONS: Record<string, string> = { a: 'NO ACTION', r: 'RESTRICT', c: 'CASCADE', n: 'SET NULL', d: 'SET DEFAULT' };

/** The facts of the current schema of a database (tables other than _prisma_migrations). */
export async function actualSchemaFacts(query: Query): Promise<string[]> {
  const facts: string[] = [];
  const tables = await query(`
    SELECT c.relname::text AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND c.relname <> '_prisma_migrations'`);
  for (const t of tables) facts.push(`table ${t.name}`);

  const columns = await query(`
    SELECT table_name::text, column_name::text, data_type::text, udt_name::text,
           character_maximum_length::int AS length, numeric_precision::int, numeric_scale::int,
           datetime_precision::int, is_nullable::text, column_default::text
      FROM information_schema.columns
     WHERE table_schema = current_schema() AND table_name <> '_prisma_migrations'`);
  for (const c of columns) {
    const def = normalizeDefault(c.column_default);
    facts.push(
      `column ${c.table_name}.${c.column_name} ${columnType(c)}${c.is_nullable === 'NO' ? ' NOT NULL' : ''}${def === null ? '' : ` DEFAULT ${def}`}`,
    );
  }

  const indexes = await query(`
    SELECT i.relname::text AS name, t.relname::text AS "table", x.indisprimary AS "primary", x.indisunique AS "unique",
           am.amname::text AS method, x.indpred IS NOT NULL AS partial, x.indexprs IS NOT NULL AS expression,
           (SELECT array_agg(a.attname::text || CASE WHEN (x.indoption[k.ord - 1] & 1) = 1 THEN ' DESC' ELSE '' END ORDER BY k.ord)
              FROM unnest(x.indkey) WITH ORDINALITY AS k(attnum, ord)
              JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.attnum) AS columns
      FROM pg_index x
      JOIN pg_class i ON i.oid = x.indexrelid
      JOIN pg_class t ON t.oid = x.indrelid
      JOIN pg_namespace n ON n.oid = t.relnamespace
      JOIN pg_am am ON am.oid = i.relam
     WHERE n.nspname = current_schema() AND t.relname <> '_prisma_migrations'`);
  for (const ix of indexes) {
    const kind = ix.primary ? 'primary key' : ix.unique ? 'unique index' : 'index';
    const using = ix.method !== 'btree' && !ix.primary ? ` USING ${ix.method}` : '';
    const extra = `${ix.expression ? ' (with expressions)' : ''}${ix.partial ? ' (partial)' : ''}`;
    facts.push(`${kind} ${ix.name} ON ${ix.table} ${list(ix.columns ?? [])}${using}${extra}`);
  }

  const foreignKeys = await query(`
    SELECT c.conname::text AS name, t.relname::text AS "table", r.relname::text AS ref_table,
           c.confdeltype::text AS on_delete, c.confupdtype::text AS on_update,
           (SELECT array_agg(a.attname::text ORDER BY k.ord) FROM unnest(c.conkey) WITH ORDINALITY AS k(attnum, ord)
              JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum) AS columns,
           (SELECT array_agg(a.attname::text ORDER BY k.ord) FROM unnest(c.confkey) WITH ORDINALITY AS k(attnum, ord)
              JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.attnum) AS ref_columns
      FROM pg_constraint c
      JOIN pg_class t ON t.oid = c.conrelid
      JOIN pg_class r ON r.oid = c.confrelid
      JOIN pg_namespace n ON n.oid = t.relnamespace
     WHERE c.contype = 'f' AND n.nspname = current_schema()`);
  for (const fk of foreignKeys) {
    facts.push(
      `foreign key ${fk.name} ON ${fk.table} ${list(fk.columns)} REFERENCES ${fk.ref_table} ${list(fk.ref_columns)} ON DELETE ${FK_ACTIONS[fk.on_delete]} ON UPDATE ${FK_ACTIONS[fk.on_update]}`,
    );
  }

  const enums = await query(`
    SELECT t.typname::text AS name, array_agg(e.enumlabel::text ORDER BY e.enumsortorder) AS "values"
      FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid JOIN pg_namespace n ON n.oid = t.typnamespace
     WHERE n.nspname = current_schema() GROUP BY t.typname`);
  for (const e of enums) facts.push(`enum ${e.name} ${list(e.values)}`);

  return facts.sort();
}

// ---------------------------------------------------------------- comparison

/** Lines present on one side only: "- <fact>" expected but missing, "+ <fact>" present but not expected. */
export function diffFacts(expected: string[], actual: string[]): string[] {
  const actualSet = new Set(actual);
  const expectedSet = new Set(expected);
  return [
    ...expected.filter((fact) => !actualSet.has(fact)).map((fact) => `- ${fact}`),
    ...actual.filter((fact) => !expectedSet.has(fact)).map((fact) => `+ ${fact}`),
  ];
}

export function formatDrift(diff: string[]): string {
  return diff.length === 0
    ? 'database matches schema.prisma'
    : `The migrated database does not match prisma/schema.prisma ` +
        `(- expected by schema.prisma but missing, + in the database but not in schema.prisma):\n  ${diff.join('\n  ')}`;
}

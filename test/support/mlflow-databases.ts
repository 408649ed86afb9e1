// MLflow-shaped databases for the importer's tests, at alembic head bf29a5ff90ea (MLflow 3.6), with
// MLflow's own DDL for the registry tables (tests/db/schemas/*.sql upstream) and rows written as
// MLflow's SQL store writes them (soft deletes redacted, '' for no run, storage_location = source).
//
//   const file = join(dir, 'mlflow.db'); await createMlflowSqlite(file, data);  // sqlite:///<file>
//   const pg = await createMlflowPostgres(data); ... pg.url ...; await pg.drop();
import { writeFileSync } from 'node:fs';
import pg from 'pg';
import initSqlJs from 'sql.js';
import { createPostgresDatabase } from './databases.ts';
import { MLFLOW_ALEMBIC_HEAD } from '../../src/mlflow/import/database-source.ts';
import { type MlflowData, storageLocationOf } from './mlflow-data.ts';

/** The registry's tables, as MLflow's migrations leave them at the head (the same text on both engines). */
export const MLFLOW_REGISTRY_DDL = [
  `CREATE TABLE alembic_version (
    version_num VARCHAR(32) NOT NULL,
    CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num))`,
  `CREATE TABLE registered_models (
    name VARCHAR(256) NOT NULL,
    creation_time BIGINT,
    last_updated_time BIGINT,
    description VARCHAR(5000),
    CONSTRAINT registered_model_pk PRIMARY KEY (name),
    UNIQUE (name))`,
  `CREATE TABLE model_versions (
    name VARCHAR(256) NOT NULL,
    version INTEGER NOT NULL,
    creation_time BIGINT,
    last_updated_time BIGINT,
    description VARCHAR(5000),
    user_id VARCHAR(256),
    current_stage VARCHAR(20),
    source VARCHAR(500),
    run_id VARCHAR(32),
    status VARCHAR(20),
    status_message VARCHAR(500),
    run_link VARCHAR(500),
    storage_location VARCHAR(500),
    CONSTRAINT model_version_pk PRIMARY KEY (name, version),
    FOREIGN KEY (name) REFERENCES registered_models (name) ON UPDATE CASCADE)`,
  `CREATE TABLE registered_model_aliases (
    alias VARCHAR(256) NOT NULL,
    version INTEGER NOT NULL,
    name VARCHAR(256) NOT NULL,
    CONSTRAINT registered_model_alias_pk PRIMARY KEY (name, alias),
    CONSTRAINT registered_model_alias_name_fkey FOREIGN KEY (name) REFERENCES registered_models (name) ON DELETE CASCADE ON UPDATE CASCADE)`,
  `CREATE TABLE registered_model_tags (
    key VARCHAR(250) NOT NULL,
    value VARCHAR(5000),
    name VARCHAR(256) NOT NULL,
    CONSTRAINT registered_model_tag_pk PRIMARY KEY (key, name),
    FOREIGN KEY (name) REFERENCES registered_models (name) ON UPDATE CASCADE)`,
  `CREATE TABLE model_version_tags (
    key VARCHAR(250) NOT NULL,
    value TEXT,
    name VARCHAR(256) NOT NULL,
    version INTEGER NOT NULL,
    CONSTRAINT model_version_tag_pk PRIMARY KEY (key, name, version),
    FOREIGN KEY (name, version) REFERENCES model_versions (name, version) ON UPDATE CASCADE)`,
];

type Param = string | number | null;

/** Every INSERT that puts `data` into MLflow's tables, with positional parameters ($1 on PostgreSQL, ? on SQLite). */
function mlflowInserts(data: MlflowData): { table: string; values: Param[] }[] {
  const rows: { table: string; values: Param[] }[] = [{ table: 'alembic_version', values: [MLFLOW_ALEMBIC_HEAD] }];
  for (const model of data.models) {
    rows.push({ table: 'registered_models', values: [model.name, model.createdAt, model.updatedAt, model.description ?? null] });
    for (const [key, value] of Object.entries(model.tags ?? {}))
      rows.push({ table: 'registered_model_tags', values: [key, value, model.name] });
    for (const v of model.versions ?? []) {
      // As MLflow's delete_model_version leaves the row: redacted, stage Deleted_Internal, storage_location kept.
      const [stage, source, runId, description] = v.deleted
        ? ['Deleted_Internal', 'REDACTED-SOURCE-PATH', 'REDACTED-RUN-ID', null]
        : [v.stage ?? 'None', v.source, v.runId ?? '', v.description ?? null];
      rows.push({
        table: 'model_versions',
        values: [
          model.name,
          v.version,
          v.createdAt,
          v.updatedAt,
          description,
          null,
          stage,
          source,
          runId,
          v.status ?? 'READY',
          v.deleted ? null : (v.statusMessage ?? null),
          v.runLink ?? '',
          storageLocationOf(v),
        ],
      });
      for (const [key, value] of Object.entries(v.tags ?? {})) {
        rows.push({ table: 'model_version_tags', values: [key, value, model.name, v.version] });
      }
    }
    for (const [alias, version] of Object.entries(model.aliases ?? {})) {
      rows.push({ table: 'registered_model_aliases', values: [alias, version, model.name] });
    }
  }
  return rows;
}

const COLUMNS: Record<string, string> = {
  alembic_version: 'version_num',
  registered_models: 'name, creation_time, last_updated_time, description',
  registered_model_tags: 'key, value, name',
  model_versions:
    'name, version, creation_time, last_updated_time, description, user_id, current_stage, source, run_id, status, status_message, run_link, storage_location',
  model_version_tags: 'key, value, name, version',
  registered_model_aliases: 'alias, version, name',
};

function insertSql(table: string, count: number, placeholder: (i: number) => string): string {
  return `INSERT INTO ${table} (${COLUMNS[table]}) VALUES (${Array.from({ length: count }, (_, i) => placeholder(i)).join(', ')})`;
}

/** Writes an MLflow SQLite database holding `data` to `file` (read it as `sqlite:///<file>`). */
export async function createMlflowSqlite(file: string, data: MlflowData): Promise<void> {
  const SQL = await initSqlJs();
  const db = new SQL.Database();
  try {
    db.exec('PRAGMA foreign_keys = ON');
    for (const ddl of MLFLOW_REGISTRY_DDL) db.exec(ddl);
    for (const { table, values } of mlflowInserts(data))
      db.run(
        insertSql(table, values.length, () => '?'),
        values,
      );
    writeFileSync(file, db.export());
  } finally {
    db.close();
  }
}

/** A fresh MLflow PostgreSQL database holding `data` (next to test/support/databases.ts's), and a `drop` for afterAll. */
export async function createMlflowPostgres(data: MlflowData): Promise<{ url: string; drop(): Promise<void> }> {
  const created = await createPostgresDatabase();
  const client = new pg.Client({ connectionString: created.url });
  try {
    await client.connect();
    await client.query('BEGIN');
    for (const ddl of MLFLOW_REGISTRY_DDL) await client.query(ddl);
    for (const { table, values } of mlflowInserts(data))
      await client.query(
        insertSql(table, values.length, (i) => `$${i + 1}`),
        values,
      );
    await client.query('COMMIT');
  } catch (error) {
    await client.end().catch(() => {});
    await created.drop();
    throw error;
  }
  await client.end();
  return { url: created.url, drop: created.drop };
}

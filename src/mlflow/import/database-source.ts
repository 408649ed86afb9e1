// Reads an MLflow Model Registry straight from MLflow's database (SQLite or PostgreSQL), which unlike
// REST also holds the soft-deleted versions, so the version high-water marks are exact. Read in one
// consistent snapshot: a REPEATABLE READ read-only transaction on PostgreSQL; on SQLite the file is
// read once, and refused while a write is in progress (its journal) or left in a WAL file, which
// sql.js cannot see.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import pg from 'pg';
import initSqlJs from 'sql.js';
import type { RegistrySnapshot } from '../../registry/imports/snapshot.ts';
import { DELETED_STAGE, MlflowSourceError, type MlflowRows, snapshotOfRows } from './mlflow-rows.ts';

/** The alembic revision this reader was written against (MLflow 3.6); others are read with a warning. */
export const MLFLOW_ALEMBIC_HEAD = 'bf29a5ff90ea';

const REGISTRY_TABLES = ['registered_models', 'model_versions', 'registered_model_tags', 'model_version_tags', 'registered_model_aliases'];

export interface MlflowDatabaseOptions {
  /** Keep prompts (models tagged `mlflow.prompt.is_prompt` = 'true'), which MLflow's searches hide. */
  includePrompts?: boolean;
  onProgress?: (line: string) => void;
}

type Row = Record<string, unknown>;

/** One read-only session on the database: the same SQL runs on both engines. */
interface Session {
  origin: string;
  tableExists(table: string): Promise<boolean>;
  query(sql: string): Promise<Row[]>;
}

export type MlflowDatabaseLocation = { kind: 'sqlite'; file: string } | { kind: 'postgres'; url: string };

/**
 * Where an MLflow database URL points, as MLflow users write them: `sqlite:///relative.db`,
 * `sqlite:////absolute.db` (SQLAlchemy's spelling), a plain file path, or `postgresql://`,
 * `postgres://` and `postgresql+<driver>://` (the driver is SQLAlchemy's business, not ours).
 */
export function parseMlflowDatabaseUrl(url: string): MlflowDatabaseLocation {
  const sqlite = /^sqlite(?:\+\w+)?:\/\/\/(.*)$/.exec(url);
  if (sqlite) {
    const file = sqlite[1].replace(/\?.*$/, '');
    if (!file || file === ':memory:') throw new MlflowSourceError(`${url} names no SQLite file`);
    return { kind: 'sqlite', file };
  }
  const postgres = /^postgres(?:ql)?(?:\+\w+)?:\/\//.exec(url);
  if (postgres) return { kind: 'postgres', url: `postgresql://${url.slice(postgres[0].length)}` };
  const scheme = /^([a-z][\w+.-]*):\/\//i.exec(url);
  if (scheme) {
    throw new MlflowSourceError(
      `${scheme[1]} databases are not supported: read MLflow's SQLite or PostgreSQL database, or use its REST API (--from)`,
    );
  }
  return { kind: 'sqlite', file: url };
}

/** A PostgreSQL URL fit for messages: without its password. */
function withoutPassword(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return url.replace(/:[^:@/]*@/, ':***@');
  }
}

/** The registry, read whole from MLflow's database at `url` (see parseMlflowDatabaseUrl). */
export async function readMlflowDatabase(url: string, options: MlflowDatabaseOptions = {}): Promise<RegistrySnapshot> {
  const location = parseMlflowDatabaseUrl(url);
  return location.kind === 'sqlite' ? readSqlite(location.file, options) : readPostgres(location.url, options);
}

async function readSqlite(file: string, options: MlflowDatabaseOptions): Promise<RegistrySnapshot> {
  const origin = `MLflow database ${basename(file)}`;
  const path = resolve(file);
  if (!existsSync(path) || !statSync(path).isFile()) throw new MlflowSourceError(`${origin}: no file at ${path}`);
  if (existsSync(`${path}-journal`)) {
    throw new MlflowSourceError(`${origin}: ${path}-journal exists, so a write is in progress (or was cut short); stop MLflow and re-run`);
  }
  if (existsSync(`${path}-wal`) && statSync(`${path}-wal`).size > 0) {
    throw new MlflowSourceError(
      `${origin}: ${path}-wal holds changes not yet in the database file; stop MLflow (or run PRAGMA wal_checkpoint) and re-run`,
    );
  }
  const SQL = await initSqlJs();
  let db: InstanceType<typeof SQL.Database>;
  try {
    db = new SQL.Database(readFileSync(path));
    // sql.js opens anything; reading the schema is where a file that is not SQLite shows.
    db.exec('BEGIN; SELECT count(*) FROM sqlite_master');
  } catch (error) {
    throw new MlflowSourceError(`${origin}: ${path} is not a SQLite database (${(error as Error).message})`);
  }
  const query = (sql: string): Row[] => {
    const [result] = db.exec(sql);
    if (!result) return [];
    return result.values.map((values) => Object.fromEntries(result.columns.map((column, i) => [column, values[i]])));
  };
  try {
    return await readSession(
      {
        origin,
        tableExists: async (table) => query(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '${table}'`).length > 0,
        query: async (sql) => query(sql),
      },
      options,
    );
  } finally {
    db.close();
  }
}

async function readPostgres(url: string, options: MlflowDatabaseOptions): Promise<RegistrySnapshot> {
  const origin = `MLflow database ${withoutPassword(url)}`;
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (error) {
    throw new MlflowSourceError(`${origin}: cannot connect (${(error as Error).message || String(error)})`);
  }
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const snapshot = await readSession(
      {
        origin,
        tableExists: async (table) => (await client.query('SELECT to_regclass($1) IS NOT NULL AS present', [table])).rows[0].present,
        query: async (sql) => (await client.query(sql)).rows,
      },
      options,
    );
    await client.query('COMMIT');
    return snapshot;
  } catch (error) {
    if (error instanceof MlflowSourceError) throw error;
    throw new MlflowSourceError(`${origin}: ${(error as Error).message}`);
  } finally {
    await client.end().catch(() => {});
  }
}

/** BIGINT comes back as a string from pg; numbers from SQLite. */
const numberOrNull = (value: unknown): number | null => (value === null || value === undefined ? null : Number(value));
const textOrNull = (value: unknown): string | null => (value === null || value === undefined ? null : String(value));

async function readSession(session: Session, options: MlflowDatabaseOptions): Promise<RegistrySnapshot> {
  const { origin } = session;
  if (!(await session.tableExists('alembic_version'))) {
    throw new MlflowSourceError(`${origin} is not an MLflow database: it has no alembic_version table`);
  }
  const missing = [];
  for (const table of REGISTRY_TABLES) if (!(await session.tableExists(table))) missing.push(table);
  if (missing.length > 0) {
    throw new MlflowSourceError(`${origin} is not an MLflow database with a Model Registry: no table ${missing.join(', ')}`);
  }
  const warnings: string[] = [];
  const revision = (await session.query('SELECT version_num FROM alembic_version')).map((r) => String(r.version_num));
  if (!revision.includes(MLFLOW_ALEMBIC_HEAD)) {
    warnings.push(
      `${origin} is at alembic revision ${revision.join(', ') || '(none)'}, not ${MLFLOW_ALEMBIC_HEAD} (MLflow 3.6) which this reader knows; read anyway`,
    );
  }
  const rows: MlflowRows = {
    models: (await session.query('SELECT name, creation_time, last_updated_time, description FROM registered_models')).map((r) => ({
      name: String(r.name),
      creationTime: numberOrNull(r.creation_time),
      lastUpdatedTime: numberOrNull(r.last_updated_time),
      description: textOrNull(r.description),
    })),
    versions: (
      await session.query(
        'SELECT name, version, creation_time, last_updated_time, description, current_stage, source, storage_location, ' +
          'run_id, run_link, status, status_message FROM model_versions',
      )
    ).map((r) => ({
      name: String(r.name),
      version: Number(r.version),
      creationTime: numberOrNull(r.creation_time),
      lastUpdatedTime: numberOrNull(r.last_updated_time),
      description: textOrNull(r.description),
      currentStage: textOrNull(r.current_stage),
      source: textOrNull(r.source),
      storageLocation: textOrNull(r.storage_location),
      runId: textOrNull(r.run_id),
      runLink: textOrNull(r.run_link),
      status: textOrNull(r.status),
      statusMessage: textOrNull(r.status_message),
    })),
    tags: [
      ...(await session.query('SELECT name, key, value FROM registered_model_tags')),
      // Tags of deleted versions stay in MLflow's table: only live versions' tags are read.
      ...(await session.query(
        'SELECT t.name, t.version, t.key, t.value FROM model_version_tags t JOIN model_versions v ' +
          `ON v.name = t.name AND v.version = t.version WHERE v.current_stage IS NULL OR v.current_stage <> '${DELETED_STAGE}'`,
      )),
    ].map((r) => ({ name: String(r.name), version: numberOrNull(r.version), key: String(r.key), value: textOrNull(r.value) })),
    aliases: (await session.query('SELECT name, alias, version FROM registered_model_aliases')).map((r) => ({
      name: String(r.name),
      alias: String(r.alias),
      version: Number(r.version),
    })),
  };
  options.onProgress?.(`${origin}: ${rows.models.length} registered models, ${rows.versions.length} model version rows`);
  return snapshotOfRows(rows, { origin, includePrompts: options.includePrompts, warnings });
}

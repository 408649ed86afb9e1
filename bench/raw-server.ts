// The baseline: a hand-written node:http + pg server answering the benchmark's three operations
// with the same JSON as the GraphQL server, in the fewest statements: the dashboard is one
// statement that builds the whole response in PostgreSQL; the lookup is one statement; the alias
// move is one transaction (lock and read, one write statement with its audit event, commit),
// with the same rules as the registry (no event when the alias already points there).
import http from 'node:http';
import pg from 'pg';
import { countPgStatements, listenOnLoopback, serve } from './child.ts';

const DASHBOARD_SQL = `
SELECT json_build_object('data', json_build_object('registeredModels', json_build_object('nodes', coalesce((
  SELECT json_agg(json_build_object(
    'name', m.name,
    'description', m.description,
    'tags', (SELECT coalesce(json_agg(json_build_object('key', t.key, 'value', t.value) ORDER BY t.key), '[]')
             FROM registered_model_tag t WHERE t.model_id = m.id),
    'versions', json_build_object('nodes', (
      SELECT coalesce(json_agg(json_build_object(
        'version', v.version,
        'status', v.status,
        'source', v.source,
        'createdAt', to_char(v.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
        'tags', (SELECT coalesce(json_agg(json_build_object('key', t.key, 'value', t.value) ORDER BY t.key), '[]')
                 FROM model_version_tag t WHERE t.version_id = v.id),
        'aliases', (SELECT coalesce(json_agg(a.alias ORDER BY a.alias), '[]') FROM model_alias a WHERE a.version_id = v.id)
      ) ORDER BY v.version DESC), '[]')
      FROM (SELECT * FROM model_version v WHERE v.model_id = m.id ORDER BY v.version DESC LIMIT $2) v))
  ) ORDER BY m.name)
  FROM (SELECT * FROM registered_model ORDER BY name LIMIT $1) m), '[]'))))::text AS body`;

const LOOKUP_SQL = `
SELECT v.version, v.source
FROM registered_model m
LEFT JOIN (model_alias a JOIN model_version v ON v.id = a.version_id) ON a.model_id = m.id AND a.alias = $2
WHERE m.name = $1`;

const LOCK_SQL = `
SELECT m.id, m.name, clock_timestamp() AS now,
       (SELECT id FROM model_version WHERE model_id = m.id AND version = $2) AS target_id,
       (SELECT v.version FROM model_alias a JOIN model_version v ON v.id = a.version_id
        WHERE a.model_id = m.id AND a.alias = $3) AS current
FROM registered_model m WHERE m.name = $1 FOR UPDATE OF m`;

const MOVE_SQL = `
WITH moved AS (
  INSERT INTO model_alias (model_id, alias, version_id, updated_at) VALUES ($1, $2, $3, $4)
  ON CONFLICT (model_id, alias) DO UPDATE SET version_id = EXCLUDED.version_id, updated_at = EXCLUDED.updated_at
), touched AS (
  UPDATE registered_model SET updated_at = $4 WHERE id = $1
)
INSERT INTO audit_event (at, actor, action, model_id, model_name, version, previous_version, alias)
VALUES ($4, NULL, 'ALIAS_SET', $1, $5, $6, $7, $2)`;

interface Body {
  operationName?: string;
  variables?: Record<string, unknown>;
}

async function dashboard(pool: pg.Pool, variables: Record<string, unknown>): Promise<string> {
  const { rows } = await pool.query(DASHBOARD_SQL, [variables.models, variables.versions]);
  return rows[0].body;
}

async function aliasLookup(pool: pg.Pool, variables: Record<string, unknown>): Promise<string> {
  const { rows } = await pool.query(LOOKUP_SQL, [variables.name, 'champion']);
  const model = rows[0] ? { versionByAlias: rows[0].version == null ? null : { version: rows[0].version, source: rows[0].source } } : null;
  return JSON.stringify({ data: { registeredModel: model } });
}

async function aliasMove(pool: pg.Pool, variables: Record<string, unknown>): Promise<string> {
  const name = variables.name as string;
  const version = variables.version as number;
  const client = await pool.connect();
  let result: unknown;
  try {
    await client.query('BEGIN');
    const { rows } = await client.query(LOCK_SQL, [name, version, 'champion']);
    const model = rows[0];
    if (!model || model.target_id == null) {
      await client.query('ROLLBACK');
      const message = model ? `version ${version} of registered model "${name}" not found` : `registered model "${name}" not found`;
      result = { __typename: 'NotFoundError', code: 'NOT_FOUND', message };
    } else {
      const changed = model.current !== version;
      if (changed) {
        await client.query(MOVE_SQL, [model.id, 'champion', model.target_id, model.now, model.name, version, model.current]);
      }
      await client.query('COMMIT');
      result = { __typename: 'SetModelAliasPayload', changed, alias: { alias: 'champion', version: { version } } };
    }
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
  return JSON.stringify({ data: { setModelAlias: result } });
}

const OPERATIONS: Record<string, (pool: pg.Pool, variables: Record<string, unknown>) => Promise<string>> = {
  Dashboard: dashboard,
  AliasLookup: aliasLookup,
  AliasMove: aliasMove,
};

countPgStatements();
await serve(async () => {
  // The same pool size as @prisma/adapter-pg's default (node-postgres: 10).
  const pool = new pg.Pool({ connectionString: process.argv[2], max: 10 });
  pool.on('error', () => {});
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', async () => {
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Body;
        const operation = OPERATIONS[body.operationName ?? ''];
        if (!operation) {
          res.writeHead(400, { 'content-type': 'application/json' }).end('{"errors":[{"message":"unknown operation"}]}');
          return;
        }
        const json = await operation(pool, body.variables ?? {});
        res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(json) });
        res.end(json);
      } catch (error) {
        console.error('raw server:', error);
        res.writeHead(500, { 'content-type': 'application/json' }).end('{"errors":[{"message":"Unexpected error."}]}');
      }
    });
  });
  return listenOnLoopback(server, () => pool.end());
});

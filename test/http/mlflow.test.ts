// The MLflow front door over a real socket: mounted under both prefixes behind the Host rule and the
// body limit, with DELETE and GET bodies read, and GraphQL still where it was.
import http from 'node:http';
import net from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, startServer } from '../../src/app.ts';
import { DEFAULT_SECURITY } from '../../src/config.ts';
import { openDatabase } from '../../src/db/client.ts';
import { createPostgresDatabase, databases } from '../support/databases.ts';

/** node:http rather than fetch: fetch refuses a GET with a body, which MLflow's decoding reads. */
function send(port: number, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const text = body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body);
  return new Promise<{ status: number; json: any }>((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers },
      },
      (res) => {
        let data = '';
        res.on('data', (chunk) => {
          data += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(data) }));
      },
    );
    req.on('error', reject);
    req.end(text);
  });
}

describe('MLflow REST over HTTP', () => {
  let server: RunningServer;
  const log = { info: () => {}, error: () => {} };

  beforeAll(async () => {
    const db = await openDatabase({ kind: 'pglite', dataDir: null }, { log: false });
    server = await startServer({
      config: { host: '127.0.0.1', port: 0, security: { ...DEFAULT_SECURITY, auth: 'off', maxBodyBytes: 2_048 } },
      db,
      log,
    });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('serves both prefixes, with GET and DELETE bodies', async () => {
    expect((await send(server.port, 'POST', '/api/2.0/mlflow/registered-models/create', { name: 'iris' })).status).toBe(200);
    const got = await send(server.port, 'GET', '/ajax-api/2.0/mlflow/registered-models/get', { name: 'iris' });
    expect(got).toMatchObject({ status: 200, json: { registered_model: { name: 'iris' } } });
    expect(await send(server.port, 'DELETE', '/api/2.0/mlflow/registered-models/delete', { name: 'iris' })).toEqual({
      status: 200,
      json: {},
    });
    const unknown = await send(server.port, 'GET', '/api/2.0/mlflow/registered-models/nonexistent');
    expect(unknown).toMatchObject({ status: 404, json: { error_code: 'ENDPOINT_NOT_FOUND' } });
  });

  it('keeps the body limit and the Host rule in front', async () => {
    const big = await send(server.port, 'POST', '/api/2.0/mlflow/registered-models/create', { name: 'x', description: 'd'.repeat(4_000) });
    expect(big.status).toBe(413);
    expect(big.json.error_code).toBe('INVALID_PARAMETER_VALUE');
    const rebound = await send(server.port, 'GET', '/api/2.0/mlflow/registered-models/get?name=x', undefined, { host: 'evil.example' });
    expect(rebound).toMatchObject({ status: 403, json: { error_code: 'PERMISSION_DENIED' } });
  });

  it('leaves GraphQL as it was', async () => {
    const response = await send(server.port, 'POST', '/graphql', { query: '{ __typename }' }, { accept: 'application/json' });
    expect(response).toEqual({ status: 200, json: { data: { __typename: 'Query' } } });
  });
});

// The transport's half of the retry guard (src/mlflow/retry-guard.ts): a client that gives up before
// the answer (its timeout closes the connection) must find the create's key when it resends. The
// create is held on the model's row lock (PostgreSQL) until the client has gone.
describe.runIf(databases.some((d) => d.name === 'postgres'))('MLflow create whose client went away [postgres]', () => {
  let server: RunningServer;
  let database: Awaited<ReturnType<typeof createPostgresDatabase>>;
  beforeAll(async () => {
    database = await createPostgresDatabase();
    const db = await openDatabase({ kind: 'postgres', url: database.url }, { log: false });
    server = await startServer({
      config: { host: '127.0.0.1', port: 0, security: { ...DEFAULT_SECURITY, auth: 'off' } },
      db,
      log: { info: () => {}, error: () => {} },
    });
  });
  afterAll(async () => {
    await server?.close();
    await database?.drop();
  });

  it('answers the resend with the version made after the connection closed, and a later create makes the next one', async () => {
    const create = '/api/2.0/mlflow/model-versions/create';
    const body = { name: 'gone', source: 's3://b/gone' };
    expect((await send(server.port, 'POST', '/api/2.0/mlflow/registered-models/create', { name: 'gone' })).status).toBe(200);
    const holder = new pg.Client({ connectionString: database.url });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query("SELECT 1 FROM registered_model WHERE name = 'gone' FOR UPDATE");
      const text = JSON.stringify(body);
      const socket = net.connect(server.port, '127.0.0.1');
      await new Promise((resolve) => socket.once('connect', resolve));
      socket.write(
        `POST ${create} HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(text)}\r\n\r\n${text}`,
      );
      // Waiting on the lock: the create has begun, its answer not yet written.
      await expect.poll(async () => (await holder.query('SELECT count(*)::int AS n FROM pg_locks WHERE NOT granted')).rows[0].n).toBe(1);
      socket.destroy();
      await holder.query('COMMIT');
      await expect
        .poll(async () => (await send(server.port, 'GET', '/api/2.0/mlflow/model-versions/get?name=gone&version=1')).status)
        .toBe(200);
    } finally {
      await holder.end();
    }
    const resent = await send(server.port, 'POST', create, body);
    expect(resent).toMatchObject({ status: 200, json: { model_version: { version: '1' } } });
    const next = await send(server.port, 'POST', create, body);
    expect(next).toMatchObject({ status: 200, json: { model_version: { version: '2' } } });
  });
});

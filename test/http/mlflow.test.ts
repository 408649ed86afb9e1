// The MLflow front door over a real socket: mounted under both prefixes behind the Host rule and the
// body limit, with DELETE and GET bodies read, and GraphQL still where it was.
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, startServer } from '../../src/app.ts';
import { DEFAULT_SECURITY } from '../../src/config.ts';
import { openDatabase } from '../../src/db/client.ts';

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

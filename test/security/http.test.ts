// The HTTP and WebSocket front door over real sockets on 127.0.0.1: Host and Origin checks (DNS
// rebinding, cross-site WebSockets), WebSocket authentication, caps and message size, errors that
// leak nothing, JSON-only POSTs, and the GraphiQL page. One engine suffices: none of this is SQL.
import http from 'node:http';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createApiToken } from '../../src/auth/tokens.ts';
import { DEFAULT_SECURITY, type SecurityConfig, loadConfig } from '../../src/config.ts';
import { openDatabase } from '../../src/db/client.ts';
import type { Database } from '../../src/db/database.ts';
import { hostRule } from '../../src/graphql/http-security.ts';
import { createApp } from '../../src/app.ts';
import { type RunningServer, type ServerLog, startServer } from '../../src/app.ts';

let db: Database;
let adminSecret: string;
const servers: RunningServer[] = [];
const sockets: WebSocket[] = [];
const logged: unknown[] = [];
const log: ServerLog = { info: () => {}, error: (message, detail) => logged.push([message, detail]) };

beforeAll(async () => {
  db = await openDatabase({ kind: 'pglite', dataDir: null }, { log: false });
  adminSecret = (await createApiToken(db.prisma, { name: 'front-door-admin', role: 'ADMIN' }, null)).secret;
});
afterAll(async () => {
  for (const socket of sockets) socket.terminate();
  await Promise.all(servers.map((s) => s.close()));
  await db?.close();
});

async function serve(security: Partial<SecurityConfig> = {}, host = '127.0.0.1'): Promise<RunningServer> {
  // The servers share the test's database and must not close it.
  const shared = Object.assign(Object.create(db), { close: async () => {} }) as Database;
  const server = await startServer({
    config: { host, port: 0, security: { ...DEFAULT_SECURITY, auth: 'off', ...security } },
    db: shared,
    log,
    shutdownTimeoutMs: 2_000,
  });
  servers.push(server);
  return server;
}

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  text: string;
  json: any;
}

/** A raw HTTP request, so the Host header can be whatever an attacker's browser would send. */
function request(url: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: init.method ?? 'GET', headers: init.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        const text = body.toString('utf8');
        let json: any = null;
        try {
          json = JSON.parse(text);
        } catch {}
        resolve({ status: res.statusCode!, headers: res.headers, body, text, json });
      });
    });
    req.on('error', reject);
    req.end(init.body);
  });
}

const postJson = (url: string, query: unknown, headers: Record<string, string> = {}) =>
  request(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof query === 'string' ? query : JSON.stringify(query),
  });

type Opened = { ws: WebSocket; messages: any[]; closed: Promise<{ code: number; reason: string }>; next(): Promise<any> };

/** Opens a graphql-transport-ws connection; rejects with the HTTP status when the upgrade is refused. */
function connect(server: RunningServer, headers: Record<string, string> = {}): Promise<Opened> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(server.url.replace(/^http/, 'ws'), 'graphql-transport-ws', { headers });
    sockets.push(ws);
    const messages: any[] = [];
    const waiting: ((m: any) => void)[] = [];
    ws.on('message', (data) => {
      const message = JSON.parse(String(data));
      const waiter = waiting.shift();
      if (waiter) waiter(message);
      else messages.push(message);
    });
    const closed = new Promise<{ code: number; reason: string }>((done) =>
      ws.on('close', (code, reason) => done({ code, reason: String(reason) })),
    );
    ws.on('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
    ws.on('error', reject);
    ws.on('open', () =>
      resolve({
        ws,
        messages,
        closed,
        next: () => (messages.length ? Promise.resolve(messages.shift()) : new Promise((r) => waiting.push(r))),
      }),
    );
  });
}

async function init(conn: Opened, payload: Record<string, unknown> = {}): Promise<any | { closed: { code: number; reason: string } }> {
  conn.ws.send(JSON.stringify({ type: 'connection_init', payload }));
  return Promise.race([conn.next(), conn.closed.then((closed) => ({ closed }))]);
}

describe('F7: Host and Origin checks, WebSocket authentication and caps', () => {
  it('refuses HTTP requests and upgrades whose Host is not a loopback name (DNS rebinding) on a loopback HOST', async () => {
    const server = await serve();
    const mutation = { query: 'mutation { createRegisteredModel(input: { name: "rebound" }) { __typename } }' };
    const rebound = await postJson(server.url, mutation, { host: `attacker.example:${server.port}` });
    expect(rebound.status).toBe(403);
    expect(rebound.json.errors[0].message).toMatch(/ALLOWED_HOSTS/);
    await expect(connect(server, { host: `attacker.example:${server.port}` })).rejects.toThrow(/403/);
    // Health probes use whatever address reaches the pod.
    expect((await request(`${server.origin}/health`, { headers: { host: `10.0.0.7:${server.port}` } })).status).toBe(200);
    for (const host of [`localhost:${server.port}`, `127.0.0.1:${server.port}`, `[::1]:${server.port}`]) {
      const read = await postJson(server.url, { query: '{ registeredModel(name: "rebound") { name } }' }, { host });
      expect(read.status).toBe(200);
      expect(read.json.data.registeredModel).toBeNull();
    }
  });

  it('on another HOST answers any Host unless ALLOWED_HOSTS lists the names', () => {
    expect(hostRule('0.0.0.0', [])('anything.example:4000')).toBeNull();
    expect(hostRule('0.0.0.0', ['registry.example'])('registry.example:4000')).toBeNull();
    expect(hostRule('0.0.0.0', ['registry.example'])('other.example')).toMatch(/ALLOWED_HOSTS/);
    expect(hostRule('127.0.0.1', ['registry.example'])('localhost')).toMatch(/registry\.example/);
    expect(hostRule('::1', [])('[::1]:4000')).toBeNull();
    expect(loadConfig({ ALLOWED_HOSTS: 'Registry.Example, b.example' }).security.allowedHosts).toEqual(['registry.example', 'b.example']);
    expect(() => loadConfig({ ALLOWED_HOSTS: 'http://x.example' })).toThrow(/ALLOWED_HOSTS/);
  });

  it('refuses WebSocket upgrades from pages of other origins; its own origin and CORS_ORIGINS connect', async () => {
    const server = await serve({ corsOrigins: ['https://app.example'] });
    await expect(connect(server, { origin: 'https://evil.example' })).rejects.toThrow(/403/);
    for (const origin of [server.origin, 'https://app.example']) {
      const conn = await connect(server, { origin });
      expect(await init(conn)).toEqual({ type: 'connection_ack' });
      conn.ws.close();
    }
  });

  it('with tokens required, closes a connection_init without a valid token with 4401 before any operation', async () => {
    const server = await serve({ auth: 'required' });
    const missing = await init(await connect(server));
    expect(missing.closed).toEqual({ code: 4401, reason: 'Unauthorized' });
    const wrong = await init(await connect(server), { authorization: 'Bearer rk_not_a_token' });
    expect(wrong.closed.code).toBe(4401);
    const ok = await connect(server);
    expect(await init(ok, { authorization: `Bearer ${adminSecret}` })).toEqual({ type: 'connection_ack' });
    ok.ws.close();
  });

  it('caps WebSocket connections per remote address and in total', async () => {
    const perAddress = await serve({ wsMaxConnectionsPerAddress: 3 });
    const open = await Promise.all([1, 2, 3].map(() => connect(perAddress)));
    await expect(connect(perAddress)).rejects.toThrow(/429/);
    open[0].ws.close();
    await open[0].closed;
    const again = await connect(perAddress);
    expect(await init(again)).toEqual({ type: 'connection_ack' });

    const total = await serve({ wsMaxConnections: 2 });
    await Promise.all([connect(total), connect(total)]);
    await expect(connect(total)).rejects.toThrow(/503/);
  });
});

describe('F8: WebSocket messages are held to GRAPHQL_MAX_BODY_BYTES', () => {
  it('closes the connection (1009) on a message larger than the body limit, without answering it', async () => {
    const server = await serve({ maxBodyBytes: 4_096 });
    logged.length = 0;
    const conn = await connect(server);
    expect(await init(conn)).toEqual({ type: 'connection_ack' });
    const query = `{ registeredModels(first: 1) { totalCount } } # ${'x'.repeat(8_192)}`;
    conn.ws.send(JSON.stringify({ id: 'big', type: 'subscribe', payload: { query } }));
    const first = await Promise.race([conn.next(), conn.closed.then((closed) => ({ closed }))]);
    expect(first.closed?.code).toBe(1009);
    expect(logged).toEqual([]);
  });
});

describe('F13: authentication before parsing; no schema hints without introspection', () => {
  it('answers 401 to a misspelt mutation without a token, with no "Did you mean"', async () => {
    const server = await serve({ auth: 'required' });
    const answer = await postJson(server.url, { query: 'mutation { createApiTokn }' });
    expect(answer.status).toBe(401);
    expect(answer.json.errors.map((e: any) => e.extensions.code)).toEqual(['UNAUTHENTICATED']);
    expect(answer.text).not.toMatch(/Did you mean|createApiToken/);
  });

  it('drops "Did you mean" when GRAPHQL_INTROSPECTION=off, keeps it otherwise', async () => {
    const open = await serve();
    const hinted = await postJson(open.url, { query: 'mutation { createApiTokn }' });
    expect(hinted.json.errors[0].message).toMatch(/Did you mean "createApiToken"/);
    const closed = await serve({ introspection: false });
    const plain = await postJson(closed.url, { query: 'mutation { createApiTokn }' }, { authorization: `Bearer ${adminSecret}` });
    expect(plain.json.errors[0].message).toBe('Cannot query field "createApiTokn" on type "Mutation".');
    const conn = await connect(closed);
    await init(conn);
    conn.ws.send(JSON.stringify({ id: 'q', type: 'subscribe', payload: { query: '{ registeredModls { totalCount } }' } }));
    const error = await conn.next();
    expect(error.type).toBe('error');
    expect(JSON.stringify(error)).not.toMatch(/Did you mean/);
  });
});

describe('F14, F25: errors carry no originalError, echoed body or stack', () => {
  it('answers invalid JSON with the message alone, not the body it received', async () => {
    const server = await serve();
    const answer = await postJson(server.url, `{"query":"${'A'.repeat(100_000)}" x`);
    expect(answer.status).toBe(400);
    expect(answer.json.errors[0].message).toBe('POST body sent invalid JSON.');
    expect(answer.json.errors[0].extensions).toEqual({ code: 'BAD_REQUEST' });
    expect(answer.body.length).toBeLessThan(500);
  });

  it('masks unexpected errors without originalError or stack even with NODE_ENV=development', async () => {
    const before = process.env.NODE_ENV;
    // yoga reads NODE_ENV when it masks an error, so it is set for the whole request.
    process.env.NODE_ENV = 'development';
    const faults: unknown[] = [];
    try {
      const yoga = createApp(db, {
        logError: (e) => faults.push(e),
        plugins: [
          {
            onExecute: () => {
              throw new Error('fault at /srv/secret/path.ts:12');
            },
          },
        ],
      }).yoga;
      const response = await yoga.fetch('http://localhost/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ __typename }' }),
      });
      const text = await response.text();
      expect(JSON.parse(text).errors[0].message).toBe('Unexpected error.');
      expect(text).not.toMatch(/originalError|stack|secret/);
      expect(faults).toHaveLength(1);
    } finally {
      process.env.NODE_ENV = before;
    }
  });
});

describe('F15: a mutation over graphql-ws', () => {
  it('is answered, and the connection and its other subscriptions stay open, with nothing logged', async () => {
    const server = await serve();
    logged.length = 0;
    const conn = await connect(server);
    await init(conn);
    conn.ws.send(
      JSON.stringify({
        id: 'events',
        type: 'subscribe',
        payload: { query: 'subscription { registryEvents(modelName: "over-ws", afterSequence: 0) { action modelName } }' },
      }),
    );
    conn.ws.send(
      JSON.stringify({
        id: 'm',
        type: 'subscribe',
        payload: { query: 'mutation { createRegisteredModel(input: { name: "over-ws" }) { __typename } }' },
      }),
    );
    const seen: any[] = [];
    while (!seen.some((m) => m.id === 'events' && m.type === 'next')) seen.push(await conn.next());
    expect(seen.find((m) => m.id === 'm' && m.type === 'next').payload).toEqual({
      data: { createRegisteredModel: { __typename: 'RegisteredModelPayload' } },
    });
    expect(seen.find((m) => m.id === 'events').payload.data.registryEvents).toEqual({ action: 'MODEL_CREATED', modelName: 'over-ws' });
    expect(conn.ws.readyState).toBe(WebSocket.OPEN);
    expect(logged).toEqual([]);
  });
});

describe('F19: the GraphiQL page', () => {
  it('is compressed when accepted, cacheable by ETag, and may not be framed; every answer has nosniff', async () => {
    const server = await serve();
    const plain = await request(server.url, { headers: { accept: 'text/html' } });
    expect(plain.status).toBe(200);
    expect(plain.headers['x-frame-options']).toBe('DENY');
    expect(plain.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    const etag = plain.headers.etag!;
    expect(etag).toMatch(/^"/);
    const gzipped = await request(server.url, { headers: { accept: 'text/html', 'accept-encoding': 'gzip' } });
    expect(gzipped.headers['content-encoding']).toBe('gzip');
    expect(gzipped.body.length).toBeLessThan(plain.body.length / 3);
    expect(gunzipSync(gzipped.body).equals(plain.body)).toBe(true);
    const cached = await request(server.url, { headers: { accept: 'text/html', 'if-none-match': etag } });
    expect(cached.status).toBe(304);
    expect(cached.body.length).toBe(0);
    for (const answer of [plain, await postJson(server.url, { query: '{ __typename }' }), await request(`${server.origin}/health`)]) {
      expect(answer.headers['x-content-type-options']).toBe('nosniff');
    }
  });
});

describe('D12: refusals that say what to fix', () => {
  it('a POST without Content-Type: application/json gets 415 saying so; a refused preflight names CORS_ORIGINS', async () => {
    const server = await serve();
    for (const headers of [
      {} as Record<string, string>,
      { 'content-type': 'application/x-www-form-urlencoded' },
      { 'content-type': 'text/plain' },
    ]) {
      const answer = await request(server.url, { method: 'POST', headers, body: '{"query":"{ __typename }"}' });
      expect(answer.status).toBe(415);
      expect(answer.json.errors[0].message).toMatch(/Content-Type: application\/json/);
      expect(answer.text).not.toMatch(/CSRF/);
    }
    const preflight = await request(server.url, {
      method: 'OPTIONS',
      headers: { origin: 'http://localhost:3000', 'access-control-request-method': 'POST' },
    });
    expect(preflight.status).toBe(403);
    expect(preflight.json.errors[0].message).toMatch(/CORS_ORIGINS/);
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('Request bodies are held to GRAPHQL_MAX_BODY_BYTES over real sockets', () => {
  // yoga's own streaming limit is off (src/graphql/yoga.ts): these are the cases it covered.
  it('refuses a chunked body (411) and one declared too large (413); a body at the limit is answered', async () => {
    const query = JSON.stringify({ query: '{ __typename }', variables: { pad: 'x'.repeat(900) } });
    const server = await serve({ maxBodyBytes: Buffer.byteLength(query) });
    const chunked = await new Promise<Answer>((resolve, reject) => {
      const req = http.request(server.url, { method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks), text, json: JSON.parse(text) });
        });
      });
      req.on('error', reject);
      // No Content-Length: node sends the body with Transfer-Encoding: chunked, in two chunks.
      req.write(query.slice(0, 10));
      req.end(query.slice(10));
    });
    expect(chunked.status).toBe(411);
    expect(chunked.json.errors[0].extensions.code).toBe('LENGTH_REQUIRED');
    const tooLarge = await postJson(server.url, `${query} `);
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.json.errors[0].extensions.code).toBe('PAYLOAD_TOO_LARGE');
    const fits = await postJson(server.url, query);
    expect(fits.status).toBe(200);
    expect(fits.json).toEqual({ data: { __typename: 'Query' } });
  });
});

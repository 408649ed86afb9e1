// The HTTP server over real sockets (port 0): /graphql by POST and GET, GraphiQL, /health, error
// masking, graceful close, and the `npm start` entry as a child process that survives a restart.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/client.ts';
import type { Database, ListenHandlers } from '../../src/db/database.ts';
import type { PrismaClient } from '../../src/generated/prisma/client.ts';
import { EXAMPLE_QUERY } from '../../src/graphql/yoga.ts';
import { type RunningServer, type ServerLog, startServer } from '../../src/app.ts';

const projectRoot = fileURLToPath(new URL('../..', import.meta.url));
const config = { host: '127.0.0.1', port: 0 };

interface Logged {
  info: string[];
  errors: Array<{ message: string; detail: unknown }>;
}

function recordingLog(): { log: ServerLog; logged: Logged } {
  const logged: Logged = { info: [], errors: [] };
  return {
    logged,
    log: {
      info: (message) => logged.info.push(message),
      error: (message, detail) => logged.errors.push({ message, detail }),
    },
  };
}

/** A view of `base` for one server: closing it is recorded but leaves `base` open for other tests. */
function view(base: Database, overrides: Partial<Database> = {}): Database & { closed: boolean } {
  const db = {
    kind: base.kind,
    prisma: base.prisma,
    direct: base.direct,
    ping: () => base.ping(),
    listen: (channel: string, handlers: ListenHandlers) => base.listen(channel, handlers),
    closed: false,
    async close() {
      db.closed = true;
    },
    ...overrides,
  };
  return db;
}

async function post(url: string, query: string, variables?: Record<string, unknown>) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, body: (await response.json()) as { data?: any; errors?: any[] } };
}

/** A request on its own connection (no keep-alive pool), so close() timing is not blurred by reuse. */
function rawPost(url: string, query: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const payload = JSON.stringify({ query });
    const req = http.request(
      url,
      {
        method: 'POST',
        agent: false,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let base: Database;
beforeAll(async () => {
  base = await openDatabase({ kind: 'pglite', dataDir: null }, { log: false });
});
afterAll(async () => {
  await base?.close();
});

describe('HTTP server', () => {
  let server: RunningServer;
  let db: ReturnType<typeof view>;
  const { log, logged } = recordingLog();

  beforeAll(async () => {
    db = view(base);
    server = await startServer({ config, db, log });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('listens on the real port when asked for port 0', () => {
    expect(server.port).toBeGreaterThan(0);
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/graphql`);
    expect(server.origin).toBe(`http://127.0.0.1:${server.port}`);
  });

  it('answers GraphQL over POST', async () => {
    const created = await post(
      server.url,
      `mutation($name: String!) {
        createRegisteredModel(input: { name: $name, description: "over HTTP" }) {
          __typename
          ... on RegisteredModelPayload { registeredModel { name description } }
          ... on Error { code message }
        }
      }`,
      { name: 'http-model' },
    );
    expect(created.status).toBe(200);
    expect(created.body.errors).toBeUndefined();
    expect(created.body.data.createRegisteredModel).toEqual({
      __typename: 'RegisteredModelPayload',
      registeredModel: { name: 'http-model', description: 'over HTTP' },
    });

    const read = await post(server.url, '{ registeredModel(name: "http-model") { name } }');
    expect(read).toEqual({ status: 200, body: { data: { registeredModel: { name: 'http-model' } } } });
  });

  it('answers GraphQL queries over GET', async () => {
    const url = `${server.url}?query=${encodeURIComponent('{registeredModels{totalCount}}')}`;
    const response = await fetch(url, { headers: { accept: 'application/json' } });
    expect(response.status).toBe(200);
    const body = (await response.json()) as any;
    expect(body.errors).toBeUndefined();
    expect(body.data.registeredModels.totalCount).toBeGreaterThanOrEqual(1);
  });

  it('refuses mutations over GET', async () => {
    const query = 'mutation { createRegisteredModel(input: { name: "by-get" }) { __typename } }';
    const response = await fetch(`${server.url}?query=${encodeURIComponent(query)}`, { headers: { accept: 'application/json' } });
    expect(response.status).toBe(405);
    const read = await post(server.url, '{ registeredModel(name: "by-get") { name } }');
    expect(read.body.data.registeredModel).toBeNull();
  });

  it('serves a self-contained GraphiQL page to browsers, with the example query', async () => {
    const response = await fetch(server.url, { headers: { accept: 'text/html' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await response.text();
    expect(html).toContain('<title>Model registry</title>');
    // Embedded as a JavaScript string literal.
    expect(html).toContain(JSON.stringify(EXAMPLE_QUERY).slice(1, -1));
    // Works offline: no code or styles from a CDN, no external script or stylesheet at all.
    expect(html).not.toMatch(/unpkg\.com|jsdelivr|esm\.sh|cdnjs|skypack|googleapis/i);
    expect(html).not.toMatch(/<script[^>]+src=["']?(https?:)?\/\//i);
    expect(html).not.toMatch(/<link[^>]+href=["']?(https?:)?\/\//i);
  });

  it('serves the web UI at / (without a built UI, a page saying how to build it) and answers 404 elsewhere', async () => {
    const root = await fetch(`${server.origin}/`, { redirect: 'manual' });
    expect(root.status).toBe(200);
    expect(root.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await root.text()).toContain('<title>Model registry</title>');
    const missing = await fetch(`${server.origin}/nope`);
    expect(missing.status).toBe(404);
    await missing.arrayBuffer();
  });

  it('reports health', async () => {
    const response = await fetch(`${server.origin}/health`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it.each([0, 101, -1])('gives a GraphQL error, not a 500, for first: %i', async (first) => {
    const response = await post(server.url, `{ registeredModels(first: ${first}) { totalCount } }`);
    expect(response.status).toBe(200);
    expect(response.body.data).toBeNull();
    expect(response.body.errors).toHaveLength(1);
    expect(response.body.errors![0].message).toMatch(/first must be between 1 and 100/);
    expect(response.body.errors![0].message).not.toBe('Unexpected error.');
  });

  it('answers malformed requests with a client error and logs nothing', async () => {
    const query = JSON.stringify({ query: '{ registeredModels { ' });
    // GraphQL over HTTP: 200 for application/json clients, 400 for application/graphql-response+json.
    for (const [accept, status] of [
      ['application/json', 200],
      ['application/graphql-response+json', 400],
    ] as const) {
      const response = await fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json', accept }, body: query });
      expect(response.status).toBe(status);
      const body = (await response.json()) as { errors: { message: string }[] };
      expect(body.errors[0].message).toMatch(/Syntax Error/);
    }
    const notJson = await fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{' });
    expect(notJson.status).toBe(400);
    await notJson.arrayBuffer();
    expect(logged.errors).toEqual([]);
  });
});

describe('health when the database fails', () => {
  it('answers 503 when ping rejects (the reason only in the log), 200 again once it answers', async () => {
    let failing = true;
    const { log, logged } = recordingLog();
    const db = view(base, {
      ping: async () => {
        if (failing) throw new Error('connection refused (simulated)');
      },
    });
    const server = await startServer({ config, db, log });
    try {
      const down = await fetch(`${server.origin}/health`);
      expect(down.status).toBe(503);
      expect(await down.json()).toEqual({ status: 'unavailable', error: 'database unavailable' });
      // Logged once per change, not once per probe.
      await (await fetch(`${server.origin}/health`)).arrayBuffer();
      expect(logged.errors.map((e) => e.message)).toEqual(['health: the database does not answer: connection refused (simulated)']);

      failing = false;
      const up = await fetch(`${server.origin}/health`);
      expect(up.status).toBe(200);
      expect(await up.json()).toEqual({ status: 'ok' });
      expect(logged.info).toContain('health: the database answers again');
    } finally {
      await server.close();
    }
    expect(db.closed).toBe(true);
  });

  it('answers 503 after its database was closed underneath, and masks the failing resolvers', async () => {
    const own = await openDatabase({ kind: 'pglite', dataDir: null }, { log: false });
    const { log, logged } = recordingLog();
    const server = await startServer({ config, db: own, log });
    try {
      const before = await post(server.url, '{ registeredModels { totalCount } }');
      expect(before.body).toEqual({ data: { registeredModels: { totalCount: 0 } } });

      await own.close();

      const health = await fetch(`${server.origin}/health`);
      expect(health.status).toBe(503);
      const body = (await health.json()) as { status: string; error: string };
      expect(body.status).toBe('unavailable');
      expect(body.error).toEqual(expect.any(String));
      expect(body.error.length).toBeGreaterThan(0);

      const after = await post(server.url, '{ registeredModels { totalCount } }');
      expect(after.status).toBe(200);
      expect(after.body.errors).toHaveLength(1);
      expect(after.body.errors![0].message).toBe('Unexpected error.');
      // Nothing about the database leaks to the client...
      expect(JSON.stringify(after.body)).not.toMatch(/pglite|prisma|closed|stack/i);
      // ...but the log has it all.
      const faults = logged.errors.filter((e) => e.message.startsWith('unexpected error'));
      expect(faults).toHaveLength(1);
      expect(faults[0].detail).toBeInstanceOf(Error);
      expect(String((faults[0].detail as Error).message)).not.toBe('');
    } finally {
      await server.close(); // closing an already closed database again is harmless
    }
  });
});

describe('unexpected resolver errors', () => {
  it('are masked for the client and logged with detail', async () => {
    const secret = 'relation "registered_model" exploded (simulated, password=hunter2)';
    const failingPrisma = new Proxy(base.prisma, {
      get(target, property, receiver) {
        if (property === '$queryRaw') return async () => Promise.reject(new Error(secret));
        if (property === 'registeredModel') {
          return new Proxy(target.registeredModel, {
            get: (delegate, name) =>
              name === 'count' || name === 'findMany' ? async () => Promise.reject(new Error(secret)) : Reflect.get(delegate, name),
          });
        }
        return Reflect.get(target, property, receiver);
      },
    }) as PrismaClient;
    const { log, logged } = recordingLog();
    // Listings are raw statements on the direct path.
    const failingDirect = async () => Promise.reject(new Error(secret));
    const server = await startServer({ config, db: view(base, { prisma: failingPrisma, direct: failingDirect }), log });
    try {
      const response = await post(server.url, '{ registeredModels { totalCount } }');
      expect(response.status).toBe(200);
      expect(response.body.errors).toHaveLength(1);
      expect(response.body.errors![0].message).toBe('Unexpected error.');
      expect(JSON.stringify(response.body)).not.toContain('hunter2');
      expect(logged.errors).toHaveLength(1);
      expect(logged.errors[0].message).toMatch(/unexpected error/);
      expect((logged.errors[0].detail as Error).message).toBe(secret);
    } finally {
      await server.close();
    }
  });
});

describe('graceful close', () => {
  /** A view whose reads (Prisma operations and raw statements) wait for `release()`; `waiting` counts the reads held back. */
  function gatedView() {
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const state = { waiting: 0 };
    const prisma = base.prisma.$extends({
      query: {
        async $allOperations({ args, query }) {
          state.waiting++;
          await gate;
          return query(args);
        },
      },
    }) as unknown as PrismaClient;
    const direct: Database['direct'] = async (text, values) => {
      state.waiting++;
      await gate;
      return base.direct(text, values);
    };
    return { db: view(base, { prisma, direct }), state, release: () => open() };
  }

  async function until(condition: () => boolean, what: string, ms = 10_000) {
    const deadline = Date.now() + ms;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await sleep(10);
    }
  }

  it('lets in-flight requests finish, refuses new connections, then closes the database', async () => {
    const { db, state, release } = gatedView();
    const server = await startServer({ config, db, log: recordingLog().log });
    const inFlight = Array.from({ length: 6 }, () => rawPost(server.url, '{ registeredModels(first: 5) { nodes { name } } }'));
    // Plus one on fetch's keep-alive pool, the way browsers and most clients talk.
    const pooled = post(server.url, '{ registeredModels(first: 5) { totalCount } }');
    await until(() => state.waiting >= 7, 'the requests to reach the database');

    let closed = false;
    const closing = server.close().then(() => (closed = true));
    await sleep(100);
    expect(closed).toBe(false);
    expect(db.closed).toBe(false);
    // No new connections once close() started.
    await expect(rawPost(server.url, '{ registeredModels { totalCount } }')).rejects.toMatchObject({ code: 'ECONNREFUSED' });

    release();
    const answers = await Promise.all(inFlight);
    for (const answer of answers) {
      expect(answer.status).toBe(200);
      expect(JSON.parse(answer.body)).toEqual({ data: { registeredModels: { nodes: expect.any(Array) } } });
    }
    expect((await pooled).body.data.registeredModels.totalCount).toEqual(expect.any(Number));

    await closing;
    expect(closed).toBe(true);
    expect(db.closed).toBe(true);
    await server.close(); // again: resolves at once
  });

  it('cuts requests that outlast the shutdown timeout, then still closes the database', async () => {
    const { db, state } = gatedView(); // never released
    const { log, logged } = recordingLog();
    const server = await startServer({ config, db, log, shutdownTimeoutMs: 300 });
    const stuck = rawPost(server.url, '{ registeredModels { totalCount } }');
    const outcome = stuck.then(
      () => 'answered',
      (error: NodeJS.ErrnoException) => error.code,
    );
    await until(() => state.waiting >= 1, 'the request to reach the database');

    const started = Date.now();
    await server.close();
    const took = Date.now() - started;
    expect(took).toBeGreaterThanOrEqual(250);
    expect(took).toBeLessThan(5_000);
    expect(db.closed).toBe(true);
    expect(await outcome).toBe('ECONNRESET');
    expect(logged.errors.map((e) => e.message)).toEqual(['shutdown: 1 connection(s) still busy after 300 ms; closing them']);
  });

  it('does not wait for idle keep-alive connections', async () => {
    const server = await startServer({ config, db: view(base), log: recordingLog().log });
    const agent = new http.Agent({ keepAlive: true });
    try {
      const health = await new Promise<number>((resolve, reject) => {
        http
          .get(`${server.origin}/health`, { agent }, (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode ?? 0));
          })
          .on('error', reject);
      });
      expect(health).toBe(200);
      expect(agent.freeSockets).not.toEqual({}); // the connection stays open, idle
      const started = Date.now();
      await server.close();
      // Not the 5 s keep-alive timeout, nor the 10 s shutdown bound.
      expect(Date.now() - started).toBeLessThan(1_000);
    } finally {
      agent.destroy();
    }
  });
});

describe('npm start (src/main.ts as a child process)', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'registry-main-'));
  const children: ChildProcess[] = [];
  afterAll(() => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  interface Started {
    child: ChildProcess;
    url: string;
    stdout: () => string;
    stderr: () => string;
    exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  }

  function start(env: Record<string, string>): Promise<Started> {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: projectRoot,
      env: { ...process.env, HOST: '127.0.0.1', PORT: '0', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (c) => (stdout += c));
    child.stderr!.setEncoding('utf8').on('data', (c) => (stderr += c));
    const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.once('exit', (code, signal) => resolve({ code, signal })),
    );
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no listening line within 30 s; stderr:\n${stderr}`)), 30_000);
      const check = () => {
        const match = /model registry listening on (http:\/\/\S+\/graphql)/.exec(stdout);
        if (match) {
          clearTimeout(timer);
          child.stdout!.off('data', check);
          resolve({ child, url: match[1], stdout: () => stdout, stderr: () => stderr, exit });
        }
      };
      child.stdout!.on('data', check);
      void exit.then(({ code, signal }) => {
        clearTimeout(timer);
        reject(new Error(`exited (${code ?? signal}) before listening; stderr:\n${stderr}`));
      });
    });
  }

  it('serves, stops on SIGTERM with exit code 0, and finds its data after a restart', { timeout: 90_000 }, async () => {
    const first = await start({ DATABASE_URL: `pglite:${dataDir}` });
    expect(first.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/graphql$/);
    expect(first.url).not.toContain(':0/');
    expect(first.stdout()).toContain(`database: PGlite (${dataDir})`);
    expect(first.stderr()).toContain('Applied migration');

    const created = await post(
      first.url,
      `mutation { createRegisteredModel(input: { name: "survivor" }) {
        __typename ... on Error { code message } } }`,
    );
    expect(created.body).toEqual({ data: { createRegisteredModel: { __typename: 'RegisteredModelPayload' } } });

    first.child.kill('SIGTERM');
    expect(await first.exit).toEqual({ code: 0, signal: null });
    expect(first.stderr()).toContain('SIGTERM received');
    expect(first.stderr()).toContain('model registry stopped');

    const second = await start({ DATABASE_URL: `pglite:${dataDir}` });
    expect(second.stderr()).not.toContain('Applied migration');
    const read = await post(second.url, '{ registeredModel(name: "survivor") { name versions { totalCount } } }');
    expect(read.body).toEqual({ data: { registeredModel: { name: 'survivor', versions: { totalCount: 0 } } } });
    const health = await fetch(second.url.replace(/\/graphql$/, '/health'));
    expect(await health.json()).toEqual({ status: 'ok' });

    second.child.kill('SIGINT');
    expect(await second.exit).toEqual({ code: 0, signal: null });
  });

  it('exits 1 naming every bad setting', { timeout: 30_000 }, async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: projectRoot,
      env: { ...process.env, PORT: 'eighty', DATABASE_URL: 'mysql://db/x', TX_TIMEOUT_MS: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (c) => (stderr += c));
    const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
    expect(code).toBe(1);
    expect(stderr).toContain('Invalid configuration');
    expect(stderr).toContain('PORT must be an integer');
    expect(stderr).toContain('TX_TIMEOUT_MS must be an integer');
    expect(stderr).toContain('DATABASE_URL "mysql://db/x" is not supported');
  });
});

// Operation limits, body size, batching, CSRF, CORS, the introspection switch and the token cache,
// through the real yoga server in-process. One engine suffices: none of this reaches SQL.
import { readFileSync } from 'node:fs';
import { getIntrospectionQuery } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Authenticator } from '../../src/auth/authenticator.ts';
import { ProtectedAliasPolicy } from '../../src/auth/protected-aliases.ts';
import { createApiToken, revokeApiToken } from '../../src/auth/tokens.ts';
import { DEFAULT_SECURITY, type SecurityConfig, loadConfig } from '../../src/config.ts';
import { openDatabase } from '../../src/db/client.ts';
import type { Database } from '../../src/db/database.ts';
import { DEFAULT_GRAPHQL_LIMITS } from '../../src/config.ts';
import { createApp } from '../../src/app.ts';
import { seedModels } from '../support/seed.ts';

// The dashboard of test/graphql/batching.test.ts, which the default limits must admit with a full page (read
// from that file rather than imported, which would run its suites here too).
const DASHBOARD_QUERY = /export const DASHBOARD_QUERY = \/\* GraphQL \*\/ `([^`]*)`/.exec(
  readFileSync(new URL('../graphql/batching.test.ts', import.meta.url), 'utf8'),
)![1];

let db: Database;
beforeAll(async () => {
  db = await openDatabase({ kind: 'pglite', dataDir: null }, { log: false });
  await seedModels(db.prisma, { prefix: 'dash', models: 3, versions: 2 });
});
afterAll(() => db?.close());

function server(security: Partial<SecurityConfig> = {}) {
  const logged: unknown[] = [];
  const yoga = createApp(db, { logError: (e) => logged.push(e), security }).yoga;
  return {
    logged,
    async post(body: unknown, headers: Record<string, string> = {}) {
      const response = await yoga.fetch('http://localhost/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
      const text = await response.text();
      let json: any = null;
      try {
        json = JSON.parse(text);
      } catch {}
      return { status: response.status, json, text, headers: response.headers };
    },
    fetch: (path: string, init: RequestInit) => yoga.fetch(`http://localhost${path}`, init),
  };
}

const messages = (json: any): string[] => (json?.errors ?? []).map((e: { message: string }) => e.message);

const CHAIN =
  'registeredModels(first: 1) { nodes { versions(first: 1) { nodes { model { versions(first: 1) { nodes { model { latestVersion {';
const DEPTH_10 = `{ ${CHAIN} version } } } } } } } } } }`;
const DEPTH_11 = `{ ${CHAIN} model { name } } } } } } } } } } }`;

describe('operation limits (defaults: depth 10, 10 aliases, 10 root fields, complexity 60,000)', () => {
  it("admits the dashboard with a full page of 100 models, and GraphiQL's schema query", async () => {
    expect(DASHBOARD_QUERY).toContain('query Dashboard');
    const dashboard = await server().post({ query: DASHBOARD_QUERY, variables: { first: 100 } });
    expect(dashboard.json.errors).toBeUndefined();
    const introspection = getIntrospectionQuery({
      descriptions: true,
      specifiedByUrl: true,
      directiveIsRepeatable: true,
      schemaDescription: true,
      inputValueDeprecation: true,
    });
    const schema = await server().post({ query: introspection });
    expect(schema.json.errors).toBeUndefined();
    expect(schema.json.data.__schema.types.length).toBeGreaterThan(20);
  });

  it('refuses depth 11 and admits depth 10', async () => {
    const ten = await server().post({ query: DEPTH_10 });
    expect(ten.json.errors).toBeUndefined();
    const eleven = await server().post({ query: DEPTH_11 });
    expect(eleven.json.errors[0].extensions.code).toBe('QUERY_TOO_COMPLEX');
    expect(messages(eleven.json)[0]).toContain('nested 11 levels deep (at most 10)');
  });

  it('refuses an 11th alias and an 11th root field', async () => {
    const aliases = (n: number) =>
      `{ registeredModel(name: "dash-000") { ${Array.from({ length: n }, (_, i) => `a${i}: name`).join(' ')} } }`;
    expect((await server().post({ query: aliases(10) })).json.errors).toBeUndefined();
    expect(messages((await server().post({ query: aliases(11) })).json)).toEqual(['The operation uses 11 aliases (at most 10).']);
    const roots = (n: number) => `{ ${Array.from({ length: n }, () => '__typename').join(' ')} }`;
    expect((await server().post({ query: roots(10) })).json.errors).toBeUndefined();
    expect(messages((await server().post({ query: roots(11) })).json)).toEqual(['The operation selects 11 root fields (at most 10).']);
  });

  it('refuses a costly query before running it, whatever `first` comes from', async () => {
    const hostile = 'query($n: Int) { registeredModels(first: $n) { nodes { versions(first: $n) { nodes { tags { key } aliases } } } } }';
    const refused = await server().post({ query: hostile, variables: { n: 100 } });
    expect(messages(refused.json)[0]).toMatch(/estimated cost (of \d+ )?\(?(over )?.*60000/);
    expect(refused.json.errors[0].extensions.code).toBe('QUERY_TOO_COMPLEX');
    const small = await server().post({ query: hostile, variables: { n: 5 } });
    expect(small.json.errors).toBeUndefined();
  });

  it('measures a fragment bomb without expanding it', async () => {
    const levels = 30;
    const fragments = Array.from({ length: levels }, (_, i) =>
      i === levels - 1
        ? `fragment F${i} on RegisteredModel { name }`
        : `fragment F${i} on RegisteredModel { ...F${i + 1} a${i}: description ...F${i + 1} }`,
    ).join('\n');
    // Expanded, this is 2^30 fields: an answer at all (within the test timeout) shows the walk stops early.
    const response = await server({ limits: { ...DEFAULT_GRAPHQL_LIMITS, maxAliases: 1_000_000 } }).post({
      query: `{ registeredModel(name: "dash-000") { ...F0 } }\n${fragments}`,
    });
    expect(response.json.errors[0].extensions.code).toBe('QUERY_TOO_COMPLEX');
    expect(messages(response.json)[0]).toContain('estimated cost over 60000');
  });

  it('takes its limits from the environment', () => {
    const config = loadConfig({
      GRAPHQL_MAX_DEPTH: '5',
      GRAPHQL_MAX_COMPLEXITY: '1000',
      GRAPHQL_MAX_ALIASES: '2',
      GRAPHQL_MAX_ROOT_FIELDS: '3',
    });
    expect(config.security.limits).toEqual({ maxDepth: 5, maxComplexity: 1000, maxAliases: 2, maxRootFields: 3 });
    expect(() => loadConfig({ GRAPHQL_MAX_DEPTH: 'deep' })).toThrow(/GRAPHQL_MAX_DEPTH must be an integer from 2 to 100/);
    expect(() => loadConfig({ REGISTRY_AUTH: 'maybe' })).toThrow(/REGISTRY_AUTH must be one of required, off/);
    expect(() => loadConfig({ PROTECTED_ALIASES: 'production' })).toThrow(/PROTECTED_ALIASES rule "production"/);
    expect(loadConfig({}).security).toEqual({ ...DEFAULT_SECURITY, auth: 'off' });
    expect(loadConfig({ DATABASE_URL: 'postgres://x@127.0.0.1/db' }).security.auth).toBe('required');
    expect(loadConfig({ HOST: '0.0.0.0' }).security.auth).toBe('required');
    expect(loadConfig({ HOST: '0.0.0.0', REGISTRY_AUTH: 'off' }).security.auth).toBe('off');
  });
});

describe('requests', () => {
  it('refuses a body over GRAPHQL_MAX_BODY_BYTES with 413, by its Content-Length', async () => {
    const body = JSON.stringify({ query: '{ __typename }', variables: { pad: 'x'.repeat(2_000) } });
    const small = server({ maxBodyBytes: 1_024 });
    const refused = await small.post(body, { 'content-length': String(Buffer.byteLength(body)) });
    expect(refused.status).toBe(413);
    expect(refused.json.errors[0].extensions.code).toBe('PAYLOAD_TOO_LARGE');
    const fits = await server().post(body, { 'content-length': String(Buffer.byteLength(body)) });
    expect(fits.status).toBe(200);
  });

  it('runs at most GRAPHQL_MAX_BATCH operations per batched request (default 10), or none when 0', async () => {
    const batch = (n: number) => Array.from({ length: n }, () => ({ query: '{ __typename }' }));
    const ten = await server().post(batch(10));
    expect(ten.json).toHaveLength(10);
    const eleven = await server().post(batch(11));
    expect(eleven.json.errors?.[0]?.message ?? eleven.json[0]?.errors?.[0]?.message).toMatch(/[Bb]atch/);
    const off = await server({ maxBatch: 0 }).post(batch(2));
    expect(off.status).toBeGreaterThanOrEqual(400);
    expect(off.status).toBeLessThan(500);
  });

  it('refuses browser form and text/plain POSTs (CSRF): only JSON POSTs and GETs pass', async () => {
    const s = server();
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
      const response = await s.fetch('/graphql', {
        method: 'POST',
        headers: { 'content-type': type, 'x-graphql-yoga-csrf': '1' },
        body: 'query={__typename}',
      });
      expect(response.status).toBe(415);
      expect(await response.text()).toContain('Content-Type: application/json');
    }
    expect((await s.post({ query: '{ __typename }' })).status).toBe(200);
    const get = await s.fetch('/graphql?query=%7B__typename%7D', { headers: { accept: 'application/json' } });
    expect(get.status).toBe(200);
  });

  it('sends no CORS headers unless CORS_ORIGINS lists the origin', async () => {
    const preflight = { method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } };
    const closed = await server().fetch('/graphql', preflight);
    expect(closed.headers.get('access-control-allow-origin')).toBeNull();
    const open = server({ corsOrigins: ['https://app.example'] });
    const allowed = await open.fetch('/graphql', { ...preflight, headers: { ...preflight.headers, origin: 'https://app.example' } });
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://app.example');
    const other = await open.fetch('/graphql', preflight);
    expect(other.headers.get('access-control-allow-origin')).not.toBe('https://evil.example');
    expect(loadConfig({ CORS_ORIGINS: 'https://a.example, http://b.example:8080' }).security.corsOrigins).toEqual([
      'https://a.example',
      'http://b.example:8080',
    ]);
    expect(() => loadConfig({ CORS_ORIGINS: '*' })).toThrow(/CORS_ORIGINS/);
  });

  it('answers introspection unless GRAPHQL_INTROSPECTION=off', async () => {
    expect((await server().post({ query: '{ __schema { queryType { name } } }' })).json.data).toBeTruthy();
    const off = await server({ introspection: false }).post({ query: '{ __schema { queryType { name } } }' });
    expect(off.json.errors[0].message).toMatch(/introspection/i);
    expect(
      (await server({ introspection: false }).post({ query: '{ registeredModels { totalCount } }' })).json.data.registeredModels.totalCount,
    ).toBe(3);
    expect(loadConfig({ GRAPHQL_INTROSPECTION: 'off' }).security.introspection).toBe(false);
  });
});

describe('token lookups', () => {
  it('check the database on every request by default; AUTH_CACHE_MS trades that for at most that delay', async () => {
    const policy = ProtectedAliasPolicy.parse('');
    const { secret } = await createApiToken(db.prisma, { name: 'cached', role: 'READER' }, null);
    let now = Date.now();
    const cached = new Authenticator(db.prisma, { mode: 'required', protectedAliases: policy, cacheMs: 1_000 }, () => now);
    const uncached = new Authenticator(db.prisma, { mode: 'required', protectedAliases: policy }, () => now);
    expect((await cached.authenticate(`Bearer ${secret}`)).actor).toBe('cached');
    expect((await uncached.authenticate(`Bearer ${secret}`)).actor).toBe('cached');
    await revokeApiToken(db.prisma, 'cached');
    await expect(uncached.authenticate(`Bearer ${secret}`)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    expect((await cached.authenticate(`Bearer ${secret}`)).actor).toBe('cached');
    now += 1_001;
    await expect(cached.authenticate(`Bearer ${secret}`)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    await expect(uncached.authenticate('Basic abc')).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    await expect(uncached.authenticate(null)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
  });
});

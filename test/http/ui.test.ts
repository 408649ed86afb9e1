// The web UI's files over real sockets: index.html at / and at the UI's client routes (for
// browsers), hashed assets with their content types and immutable caching, and never in the way
// of /graphql, /health, /live or the MLflow paths. Uses a stand-in build in a temporary folder.
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, startServer } from '../../src/app.ts';
import { openDatabase } from '../../src/db/client.ts';

/** A GET with exactly these headers (fetch would add and undo its own Accept-Encoding). */
function raw(url: string, headers: Record<string, string>): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
      })
      .on('error', reject);
  });
}

const html = (marker: string) => `<!doctype html><html><head><title>Model registry</title></head><body>${marker}</body></html>`;

describe('web UI files', () => {
  let server: RunningServer;
  let noUi: RunningServer;
  const dir = mkdtempSync(path.join(tmpdir(), 'registry-ui-'));

  beforeAll(async () => {
    mkdirSync(path.join(dir, 'assets'));
    writeFileSync(path.join(dir, 'index.html'), html('first build'));
    writeFileSync(path.join(dir, 'assets', 'index-abc123.js'), 'console.log(1);');
    writeFileSync(path.join(dir, 'assets', 'index-abc123.css'), 'body{}');
    writeFileSync(path.join(dir, 'secret.txt'), 'not for you');
    const db = await openDatabase({ kind: 'pglite', dataDir: null }, { log: false });
    const log = { info() {}, error() {} };
    server = await startServer({ config: { host: '127.0.0.1', port: 0 }, db, log, uiDir: dir });
    const other = await openDatabase({ kind: 'pglite', dataDir: null }, { log: false });
    noUi = await startServer({ config: { host: '127.0.0.1', port: 0 }, db: other, log, uiDir: null });
  });

  afterAll(async () => {
    await server?.close();
    await noUi?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves index.html at / without caching, with a same-origin Content-Security-Policy', async () => {
    const response = await fetch(`${server.origin}/`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('no-cache');
    expect(response.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(response.headers.get('content-security-policy')).toContain("connect-src 'self'");
    expect(await response.text()).toContain('first build');
  });

  it('serves the page at client routes to browsers (SPA fallback), and 404 to API clients', async () => {
    for (const route of ['/models/fraud', '/models/fraud/versions/3', '/history', '/models/a%2Fb']) {
      const page = await fetch(`${server.origin}${route}`, { headers: { accept: 'text/html,application/xhtml+xml' } });
      expect(page.status, route).toBe(200);
      expect(await page.text()).toContain('first build');
      const api = await fetch(`${server.origin}${route}`, { headers: { accept: 'application/json' } });
      expect(api.status, route).toBe(404);
      await api.arrayBuffer();
    }
    const other = await fetch(`${server.origin}/elsewhere`, { headers: { accept: 'text/html' } });
    expect(other.status).toBe(404);
    await other.arrayBuffer();
  });

  it('serves assets with their content type and a year of immutable caching; HEAD has no body', async () => {
    const js = await fetch(`${server.origin}/assets/index-abc123.js`);
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(js.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(await js.text()).toBe('console.log(1);');
    const css = await fetch(`${server.origin}/assets/index-abc123.css`);
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
    await css.arrayBuffer();
    const head = await fetch(`${server.origin}/assets/index-abc123.js`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe('15');
    expect(await head.text()).toBe('');
  });

  it('compresses what the browser accepts (brotli, else gzip) and revalidates by ETag', async () => {
    const big = `console.log(${JSON.stringify('x'.repeat(5000))});`;
    writeFileSync(path.join(dir, 'assets', 'big-1.js'), big);
    const url = `${server.origin}/assets/big-1.js`;
    for (const [accept, encoding, decode] of [
      ['gzip, deflate, br', 'br', brotliDecompressSync],
      ['gzip', 'gzip', gunzipSync],
    ] as const) {
      const response = await raw(url, { 'accept-encoding': accept });
      expect(response.headers['content-encoding']).toBe(encoding);
      expect(response.headers.vary).toBe('accept-encoding');
      expect(response.body.length).toBeLessThan(big.length / 10);
      expect(decode(response.body).toString()).toBe(big);
    }
    const plain = await raw(url, {});
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body.toString()).toBe(big);
    const again = await raw(url, { 'if-none-match': plain.headers.etag as string });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);
    const page = await raw(`${server.origin}/`, {});
    expect(page.headers['x-frame-options']).toBe('DENY');
    expect(page.headers.etag).toMatch(/^"/);
  });

  it('answers 404 for missing assets and for paths leaving the assets folder', async () => {
    for (const asset of [
      '/assets/missing.js',
      '/assets/../secret.txt',
      '/assets/%2e%2e/secret.txt',
      '/assets/..%2fsecret.txt',
      '/secret.txt',
    ]) {
      const response = await fetch(`${server.origin}${asset}`);
      expect(response.status, asset).toBe(404);
      expect(await response.text()).not.toContain('not for you');
    }
  });

  it('never shadows /graphql, /health, /live or the MLflow REST API', async () => {
    const graphiql = await fetch(`${server.origin}/graphql`, { headers: { accept: 'text/html' } });
    expect(await graphiql.text()).toMatch(/graphiql/i);
    const query = await fetch(`${server.origin}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ registeredModels { totalCount } }' }),
    });
    expect(await query.json()).toEqual({ data: { registeredModels: { totalCount: 0 } } });
    const health = await fetch(`${server.origin}/health`, { headers: { accept: 'text/html' } });
    expect(await health.json()).toEqual({ status: 'ok' });
    const live = await fetch(`${server.origin}/live`, { headers: { accept: 'text/html' } });
    expect(live.status).toBe(200);
    await live.arrayBuffer();
    const mlflow = await fetch(`${server.origin}/api/2.0/mlflow/registered-models/search`, { headers: { accept: 'text/html' } });
    expect(mlflow.headers.get('content-type')).toMatch(/^application\/json/);
    expect(mlflow.status).toBe(200);
    expect(await mlflow.json()).toEqual({});
    const post = await fetch(`${server.origin}/`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(post.status).toBe(404);
    await post.arrayBuffer();
  });

  it('serves a rebuilt index.html without a restart', async () => {
    writeFileSync(path.join(dir, 'index.html'), html('second build'));
    const later = new Date(Date.now() + 5_000);
    utimesSync(path.join(dir, 'index.html'), later, later);
    expect(await (await fetch(`${server.origin}/`)).text()).toContain('second build');
  });

  it('without a built UI, / says how to build it; with the UI turned off, / redirects to GraphiQL', async () => {
    rmSync(path.join(dir, 'index.html'));
    const missing = await fetch(`${server.origin}/`);
    expect(missing.status).toBe(200);
    expect(await missing.text()).toContain('npm run build:ui');
    const off = await fetch(`${noUi.origin}/`, { redirect: 'manual' });
    expect(off.status).toBe(302);
    expect(off.headers.get('location')).toBe('/graphql');
    await off.arrayBuffer();
  });
});

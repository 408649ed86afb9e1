// The web UI's files (dist/ui, built from src/ui by `npm install` or `npm run build:ui`): index.html
// at / and at the UI's own client routes (/models/..., /history), content-hashed assets under
// /assets/ with a year of immutable caching. Everything else is left to the other front doors, so
// /graphql, /health, /live and the MLflow paths are never shadowed. The UI is only another client of
// the public GraphQL API; this file only hands out its files.
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import type http from 'node:http';
import path from 'node:path';
import zlib, { brotliCompressSync, gzipSync } from 'node:zlib';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json; charset=utf-8',
  '.woff2': 'font/woff2',
  '.map': 'application/json; charset=utf-8',
};

/** Paths the UI's router owns: the page is index.html, the router picks the view. */
export function isUiRoute(pathname: string): boolean {
  return pathname === '/' || pathname === '/history' || pathname === '/models' || pathname.startsWith('/models/');
}

export function isUiAsset(pathname: string): boolean {
  return pathname.startsWith('/assets/');
}

// The page itself must not be cached (it names the current assets); a strict policy keeps it to
// our own origin: scripts, styles and connections (fetch and WebSocket to /graphql) from here only.
const PAGE_HEADERS = {
  'cache-control': 'no-cache',
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'",
  'referrer-policy': 'same-origin',
  'x-frame-options': 'DENY',
};

const MISSING_PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Model registry</title></head><body>
<main><h1>Model registry</h1><p>The web UI is not built here. Run <code>npm run build:ui</code> (<code>npm install</code> does it too),
then reload. GraphiQL is at <a href="/graphql">/graphql</a>.</p></main></body></html>`;

export interface UiFiles {
  /** Serves `pathname` when it is the UI's; false when it is not (the caller routes it elsewhere). */
  serve(req: http.IncomingMessage, res: http.ServerResponse, pathname: string): boolean;
}

/** One file as read, with its compressed forms made on first demand and kept (files change only by a rebuild). */
interface Loaded {
  mtimeMs: number;
  body: Buffer;
  etag: string;
  br?: Buffer;
  gzip?: Buffer;
}

const COMPRESSIBLE = /^(text\/|application\/json|image\/svg)/;

export function uiFiles(dir: string): UiFiles {
  const root = path.resolve(dir);
  const loaded = new Map<string, Loaded>();
  const load = (file: string): Loaded | null => {
    try {
      const { mtimeMs } = statSync(file);
      let entry = loaded.get(file);
      // Re-read after a rebuild (npm run build:ui while the server runs).
      if (!entry || entry.mtimeMs !== mtimeMs) {
        const body = readFileSync(file);
        entry = { mtimeMs, body, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"` };
        loaded.set(file, entry);
      }
      return entry;
    } catch {
      return null;
    }
  };
  const send = (
    req: http.IncomingMessage,
    res: http.ServerResponse,
    status: number,
    headers: Record<string, string>,
    body: Buffer | string,
  ) => {
    res.writeHead(status, { ...headers, 'content-length': Buffer.byteLength(body) });
    res.end(req.method === 'HEAD' ? undefined : body);
  };
  /** A file with ETag revalidation and, when the browser accepts it, brotli or gzip. */
  const sendFile = (req: http.IncomingMessage, res: http.ServerResponse, entry: Loaded, headers: Record<string, string>) => {
    const common = { ...headers, etag: entry.etag, vary: 'accept-encoding' };
    if (req.headers['if-none-match'] === entry.etag) {
      res.writeHead(304, common).end();
      return;
    }
    const accepted = String(req.headers['accept-encoding'] ?? '');
    if (COMPRESSIBLE.test(headers['content-type']) && entry.body.length > 1024) {
      if (/\bbr\b/.test(accepted)) {
        entry.br ??= brotliCompressSync(entry.body, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 9 } });
        return send(req, res, 200, { ...common, 'content-encoding': 'br' }, entry.br);
      }
      if (/\bgzip\b/.test(accepted)) {
        entry.gzip ??= gzipSync(entry.body, { level: 9 });
        return send(req, res, 200, { ...common, 'content-encoding': 'gzip' }, entry.gzip);
      }
    }
    send(req, res, 200, common, entry.body);
  };
  return {
    serve(req, res, pathname) {
      if (req.method !== 'GET' && req.method !== 'HEAD') return false;
      if (isUiAsset(pathname)) {
        const file = path.resolve(root, `.${decodeURIComponentSafe(pathname)}`);
        const type = TYPES[path.extname(file)];
        const entry = file.startsWith(`${root}${path.sep}`) && type ? load(file) : null;
        if (!entry || !type) {
          send(req, res, 404, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-cache' }, 'Not found.\n');
          return true;
        }
        sendFile(req, res, entry, { 'content-type': type, 'cache-control': 'public, max-age=31536000, immutable' });
        return true;
      }
      if (!isUiRoute(pathname)) return false;
      // Client routes other than / serve the page only to browsers asking for HTML; API clients get
      // the usual 404 from yoga.
      if (pathname !== '/' && !(req.headers.accept ?? '').includes('text/html')) return false;
      const page = load(path.join(root, 'index.html'));
      const headers = { 'content-type': 'text/html; charset=utf-8', ...PAGE_HEADERS };
      if (page) sendFile(req, res, page, headers);
      else send(req, res, 200, headers, MISSING_PAGE);
      return true;
    },
  };
}

function decodeURIComponentSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

// Request-level protections, as yoga plugins: body size, JSON-only POSTs (CSRF), CORS refusals,
// GraphiQL delivery, the introspection switch (and its hints), and the
// operation limits of limits.ts. Settings and defaults: SecurityConfig in src/config.ts.
import { createHash } from 'node:crypto';
import { brotliCompressSync, constants as zlibConstants, gzipSync } from 'node:zlib';
import { useDisableIntrospection } from '@graphql-yoga/plugin-disable-introspection';
import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { type SecurityConfig, isLoopback } from '../config.ts';
import { useOperationLimits, useParserLimits } from './limits.ts';

function errorResponse(status: number, message: string, code: string): Response {
  return new Response(JSON.stringify({ errors: [{ message, extensions: { code } }] }), {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8' },
  });
}

/**
 * Bodies larger than `maxBytes` are refused before they are read (413), by their declared
 * Content-Length; a POST over HTTP without one (chunked) is refused too (411), since its size
 * would be known only after reading it.
 */
export function useBodyLimit(maxBytes: number): Plugin {
  return {
    onRequest({ request, endResponse }) {
      if (request.method !== 'POST') return;
      const declared = request.headers.get('content-length');
      if (declared === null) {
        if (request.headers.has('transfer-encoding')) {
          endResponse(errorResponse(411, 'Send the request body with a Content-Length header.', 'LENGTH_REQUIRED'));
        }
        return;
      }
      if (!/^\d+$/.test(declared) || Number(declared) > maxBytes) {
        endResponse(errorResponse(413, `The request body is larger than ${maxBytes} bytes.`, 'PAYLOAD_TOO_LARGE'));
      }
    },
  };
}

/**
 * POSTs must be JSON. A browser can send a form, multipart or text/plain POST to any site without a
 * CORS preflight; a JSON one needs a preflight, which only CORS_ORIGINS pass. So refusing every
 * other body type is the CSRF protection, and the refusal says what to send (the usual curl slip
 * is a missing `-H 'content-type: application/json'`). GET is exempt: it runs only queries
 * (mutations get 405) and, without CORS, another site cannot read the answer.
 */
function useJsonPosts(): Plugin {
  return {
    onRequest({ request, endResponse }) {
      if (request.method !== 'POST') return;
      const type = request.headers.get('content-type') ?? '';
      if (/^application\/([\w.-]+\+)?json\s*(;|$)/i.test(type)) return;
      endResponse(
        errorResponse(
          415,
          `Send the request body as JSON with the header "Content-Type: application/json" (got ${type ? `"${type}"` : 'no Content-Type'}).`,
          'UNSUPPORTED_MEDIA_TYPE',
        ),
      );
    },
  };
}

/** A CORS preflight from an origin not in CORS_ORIGINS gets a refusal that names the setting. */
function usePreflightRefusal(corsOrigins: readonly string[]): Plugin {
  return {
    onRequest({ request, endResponse }) {
      if (request.method !== 'OPTIONS') return;
      const origin = request.headers.get('origin');
      if (origin !== null && corsOrigins.includes(origin)) return;
      endResponse(
        errorResponse(
          403,
          `Cross-origin requests from ${origin ?? 'this origin'} are not allowed: list the origin in the server's CORS_ORIGINS setting.`,
          'FORBIDDEN',
        ),
      );
    },
  };
}

/** graphql-js's "Did you mean ...?" hints name schema fields and types: no hints without introspection. */
export function withoutSuggestions(error: GraphQLError): GraphQLError {
  const message = error.message.replace(/\s*Did you mean [\s\S]*\?$/, '');
  if (message === error.message) return error;
  return new GraphQLError(message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    originalError: error.originalError,
    extensions: error.extensions,
  });
}

function useNoSuggestions(): Plugin {
  return {
    onValidate() {
      return ({ result, setResult }) => {
        if (result.length > 0) setResult(result.map((e) => (e instanceof GraphQLError ? withoutSuggestions(e) : e)));
      };
    },
  };
}

/**
 * The GraphiQL page (about 9 MB, the same for every request) is compressed once per encoding and
 * served with an ETag; it may not be framed (clickjacking a prefilled mutation).
 */
function useGraphiQLDelivery(): Plugin {
  let page: { etag: string; raw: Buffer; gzip?: Buffer; br?: Buffer } | null = null;
  return {
    async onResponse({ request, response, setResponse }) {
      if (!response.headers.get('content-type')?.startsWith('text/html')) return;
      const text = await response.text();
      if (page === null || page.raw.toString('utf8') !== text) {
        const raw = Buffer.from(text, 'utf8');
        page = { etag: `"${createHash('sha256').update(raw).digest('base64url').slice(0, 27)}"`, raw };
      }
      const headers = new Headers(response.headers);
      headers.set('etag', page.etag);
      headers.set('cache-control', 'no-cache');
      headers.set('vary', 'accept, accept-encoding');
      headers.set('x-frame-options', 'DENY');
      headers.set('content-security-policy', "frame-ancestors 'none'");
      headers.delete('content-length');
      if (request.headers.get('if-none-match') === page.etag) {
        setResponse(new Response(null, { status: 304, headers }));
        return;
      }
      const accepted = request.headers.get('accept-encoding') ?? '';
      let body: Buffer = page.raw;
      if (/\bbr\b/.test(accepted)) {
        // Quality 5: a fraction of the default 11's time for nearly its size on this page.
        page.br ??= brotliCompressSync(page.raw, { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 5 } });
        body = page.br;
        headers.set('content-encoding', 'br');
      } else if (/\bgzip\b/.test(accepted)) {
        page.gzip ??= gzipSync(page.raw);
        body = page.gzip;
        headers.set('content-encoding', 'gzip');
      }
      headers.set('content-length', String(body.length));
      setResponse(new Response(body as unknown as BodyInit, { status: response.status, headers }));
    },
  };
}

/** Every answer: browsers must not guess another content type (e.g. run a JSON answer as script). */
function useNoSniff(): Plugin {
  return {
    onResponse({ response }) {
      response.headers.set('x-content-type-options', 'nosniff');
    },
  };
}

const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]'];

/**
 * The Host rule against DNS rebinding (a page on attacker.example whose name now resolves to
 * 127.0.0.1 is same-origin with the registry for the browser): on a loopback HOST only the
 * loopback names are served, unless ALLOWED_HOSTS lists others; on another HOST any name, unless
 * ALLOWED_HOSTS is set. Returns the refusal message, or null when the Host is served.
 */
export function hostRule(listenHost: string, allowedHosts: readonly string[]): (host: string | undefined) => string | null {
  const names =
    allowedHosts.length > 0
      ? allowedHosts
      : isLoopback(listenHost)
        ? [...LOOPBACK_NAMES, listenHost.includes(':') ? `[${listenHost}]` : listenHost]
        : null;
  if (names === null) return () => null;
  return (host) => {
    if (host === undefined) return null; // HTTP/1.0 clients; browsers always send Host
    let name: string;
    try {
      name = new URL(`http://${host}`).hostname.toLowerCase();
    } catch {
      name = host;
    }
    if (names.includes(name)) return null;
    return `This server does not answer for the host name "${name}" (DNS rebinding protection): address it as ${names.join(', ')}, or list the name in ALLOWED_HOSTS.`;
  };
}

export function securityPlugins(security: SecurityConfig): Plugin[] {
  return [
    useNoSniff(),
    useGraphiQLDelivery(),
    useBodyLimit(security.maxBodyBytes),
    usePreflightRefusal(security.corsOrigins),
    useJsonPosts(),
    ...(security.introspection ? [] : [useDisableIntrospection() as Plugin, useNoSuggestions()]),
    useParserLimits(),
    useOperationLimits(security.limits),
  ];
}

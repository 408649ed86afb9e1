// Request-level protections, as yoga plugins: body size, CSRF, introspection switch, and the
// operation limits of limits.ts. Settings and defaults: SecurityConfig in src/config.ts.
import { useCSRFPrevention } from '@graphql-yoga/plugin-csrf-prevention';
import { useDisableIntrospection } from '@graphql-yoga/plugin-disable-introspection';
import type { Plugin } from 'graphql-yoga';
import type { SecurityConfig } from '../config.ts';
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
 * yoga's CSRF prevention: a browser can send a form or text/plain POST to any site without a
 * preflight, so such requests must carry the `x-graphql-yoga-csrf` header (JSON POSTs, which need
 * a preflight, pass as they are). GET is exempt: it runs only queries (mutations get 405) and,
 * without CORS, another site cannot read the answer.
 */
function useCsrfForPosts(): Plugin {
  const csrf = useCSRFPrevention({ requestHeaders: ['x-graphql-yoga-csrf'] }) as Plugin;
  return {
    onRequestParse(payload) {
      if (payload.request.method === 'GET') return;
      return csrf.onRequestParse?.(payload);
    },
  };
}

export function securityPlugins(security: SecurityConfig): Plugin[] {
  return [
    useBodyLimit(security.maxBodyBytes),
    useCsrfForPosts(),
    ...(security.introspection ? [] : [useDisableIntrospection() as Plugin]),
    useParserLimits(),
    useOperationLimits(security.limits),
  ];
}

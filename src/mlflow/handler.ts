// The MLflow front door: MLflow 3.6's Model Registry REST API under /api/2.0/mlflow/ (the Python
// client) and /ajax-api/2.0/mlflow/ (MLflow's web UI), as a handler of read requests that
// src/http/server.ts mounts and tests call in-process. Thin like the GraphQL one: authentication, decoding, one
// registry command or read per route (routes.ts), MLflow's shapes and errors.
//
// Authentication is the GraphQL door's Authenticator. MLflow's client sends either
// `Authorization: Bearer $MLFLOW_TRACKING_TOKEN` or Basic from MLFLOW_TRACKING_USERNAME and
// MLFLOW_TRACKING_PASSWORD; with Basic the password is the token and the user name is ignored
// (the token already names its holder), so either setting works without client changes.
import type { Authenticator } from '../auth/authenticator.ts';
import { unauthenticated } from '../auth/errors.ts';
import type { Registry } from '../registry/registry.ts';
import { type MlflowRequest, decodeParams } from './decode.ts';
import { MlflowError, type MlflowResponse, endpointNotFound, jsonResponse, toMlflowError } from './errors.ts';
import { RetryGuard } from './retry-guard.ts';
import { type Route, ROUTES } from './routes.ts';

export const MLFLOW_PREFIXES = ['/api/2.0/mlflow/', '/ajax-api/2.0/mlflow/'] as const;

export function isMlflowPath(pathname: string): boolean {
  return MLFLOW_PREFIXES.some((prefix) => pathname.startsWith(prefix));
}

export type { MlflowRequest, MlflowResponse };

export interface MlflowHandler {
  serve(request: MlflowRequest): Promise<MlflowResponse>;
  /** The answer to a body over the transport's limit, in MLflow's error shape. */
  tooLarge(limit: number): MlflowResponse;
}

export interface MlflowHandlerOptions {
  registry: Registry;
  authenticator: Authenticator;
  /** Faults the caller did not cause (they get 500 INTERNAL_ERROR "Unexpected error."). */
  logError: (error: unknown) => void;
  /** How long a create whose answer was not handed over answers a resend (retry-guard.ts). */
  retryWindowMs: number;
}

const CHALLENGE = { 'www-authenticate': 'Bearer, Basic realm="mlflow"' };

export function createMlflowHandler({ registry, authenticator, logError, retryWindowMs }: MlflowHandlerOptions): MlflowHandler {
  const table = new Map<string, Route>(ROUTES.map((route) => [`${route.method} ${route.path}`, route]));
  const retryGuard = new RetryGuard(registry, retryWindowMs, logError);

  async function serve(request: MlflowRequest): Promise<MlflowResponse> {
    const { url } = request;
    const prefix = MLFLOW_PREFIXES.find((p) => url.pathname.startsWith(p));
    const route = prefix && table.get(`${request.method} ${url.pathname.slice(prefix.length - 1)}`);
    try {
      if (!route) throw endpointNotFound(request.method, url.pathname);
      const access = await authenticator.authenticate(bearerOf(request.headers.get('authorization')));
      const params = decodeParams(request);
      const guard = retryGuard.forRequest(access, request.headers.get('idempotency-key'));
      try {
        const body = await route.handle({ access, registry, reads: registry.reads(access), params, idempotency: guard.idempotency });
        return { ...jsonResponse(200, body), delivered: guard.delivered };
      } catch (error) {
        // The create rolled back with its key; a key it found (a resend) was this answer's to hand.
        return { ...answerError(error), delivered: guard.delivered };
      }
    } catch (error) {
      return answerError(error);
    }
  }

  function answerError(error: unknown): MlflowResponse {
    const known = toMlflowError(error);
    if (known) return known.toResponse(known.errorCode === 'UNAUTHENTICATED' ? CHALLENGE : {});
    logError(error);
    return new MlflowError('INTERNAL_ERROR', 'Unexpected error.').toResponse();
  }

  return {
    serve,
    tooLarge: (limit) => new MlflowError('INVALID_PARAMETER_VALUE', `The request body is larger than ${limit} bytes.`, 413).toResponse(),
  };
}

/** The Authorization header as the Authenticator reads it: Basic becomes Bearer of its password. */
function bearerOf(authorization: string | null): string | null {
  const basic = authorization && /^Basic +(\S+) *$/i.exec(authorization);
  if (!basic) return authorization;
  const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  const password = colon < 0 ? '' : decoded.slice(colon + 1);
  if (password === '') throw unauthenticated('with Basic authentication the password must be a registry token (MLFLOW_TRACKING_PASSWORD)');
  return `Bearer ${password}`;
}

// Recognises "the database cannot be reached" among the errors a query can fail with, so that an
// outage reaches clients as one clear, retryable GraphQL error instead of "Unexpected error.", and
// the log gets one line per failed request instead of a stack trace.
import { GraphQLError } from 'graphql';

/**
 * Prisma codes for an unreachable, closed, timed-out or saturated database. P2028 is a transaction
 * that could not start within TX_MAX_WAIT_MS or outlived TX_TIMEOUT_MS: a database that does not
 * answer, from the client's side.
 */
const PRISMA_CODES = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024', 'P2028']);
/** Driver adapter error kinds with the same meaning (error.cause.kind). */
const ADAPTER_KINDS = new Set(['DatabaseNotReachable', 'ConnectionClosed', 'SocketTimeout', 'TooManyConnections']);
/** Socket errors, and PostgreSQL's shutdown / cannot-connect-now SQLSTATEs (57P01-57P03). */
const LOW_LEVEL_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', '57P01', '57P02', '57P03']);
const MESSAGES = [/Connection terminated/i, /connection error and is not queryable/i, /connection timeout/i, /Can't reach database server/i, /Query read timeout/i];

export function isDatabaseUnavailable(error: unknown): boolean {
  const seen = new Set<unknown>();
  const pending: unknown[] = [error];
  while (pending.length > 0) {
    const current = pending.pop();
    if (typeof current !== 'object' || current === null || seen.has(current)) continue;
    seen.add(current);
    const e = current as { name?: unknown; code?: unknown; kind?: unknown; originalCode?: unknown; message?: unknown; cause?: unknown; meta?: { driverAdapterError?: unknown } };
    if (e.name === 'PrismaClientInitializationError') return true;
    if (typeof e.code === 'string' && (PRISMA_CODES.has(e.code) || LOW_LEVEL_CODES.has(e.code))) return true;
    if (typeof e.kind === 'string' && ADAPTER_KINDS.has(e.kind)) return true;
    if (typeof e.originalCode === 'string' && LOW_LEVEL_CODES.has(e.originalCode)) return true;
    if (typeof e.message === 'string' && MESSAGES.some((pattern) => pattern.test(e.message as string))) return true;
    pending.push(e.cause, e.meta?.driverAdapterError);
  }
  return false;
}

export const DATABASE_UNAVAILABLE = 'DATABASE_UNAVAILABLE';

let lastWarning = 0;
const WARNING_INTERVAL_MS = 5_000;

/**
 * What clients get instead (HTTP 503 when it is the only error). A write whose connection broke
 * while it committed may or may not have been applied: history says which.
 * Logs one line to stderr at most every 5 s.
 */
export function databaseUnavailableError(error: unknown, path?: GraphQLError): GraphQLError {
  if (Date.now() - lastWarning > WARNING_INTERVAL_MS) {
    lastWarning = Date.now();
    const detail = error instanceof Error ? error.message.trim().split('\n').at(-1) : String(error);
    console.error(`database unavailable, requests fail with ${DATABASE_UNAVAILABLE}: ${detail}`);
  }
  return new GraphQLError('The database is unavailable; retry shortly.', {
    nodes: path?.nodes,
    path: path?.path,
    extensions: { code: DATABASE_UNAVAILABLE, http: { status: 503 } },
  });
}

// Recognises "the database cannot be reached" among the errors a query can fail with, so that an
// outage reaches clients as one clear, retryable GraphQL error instead of "Unexpected error.", and
// the log gets one line per failed request instead of a stack trace.
import { GraphQLError } from 'graphql';

/**
 * Prisma codes for an unreachable, closed, timed-out or saturated database. P2028 is a transaction
 * that could not start within TX_MAX_WAIT_MS (a database that does not answer, from the client's
 * side) or outlived TX_TIMEOUT_MS, which databaseUnavailableError reports as TRANSACTION_TIMEOUT.
 */
const PRISMA_CODES = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024', 'P2028']);
/** Driver adapter error kinds with the same meaning (error.cause.kind). */
const ADAPTER_KINDS = new Set(['DatabaseNotReachable', 'ConnectionClosed', 'SocketTimeout', 'TooManyConnections']);
/**
 * Socket errors, and PostgreSQL SQLSTATEs that say the database, not the request, is the problem:
 * shutdown / cannot connect now (57P01-57P03), connection exceptions (08xxx), a database dropped
 * or renamed under the server (3D000), a bad password or missing role (28P01, 28000), too many
 * connections (53300). An operator fixes these; clients can only retry. 57014 is PostgreSQL's own
 * statement_timeout, set just under the client's query timeout (client.ts), so it means what that
 * timeout meant before: the database did not answer in time.
 */
const LOW_LEVEL_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  '57P01',
  '57P02',
  '57P03',
  '08000',
  '08001',
  '08003',
  '08004',
  '08006',
  '3D000',
  '28P01',
  '28000',
  '53300',
  '57014',
]);
const MESSAGES = [
  /Connection terminated/i,
  /connection error and is not queryable/i,
  /connection timeout/i,
  /Can't reach database server/i,
  /Query read timeout/i,
  // Prisma's wording for a raw query's SQLSTATE when the driver error itself is not attached.
  /Code: `(3D000|28P01|28000|53300|57P0[123]|08\d{3})`/,
];

type ChainedError = {
  name?: unknown;
  code?: unknown;
  kind?: unknown;
  originalCode?: unknown;
  message?: unknown;
  cause?: unknown;
  meta?: { code?: unknown; driverAdapterError?: unknown };
};

/**
 * The first verdict `judge` gives on an error or anything it wraps (Prisma nests the driver's error
 * under `cause` and `meta.driverAdapterError`); false when it gives none.
 */
function judgeErrorChain(error: unknown, judge: (e: ChainedError) => boolean | undefined): boolean {
  const seen = new Set<unknown>();
  const pending: unknown[] = [error];
  while (pending.length > 0) {
    const current = pending.pop();
    if (typeof current !== 'object' || current === null || seen.has(current)) continue;
    seen.add(current);
    const e = current as ChainedError;
    const verdict = judge(e);
    if (verdict !== undefined) return verdict;
    pending.push(e.cause, e.meta?.driverAdapterError);
  }
  return false;
}

export function isDatabaseUnavailable(error: unknown): boolean {
  return judgeErrorChain(error, (e) => {
    if (e.name === 'PrismaClientInitializationError') return true;
    if (typeof e.code === 'string' && (PRISMA_CODES.has(e.code) || LOW_LEVEL_CODES.has(e.code))) return true;
    if (typeof e.kind === 'string' && ADAPTER_KINDS.has(e.kind)) return true;
    if (typeof e.originalCode === 'string' && LOW_LEVEL_CODES.has(e.originalCode)) return true;
    if (typeof e.meta?.code === 'string' && LOW_LEVEL_CODES.has(e.meta.code)) return true;
    if (typeof e.message === 'string' && MESSAGES.some((pattern) => pattern.test(e.message as string))) return true;
    return undefined;
  });
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
  if (isTransactionTimeout(error)) return transactionTimeoutError(path);
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

export const TRANSACTION_TIMEOUT = 'TRANSACTION_TIMEOUT';

/**
 * P2028 for a write transaction that outlived TX_TIMEOUT_MS (slow work, or a long wait for the
 * model's lock), or a statement canceled because of it: this write was too slow, so it is its own
 * code, not an outage. Nothing of it was applied. The other P2028, a transaction that could not
 * start within TX_MAX_WAIT_MS, means no connection answered BEGIN in time (the model lock is taken
 * inside the transaction): the database is down or saturated, so that stays DATABASE_UNAVAILABLE.
 */
export function isTransactionTimeout(error: unknown): boolean {
  return judgeErrorChain(error, (e) => {
    if (e.code === 'P2028') return !(typeof e.message === 'string' && /unable to start a transaction/i.test(e.message));
    if (typeof e.message === 'string' && e.message.includes(TRANSACTION_EXPIRED_MESSAGE)) return true;
    return undefined;
  });
}

/** The message of a statement canceled because its transaction expired (client.ts). */
export const TRANSACTION_EXPIRED_MESSAGE = 'canceling statement: its transaction outlived TX_TIMEOUT_MS';

/** HTTP 503 when it is the only error, like DATABASE_UNAVAILABLE: retrying later is the remedy. */
function transactionTimeoutError(path?: GraphQLError): GraphQLError {
  return new GraphQLError('The write took longer than the transaction timeout and was not applied; retry shortly.', {
    nodes: path?.nodes,
    path: path?.path,
    extensions: { code: TRANSACTION_TIMEOUT, http: { status: 503 } },
  });
}

// Every environment setting the server reads, validated once at start so a typo fails loudly
// instead of surfacing later as a confusing runtime error. This file owns every settings type and
// default; the features import them from here (and src/app.ts hands each its part), so
// configuration depends on no feature.
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { DEFAULT_PROTECTED_ALIASES, ProtectedAliasPolicy } from './auth/protected-aliases.ts';
import { projectRoot } from './paths.ts';

/** REGISTRY_AUTH. required: every request needs a token. off: requests without one may do everything. */
export type AuthMode = 'required' | 'off';

/** The GraphQL operation limits (README "Limits"); measured by src/graphql/limits.ts. */
export interface GraphQLLimits {
  /**
   * Deepest field nesting (a root field is depth 1). Introspection's `ofType` chains do not count:
   * they are single objects, and GraphiQL's schema query nests them 8 deep.
   */
  maxDepth: number;
  /** Estimated cost: see `costOf` in src/graphql/limits.ts. */
  maxComplexity: number;
  /** Aliased fields per operation, fragments counted where they are spread. */
  maxAliases: number;
  /** Fields selected at the root of an operation. */
  maxRootFields: number;
}

export const DEFAULT_GRAPHQL_LIMITS: GraphQLLimits = Object.freeze({
  maxDepth: 10,
  maxComplexity: 60_000,
  maxAliases: 10,
  maxRootFields: 10,
});

/** Webhook delivery (README "Live updates and webhooks"). */
export interface WebhookSettings {
  /** Accept http:// targets; otherwise https:// only. */
  allowHttp: boolean;
  /** Send to loopback, private, link-local... addresses (WEBHOOK_ALLOW_PRIVATE=1); checked again at each send. */
  allowPrivate: boolean;
  maxAttempts: number;
  /** First retry delay; doubles per attempt up to backoffMaxMs, each with random jitter (50-100 %). */
  backoffBaseMs: number;
  backoffMaxMs: number;
  maxQueuedPerWebhook: number;
  /** How often queued work is looked at besides wake-ups on new events. */
  pollIntervalMs: number;
  requestTimeoutMs: number;
}

export const DEFAULT_WEBHOOK_SETTINGS: WebhookSettings = Object.freeze({
  allowHttp: false,
  allowPrivate: false,
  maxAttempts: 8,
  backoffBaseMs: 1_000,
  backoffMaxMs: 10 * 60_000,
  maxQueuedPerWebhook: 1_000,
  pollIntervalMs: 1_000,
  requestTimeoutMs: 10_000,
});

/** Open subscriptions per token on one replica, by default. */
export const DEFAULT_MAX_SUBSCRIPTIONS_PER_TOKEN = 100;

/**
 * Where the data lives. `dataDir` is an absolute path, or null for an in-memory PGlite
 * (gone when the process ends).
 */
export type DatabaseTarget = { kind: 'pglite'; dataDir: string | null } | { kind: 'postgres'; url: string };

export interface Config {
  databaseUrl: DatabaseTarget;
  port: number;
  host: string;
  transactionTimeoutMs: number;
  transactionMaxWaitMs: number;
  /**
   * WORKERS: server processes sharing the port (node:cluster, README "Using every core"); 1 is the
   * single-process server. `auto` is os.availableParallelism(). More than 1 needs PostgreSQL.
   */
  workers: number;
  security: SecurityConfig;
  liveUpdates: LiveUpdatesConfig;
}

/** Subscriptions and webhooks (README "Live updates and webhooks"). */
export interface LiveUpdatesConfig {
  /** SUBSCRIPTIONS_PER_TOKEN: open subscriptions per token on one replica (anonymous requests share one budget). */
  maxSubscriptionsPerToken: number;
  webhooks: WebhookSettings;
}

/** Authentication, limits and browser rules (README "Security and release bots"). */
export interface SecurityConfig {
  /** REGISTRY_AUTH; default: off only on a loopback HOST with the embedded database. */
  auth: AuthMode;
  /** PROTECTED_ALIASES, e.g. `*=production,champion`. */
  protectedAliases: ProtectedAliasPolicy;
  /** AUTH_CACHE_MS: how long a replica may reuse a token lookup (0: look up every request). */
  authCacheMs: number;
  /** IDEMPOTENCY_TTL_HOURS, in ms: how long an idempotency key answers retries. */
  idempotencyTtlMs: number;
  /**
   * MLFLOW_RETRY_WINDOW_MINUTES, in ms: how long an MLflow create whose answer was not handed over
   * answers the client's resends (src/mlflow/retry-guard.ts); longer than the client retries.
   */
  mlflowRetryWindowMs: number;
  limits: GraphQLLimits;
  /** GRAPHQL_MAX_BODY_BYTES: larger request bodies get HTTP 413. */
  maxBodyBytes: number;
  /** GRAPHQL_MAX_BATCH: operations per batched request (0: batching off). */
  maxBatch: number;
  /** CORS_ORIGINS: origins allowed to call from browsers; empty: CORS off. */
  corsOrigins: readonly string[];
  /** GRAPHQL_INTROSPECTION: whether clients may query the schema (GraphiQL needs it). */
  introspection: boolean;
  /**
   * ALLOWED_HOSTS: the Host header names served (anti DNS rebinding). Empty: the loopback names
   * on a loopback HOST, any name otherwise.
   */
  allowedHosts: readonly string[];
  /** WS_MAX_CONNECTIONS_PER_ADDRESS: open WebSocket connections from one remote address. */
  wsMaxConnectionsPerAddress: number;
  /** WS_MAX_CONNECTIONS: open WebSocket connections in total on this replica. */
  wsMaxConnections: number;
}

export const DEFAULT_SECURITY: Omit<SecurityConfig, 'auth'> = Object.freeze({
  protectedAliases: ProtectedAliasPolicy.parse(DEFAULT_PROTECTED_ALIASES),
  authCacheMs: 0,
  idempotencyTtlMs: 24 * 3_600_000,
  mlflowRetryWindowMs: 30 * 60_000,
  limits: DEFAULT_GRAPHQL_LIMITS,
  maxBodyBytes: 1_048_576,
  maxBatch: 10,
  corsOrigins: [],
  introspection: true,
  allowedHosts: [],
  wsMaxConnectionsPerAddress: 50,
  wsMaxConnections: 1_000,
});

/** True for addresses only this machine can reach. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** REGISTRY_AUTH's default: a token is required unless nobody else can reach an embedded database. */
export function defaultAuthMode(host: string, database: DatabaseTarget['kind']): AuthMode {
  return isLoopback(host) && database === 'pglite' ? 'off' : 'required';
}

/** The most WORKERS accepts. */
export const MAX_WORKERS = 256;

export const DEFAULT_PGLITE_DIR = path.join(projectRoot, 'data', 'pglite');

const ACCEPTED_DATABASE_URLS = 'unset (PGlite in data/pglite), "pglite:<dir>", "pglite:memory", "postgres://..." or "postgresql://..."';

/** Parses DATABASE_URL. Throws an Error naming the accepted forms when it is none of them. */
export function parseDatabaseUrl(url: string | undefined, cwd = process.cwd()): DatabaseTarget {
  const value = url?.trim() ?? '';
  if (value === '') return { kind: 'pglite', dataDir: DEFAULT_PGLITE_DIR };
  if (value.startsWith('pglite:')) {
    const dir = value.slice('pglite:'.length);
    if (dir === 'memory') return { kind: 'pglite', dataDir: null };
    // "pglite://x" looks like a URL but would silently become the absolute path "/x".
    if (dir === '' || dir.startsWith('//')) {
      throw new Error(
        `DATABASE_URL "${value}" names no PGlite folder: write pglite:<dir> (e.g. pglite:./data/pglite or pglite:/var/lib/registry) or pglite:memory`,
      );
    }
    return { kind: 'pglite', dataDir: path.resolve(cwd, dir) };
  }
  if (/^postgres(ql)?:\/\//.test(value)) {
    try {
      new URL(value);
    } catch {
      throw new Error(`DATABASE_URL is not a valid PostgreSQL URL (expected postgres://user:password@host:port/database)`);
    }
    return { kind: 'postgres', url: value };
  }
  throw new Error(`DATABASE_URL "${redactUrl(value)}" is not supported. Accepted forms: ${ACCEPTED_DATABASE_URLS}`);
}

/** For logs: the target without its password. */
export function describeDatabaseTarget(target: DatabaseTarget): string {
  if (target.kind === 'postgres') return `PostgreSQL ${redactUrl(target.url)}`;
  return target.dataDir === null ? 'PGlite (in memory)' : `PGlite (${target.dataDir})`;
}

function redactUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*:)[^@]*@/i, '$1***@');
}

/** Reads and validates the environment. Throws one Error listing every bad setting. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const problems: string[] = [];
  const int = (name: string, fallback: number, min: number, max: number, orElse = ''): number => {
    const raw = env[name]?.trim();
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!/^\d+$/.test(raw) || value < min || value > max) {
      problems.push(`${name} must be an integer from ${min} to ${max}${orElse ? ` ${orElse}` : ''} (got "${raw}")`);
      return fallback;
    }
    return value;
  };

  let databaseUrl: DatabaseTarget = { kind: 'pglite', dataDir: DEFAULT_PGLITE_DIR };
  try {
    databaseUrl = parseDatabaseUrl(env.DATABASE_URL);
  } catch (error) {
    problems.push((error as Error).message);
  }
  const port = int('PORT', 4000, 0, 65535);
  const host = env.HOST?.trim() || '127.0.0.1';
  const transactionTimeoutMs = int('TX_TIMEOUT_MS', 15_000, 1, 600_000);
  const transactionMaxWaitMs = int('TX_MAX_WAIT_MS', 10_000, 1, 600_000);
  const workers = env.WORKERS?.trim().toLowerCase() === 'auto' ? availableParallelism() : int('WORKERS', 1, 1, MAX_WORKERS, 'or "auto"');

  const choice = <T extends string>(name: string, allowed: readonly T[], fallback: T): T => {
    const raw = env[name]?.trim();
    if (raw === undefined || raw === '') return fallback;
    if ((allowed as readonly string[]).includes(raw)) return raw as T;
    problems.push(`${name} must be one of ${allowed.join(', ')} (got "${raw}")`);
    return fallback;
  };
  const auth = choice<AuthMode>('REGISTRY_AUTH', ['required', 'off'], defaultAuthMode(host, databaseUrl.kind));
  let protectedAliases = DEFAULT_SECURITY.protectedAliases;
  try {
    if (env.PROTECTED_ALIASES !== undefined) protectedAliases = ProtectedAliasPolicy.parse(env.PROTECTED_ALIASES);
  } catch (error) {
    problems.push((error as Error).message);
  }
  const limits = DEFAULT_SECURITY.limits;
  const security: SecurityConfig = {
    auth,
    protectedAliases,
    authCacheMs: int('AUTH_CACHE_MS', DEFAULT_SECURITY.authCacheMs, 0, 5_000),
    idempotencyTtlMs: int('IDEMPOTENCY_TTL_HOURS', DEFAULT_SECURITY.idempotencyTtlMs / 3_600_000, 1, 24 * 90) * 3_600_000,
    mlflowRetryWindowMs: int('MLFLOW_RETRY_WINDOW_MINUTES', DEFAULT_SECURITY.mlflowRetryWindowMs / 60_000, 1, 24 * 60) * 60_000,
    limits: {
      maxDepth: int('GRAPHQL_MAX_DEPTH', limits.maxDepth, 2, 100),
      maxComplexity: int('GRAPHQL_MAX_COMPLEXITY', limits.maxComplexity, 100, 100_000_000),
      maxAliases: int('GRAPHQL_MAX_ALIASES', limits.maxAliases, 0, 1_000),
      maxRootFields: int('GRAPHQL_MAX_ROOT_FIELDS', limits.maxRootFields, 1, 1_000),
    },
    maxBodyBytes: int('GRAPHQL_MAX_BODY_BYTES', DEFAULT_SECURITY.maxBodyBytes, 1_024, 100 * 1_048_576),
    maxBatch: int('GRAPHQL_MAX_BATCH', DEFAULT_SECURITY.maxBatch, 0, 100),
    corsOrigins: (env.CORS_ORIGINS ?? '')
      .split(',')
      .map((o) => o.trim())
      .filter(Boolean),
    introspection: choice('GRAPHQL_INTROSPECTION', ['on', 'off'], 'on') === 'on',
    allowedHosts: (env.ALLOWED_HOSTS ?? '')
      .split(',')
      .map((h) => h.trim().toLowerCase())
      .filter(Boolean),
    wsMaxConnectionsPerAddress: int('WS_MAX_CONNECTIONS_PER_ADDRESS', DEFAULT_SECURITY.wsMaxConnectionsPerAddress, 1, 100_000),
    wsMaxConnections: int('WS_MAX_CONNECTIONS', DEFAULT_SECURITY.wsMaxConnections, 1, 1_000_000),
  };
  for (const name of security.allowedHosts) {
    if (!/^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)$/.test(name))
      problems.push(`ALLOWED_HOSTS entries must be host names without port, like registry.example.com (got "${name}")`);
  }
  for (const origin of security.corsOrigins) {
    if (!/^https?:\/\/[^/\s]+$/.test(origin))
      problems.push(`CORS_ORIGINS entries must be origins like https://app.example.com (got "${origin}")`);
  }

  const hook = DEFAULT_WEBHOOK_SETTINGS;
  const liveUpdates: LiveUpdatesConfig = {
    maxSubscriptionsPerToken: int('SUBSCRIPTIONS_PER_TOKEN', DEFAULT_MAX_SUBSCRIPTIONS_PER_TOKEN, 1, 100_000),
    webhooks: {
      allowHttp: choice('WEBHOOK_ALLOW_HTTP', ['0', '1'], '0') === '1',
      allowPrivate: choice('WEBHOOK_ALLOW_PRIVATE', ['0', '1'], '0') === '1',
      maxAttempts: int('WEBHOOK_MAX_ATTEMPTS', hook.maxAttempts, 1, 100),
      backoffBaseMs: int('WEBHOOK_BACKOFF_MS', hook.backoffBaseMs, 10, 3_600_000),
      backoffMaxMs: int('WEBHOOK_BACKOFF_MAX_MS', hook.backoffMaxMs, 10, 86_400_000),
      maxQueuedPerWebhook: int('WEBHOOK_MAX_QUEUED', hook.maxQueuedPerWebhook, 1, 1_000_000),
      pollIntervalMs: int('WEBHOOK_POLL_MS', hook.pollIntervalMs, 10, 60_000),
      requestTimeoutMs: int('WEBHOOK_TIMEOUT_MS', hook.requestTimeoutMs, 100, 120_000),
    },
  };

  if (problems.length > 0) {
    throw new Error(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
  }
  return { databaseUrl, port, host, transactionTimeoutMs, transactionMaxWaitMs, workers, security, liveUpdates };
}

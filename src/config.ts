// Every environment setting the server reads, validated once at start so a typo fails loudly
// instead of surfacing later as a confusing runtime error.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { WebhookSettings } from './webhooks/service.ts';

/** The folder holding package.json, whatever the current directory is. */
export const projectRoot = fileURLToPath(new URL('..', import.meta.url));

/**
 * Where the data lives. `dataDir` is an absolute path, or null for an in-memory PGlite
 * (gone when the process ends).
 */
export type DatabaseTarget =
  | { kind: 'pglite'; dataDir: string | null }
  | { kind: 'postgres'; url: string };

export interface Config {
  databaseUrl: DatabaseTarget;
  port: number;
  host: string;
  transactionTimeoutMs: number;
  transactionMaxWaitMs: number;
  liveUpdates: LiveUpdatesConfig;
}

/** Subscriptions and webhooks (README "Live updates and webhooks"). */
export interface LiveUpdatesConfig {
  /** SUBSCRIPTIONS_PER_TOKEN: open subscriptions per token on one replica (anonymous requests share one budget). */
  maxSubscriptionsPerToken: number;
  webhooks: WebhookSettings;
}

export const DEFAULT_PGLITE_DIR = path.join(projectRoot, 'data', 'pglite');

const ACCEPTED_DATABASE_URLS =
  'unset (PGlite in data/pglite), "pglite:<dir>", "pglite:memory", "postgres://..." or "postgresql://..."';

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
  const int = (name: string, fallback: number, min: number, max: number): number => {
    const raw = env[name]?.trim();
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!/^\d+$/.test(raw) || value < min || value > max) {
      problems.push(`${name} must be an integer from ${min} to ${max} (got "${raw}")`);
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

  const allowHttp = env.WEBHOOK_ALLOW_HTTP?.trim() || '0';
  if (allowHttp !== '0' && allowHttp !== '1') problems.push(`WEBHOOK_ALLOW_HTTP must be one of 0, 1 (got "${allowHttp}")`);
  const liveUpdates: LiveUpdatesConfig = {
    maxSubscriptionsPerToken: int('SUBSCRIPTIONS_PER_TOKEN', 100, 1, 100_000),
    webhooks: {
      allowHttp: allowHttp === '1',
      maxAttempts: int('WEBHOOK_MAX_ATTEMPTS', 8, 1, 100),
      backoffBaseMs: int('WEBHOOK_BACKOFF_MS', 1_000, 10, 3_600_000),
      backoffMaxMs: int('WEBHOOK_BACKOFF_MAX_MS', 600_000, 10, 86_400_000),
      maxQueuedPerWebhook: int('WEBHOOK_MAX_QUEUED', 1_000, 1, 1_000_000),
      pollIntervalMs: int('WEBHOOK_POLL_MS', 1_000, 10, 60_000),
      requestTimeoutMs: int('WEBHOOK_TIMEOUT_MS', 10_000, 100, 120_000),
    },
  };

  if (problems.length > 0) {
    throw new Error(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
  }
  return { databaseUrl, port, host, transactionTimeoutMs, transactionMaxWaitMs, liveUpdates };
}

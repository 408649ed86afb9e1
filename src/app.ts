// The composition root: the one place that builds the server and hands each part what it needs,
// in this order: configuration → database → registry (the commands) → live event feed → webhook
// dispatcher → GraphQL (yoga) and the MLflow REST front door → HTTP. Nothing else constructs these or finds them by look-up.
import path from 'node:path';
import { Authenticator } from './auth/authenticator.ts';
import { countActiveAdmins } from './auth/tokens.ts';
import {
  type Config,
  DEFAULT_MAX_SUBSCRIPTIONS_PER_TOKEN,
  DEFAULT_SECURITY,
  DEFAULT_WEBHOOK_SETTINGS,
  type DatabaseTarget,
  type LiveUpdatesConfig,
  type SecurityConfig,
  isLoopback,
} from './config.ts';
import { openDatabase } from './db/client.ts';
import type { Database } from './db/database.ts';
import { RegistryEventFeed } from './events/feed.ts';
import { type RegistryYoga, createRegistryYoga } from './graphql/yoga.ts';
import { type MlflowHandler, createMlflowHandler } from './mlflow/handler.ts';
import { DEFAULT_SHUTDOWN_TIMEOUT_MS, type ServerLog, consoleLog, serveHttp } from './http/server.ts';
import { type Registry, createRegistry } from './registry/registry.ts';
import { WebhookDispatcher } from './webhooks/dispatcher.ts';
import { projectRoot } from './paths.ts';
import type { Plugin } from 'graphql-yoga';

export { consoleLog, type ServerLog } from './http/server.ts';

export interface AppOptions {
  /**
   * Authentication, limits and browser rules. Omitted settings take DEFAULT_SECURITY's values, and
   * `auth` defaults to off (requests without a token may do everything): `npm start` always passes
   * the configuration, whose default is off only on loopback with the embedded database.
   */
  security?: Partial<SecurityConfig>;
  liveUpdates?: Partial<LiveUpdatesConfig>;
  log?: ServerLog;
  /** Where unexpected errors go in full (default: log.error). */
  logError?: (error: unknown) => void;
  /** Set when the HTTP server starts closing (for /health). */
  lifecycle?: { closing: boolean };
  /** More yoga/envelop plugins, after the server's own (measurements, e.g. bench/memory-probe.ts). */
  plugins?: Plugin[];
}

/** Everything but the HTTP server, over an open database: what `startServer` serves, and what tests call in-process. */
export interface RegistryApp {
  readonly db: Database;
  readonly registry: Registry;
  readonly feed: RegistryEventFeed;
  readonly yoga: RegistryYoga;
  /** MLflow's Model Registry REST API, over the same registry and authenticator. */
  readonly mlflow: MlflowHandler;
  readonly security: SecurityConfig;
  readonly liveUpdates: LiveUpdatesConfig;
}

export function createApp(db: Database, options: AppOptions = {}): RegistryApp {
  const log = options.log ?? consoleLog;
  const security: SecurityConfig = { ...DEFAULT_SECURITY, auth: 'off', ...options.security };
  const liveUpdates: LiveUpdatesConfig = {
    maxSubscriptionsPerToken: DEFAULT_MAX_SUBSCRIPTIONS_PER_TOKEN,
    webhooks: DEFAULT_WEBHOOK_SETTINGS,
    ...options.liveUpdates,
  };
  const authenticator = new Authenticator(db.prisma, {
    mode: security.auth,
    protectedAliases: security.protectedAliases,
    cacheMs: security.authCacheMs,
  });
  const registry = createRegistry(
    db,
    { idempotencyTtlMs: security.idempotencyTtlMs, webhooks: liveUpdates.webhooks },
    // A revoke made here takes effect here at once, whatever AUTH_CACHE_MS says.
    { onTokenRevoked: () => authenticator.forget() },
  );
  const feed = new RegistryEventFeed(db, { maxSubscriptionsPerActor: liveUpdates.maxSubscriptionsPerToken });
  const lifecycle = options.lifecycle ?? { closing: false };
  const yoga = createRegistryYoga({
    registry,
    feed,
    authenticator,
    security,
    logError:
      options.logError ??
      ((error) => log.error('unexpected error while serving a GraphQL request (the client saw "Unexpected error."):', error)),
    health: { ping: () => db.ping(), isClosing: () => lifecycle.closing, log },
    plugins: options.plugins,
  });
  const mlflow = createMlflowHandler({
    registry,
    authenticator,
    retryWindowMs: security.mlflowRetryWindowMs,
    logError:
      options.logError ??
      ((error) => log.error('unexpected error while serving an MLflow request (the client saw "Unexpected error."):', error)),
  });
  return { db, registry, feed, yoga, mlflow, security, liveUpdates };
}

/**
 * The registry alone, for operator tools (importers) that write with their own access and serve
 * nothing: the server's settings with their defaults.
 */
export function createOperatorRegistry(db: Database): Registry {
  return createRegistry(db, { idempotencyTtlMs: DEFAULT_SECURITY.idempotencyTtlMs, webhooks: DEFAULT_WEBHOOK_SETTINGS });
}

export interface StartServerOptions {
  config: Pick<Config, 'host' | 'port'> & Partial<Config>;
  /**
   * The database to serve. The server owns it from now on: close() closes it. When absent, the
   * server opens `config.databaseUrl` itself (migrating it; progress goes to `log.info`).
   */
  db?: Database;
  log?: ServerLog;
  /** How long close() waits for in-flight requests before cutting their connections. Default 10 s. */
  shutdownTimeoutMs?: number;
  plugins?: Plugin[];
  /** The web UI's built files, served at /; default dist/ui in the project, null: no UI (/ redirects to /graphql). */
  uiDir?: string | null;
}

export interface RunningServer {
  /** The GraphQL endpoint, with the real port (also when config.port is 0). */
  url: string;
  /** The origin, e.g. http://127.0.0.1:4000 (for /health). */
  origin: string;
  port: number;
  /**
   * Stops accepting connections, lets in-flight requests finish (at most shutdownTimeoutMs, then
   * their sockets are destroyed), stops webhook deliveries, then closes the database. Calling it
   * again returns the same promise.
   */
  close(): Promise<void>;
}

export { DEFAULT_SHUTDOWN_TIMEOUT_MS };

/** Where `npm install` (postinstall) and `npm run build:ui` put the web UI. */
export const DEFAULT_UI_DIR = path.join(projectRoot, 'dist', 'ui');

export async function startServer(options: StartServerOptions): Promise<RunningServer> {
  const { config } = options;
  const log = options.log ?? consoleLog;
  let db = options.db;
  const ownsDb = !db;
  if (!db) {
    if (!config.databaseUrl) throw new Error('startServer: pass either `db` or `config.databaseUrl`');
    db = await openDatabase(config.databaseUrl, { ...config, log: (line) => log.info(line) });
  }
  const database = db;
  const closeOwnDb = async () => {
    if (ownsDb) await database.close().catch(() => {});
  };

  // Embedders that pass no security settings get auth off; `npm start` always passes loadConfig's.
  const security: SecurityConfig = config.security ?? { ...DEFAULT_SECURITY, auth: 'off' };
  try {
    await checkAuthReady(security, database, config.host, log, config.databaseUrl);
  } catch (error) {
    await closeOwnDb();
    throw error;
  }

  const lifecycle = { closing: false };
  const app = createApp(database, { security, liveUpdates: config.liveUpdates, log, lifecycle, plugins: options.plugins });
  let http: Awaited<ReturnType<typeof serveHttp>>;
  try {
    http = await serveHttp({
      yoga: app.yoga,
      mlflow: app.mlflow,
      uiDir: options.uiDir === undefined ? DEFAULT_UI_DIR : (options.uiDir ?? undefined),
      host: config.host,
      port: config.port,
      security,
      log,
      shutdownTimeoutMs: options.shutdownTimeoutMs ?? DEFAULT_SHUTDOWN_TIMEOUT_MS,
      lifecycle,
    });
  } catch (error) {
    await closeOwnDb();
    throw error;
  }
  // This replica delivers webhooks too; the database decides which replica sends each delivery.
  const dispatcher = config.liveUpdates ? new WebhookDispatcher(database, app.feed, app.liveUpdates.webhooks) : null;
  dispatcher?.start();

  let closing: Promise<void> | null = null;
  async function shutDown(): Promise<void> {
    await http.close();
    await dispatcher?.stop();
    await app.feed.close();
    await database.close();
  }
  return {
    url: http.url,
    origin: http.origin,
    port: http.port,
    close() {
      closing ??= shutDown();
      return closing;
    },
  };
}

/**
 * In required mode someone must be able to manage tokens: without an active admin token the
 * server refuses to start and says how to create one. Off on a reachable address is allowed (the
 * operator chose it) but logged.
 */
async function checkAuthReady(
  security: SecurityConfig,
  db: Database,
  host: string,
  log: ServerLog,
  target?: DatabaseTarget,
): Promise<void> {
  if (security.auth === 'off') {
    if (!isLoopback(host)) log.info(`WARNING: REGISTRY_AUTH=off on ${host}: anyone who can reach this address can change the registry`);
    return;
  }
  if ((await countActiveAdmins(db.prisma)) > 0) return;
  // pglite:memory is private to this process: no CLI can ever add a token to it.
  const error =
    target?.kind === 'pglite' && target.dataDir === null
      ? new Error(
          'REGISTRY_AUTH=required, but DATABASE_URL=pglite:memory lives only inside this process, so no token can be ' +
            'created for it. Set REGISTRY_AUTH=off (for a registry only you can reach), or use a PGlite folder or PostgreSQL.',
        )
      : new Error(
          'REGISTRY_AUTH=required, but there is no active admin token. Create one with the same DATABASE_URL' +
            `${db.kind === 'pglite' ? ' (with PGlite, while the server is stopped)' : ''}:\n` +
            '  npm run token -- create --name admin --role admin --promote\n' +
            '(--promote lets it move protected aliases such as production; leave it out for an admin that must not)\n' +
            'then start again (or set REGISTRY_AUTH=off for a registry only you can reach).',
        );
  // A code makes main.ts print the message alone, without a stack trace.
  throw Object.assign(error, { code: 'NO_ADMIN_TOKEN' });
}

// The HTTP server: yoga at /graphql (POST, GET, GraphiQL for browsers), /health for probes, and a
// graceful close that lets in-flight requests finish before the database is closed.
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { countActiveAdmins } from './auth/tokens.ts';
import { type Config, type DatabaseTarget, DEFAULT_SECURITY, type SecurityConfig, isLoopback } from './config.ts';
import { openDatabase } from './db/client.ts';
import type { Database } from './db/database.ts';
import { registryEventFeed } from './events/feed.ts';
import { hostRule } from './graphql/http-security.ts';
import { attachGraphQLWebSocket } from './graphql/websocket.ts';
import { startWebhooks, stopWebhooks } from './webhooks/service.ts';
import { createRegistryYoga } from './graphql/yoga.ts';

export interface ServerLog {
  /** One line about the server's life (listening, shutting down, health changes). */
  info(message: string): void;
  /** A fault, with whatever detail there is (unexpected resolver errors arrive here in full). */
  error(message: string, detail?: unknown): void;
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
}

export interface RunningServer {
  /** The GraphQL endpoint, with the real port (also when config.port is 0). */
  url: string;
  /** The origin, e.g. http://127.0.0.1:4000 (for /health). */
  origin: string;
  port: number;
  /**
   * Stops accepting connections, lets in-flight requests finish (at most shutdownTimeoutMs, then
   * their sockets are destroyed), then closes the database. Calling it again returns the same promise.
   */
  close(): Promise<void>;
}

export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 10_000;

export const consoleLog: ServerLog = {
  info: (message) => console.error(message),
  error: (message, detail) => (detail === undefined ? console.error(message) : console.error(message, detail)),
};

export async function startServer(options: StartServerOptions): Promise<RunningServer> {
  const { config } = options;
  const log = options.log ?? consoleLog;
  const shutdownTimeoutMs = options.shutdownTimeoutMs ?? DEFAULT_SHUTDOWN_TIMEOUT_MS;

  let db = options.db;
  const ownsDb = !db;
  if (!db) {
    if (!config.databaseUrl) throw new Error('startServer: pass either `db` or `config.databaseUrl`');
    db = await openDatabase(config.databaseUrl, { ...config, log: (line) => log.info(line) });
  }
  const database = db;

  // Embedders that pass no security settings get auth off; `npm start` always passes loadConfig's.
  const security: SecurityConfig = config.security ?? { ...DEFAULT_SECURITY, auth: 'off' };
  try {
    await checkAuthReady(security, database, config.host, log, config.databaseUrl);
  } catch (error) {
    if (ownsDb) await database.close().catch(() => {});
    throw error;
  }

  const yoga = createRegistryYoga(database, {
    security,
    logError: (error) => log.error('unexpected error while serving a GraphQL request (the client saw "Unexpected error."):', error),
  });

  let closing: Promise<void> | null = null;
  let healthy: boolean | null = null;

  async function health(res: http.ServerResponse): Promise<void> {
    let status: number;
    let body: Record<string, string>;
    if (closing) {
      // Tells load balancers to stop routing here while in-flight requests finish.
      status = 503;
      body = { status: 'unavailable', error: 'shutting down' };
    } else {
      try {
        await database.ping();
        status = 200;
        body = { status: 'ok' };
        if (healthy === false) log.info('health: the database answers again');
        healthy = true;
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        status = 503;
        // Anyone may ask /health: database names, SQLSTATEs and driver wording stay in the log.
        body = { status: 'unavailable', error: 'database unavailable' };
        if (healthy !== false) log.error(`health: the database does not answer: ${message}`);
        healthy = false;
      }
    }
    const json = JSON.stringify(body);
    res.writeHead(status, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(json),
      'cache-control': 'no-store',
    });
    res.end(json);
  }

  const refuseHost = hostRule(config.host, security.allowedHosts);
  const server = http.createServer((req, res) => {
    res.setHeader('x-content-type-options', 'nosniff');
    // Once close() started, answer what still arrives on open connections, then hang up.
    if (closing) res.setHeader('connection', 'close');
    const pathname = new URL(req.url ?? '/', 'http://localhost').pathname;

    if (pathname === '/health') {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { allow: 'GET, HEAD' }).end();
        return;
      }
      health(res).catch((error) => {
        log.error('health check failed:', error);
        if (!res.headersSent) res.writeHead(500);
        res.end();
      });
      return;
    }
    // After /health, which probes reach by the pod's address whatever ALLOWED_HOSTS says.
    const hostRefusal = refuseHost(req.headers.host);
    if (hostRefusal) {
      const json = JSON.stringify({ errors: [{ message: hostRefusal, extensions: { code: 'FORBIDDEN' } }] });
      res.writeHead(403, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(json), connection: 'close' });
      res.end(json);
      return;
    }
    if (pathname === '/' && (req.method === 'GET' || req.method === 'HEAD')) {
      res.writeHead(302, { location: '/graphql' }).end();
      return;
    }
    // Everything else is yoga's: /graphql, and its 404 for unknown paths.
    if (req.headers.accept?.includes('text/event-stream')) {
      streams.add(res);
      res.once('close', () => streams.delete(res));
    }
    void yoga(req, res);
  });
  // Subscriptions over SSE never finish by themselves: close() ends them (clients resubscribe
  // elsewhere with afterSequence), as it closes WebSocket connections.
  const streams = new Set<http.ServerResponse>();
  const webSocket = attachGraphQLWebSocket(server, yoga, {
    maxPayload: security.maxBodyBytes,
    corsOrigins: security.corsOrigins,
    maxConnectionsPerAddress: security.wsMaxConnectionsPerAddress,
    maxConnections: security.wsMaxConnections,
    refuseHost,
    logError: (error) => log.error('unexpected error while starting a WebSocket operation (the client saw "Unexpected error."):', error),
  });
  registryEventFeed(database, { maxSubscriptionsPerActor: config.liveUpdates?.maxSubscriptionsPerToken });

  // Sockets in use, so close() can hang up idle keep-alive connections and, after the timeout, all.
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  // A response finished during shutdown: its connection is now idle, close it.
  server.on('request', (_req, res: http.ServerResponse) => {
    res.once('finish', () => {
      if (closing) setImmediate(() => server.closeIdleConnections());
    });
  });

  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.port, config.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    if (ownsDb) await database.close().catch(() => {});
    throw error;
  }
  server.on('error', (error) => log.error('HTTP server error:', error));
  // This replica delivers webhooks too; the database decides which replica sends each delivery.
  if (config.liveUpdates) startWebhooks(database, config.liveUpdates.webhooks);

  const port = (server.address() as AddressInfo).port;
  const origin = `http://${urlHost(config.host)}:${port}`;

  async function shutDown(): Promise<void> {
    const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const stream of streams) {
      // yoga may still write an event after end(); that write fails harmlessly.
      stream.on('error', () => {});
      stream.end();
    }
    await webSocket.close();
    await stopWebhooks(database);
    // Node 19+ closes idle keep-alive connections in server.close(); make sure of it.
    server.closeIdleConnections();
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), shutdownTimeoutMs);
    });
    const outcome = await Promise.race([stopped.then(() => 'done' as const), timedOut]);
    clearTimeout(timer);
    if (outcome === 'timeout') {
      log.error(`shutdown: ${sockets.size} connection(s) still busy after ${shutdownTimeoutMs} ms; closing them`);
      server.closeAllConnections();
      for (const socket of sockets) socket.destroy();
      await stopped;
    }
    await database.close();
  }

  return {
    url: `${origin}/graphql`,
    origin,
    port,
    close() {
      closing ??= shutDown();
      return closing;
    },
  };
}

/** The host part of a URL clients can use: wildcard addresses become loopback, IPv6 gets brackets. */
function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
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

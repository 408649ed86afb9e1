// The HTTP transport: node:http in front of yoga (/graphql, /health, /live), of the MLflow REST
// front door (/api/2.0/mlflow/*, /ajax-api/2.0/mlflow/*) and of the web UI's files (/, /assets/), the WebSocket endpoint, the Host rule, and a graceful close that lets in-flight requests finish. What it serves is built
// by src/app.ts; this file knows sockets, not the registry.
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { SecurityConfig } from '../config.ts';
import { hostRule } from '../graphql/http-security.ts';
import { HEALTH_ENDPOINT, LIVENESS_ENDPOINT } from '../graphql/plugins/health.ts';
import type { RegistryYoga } from '../graphql/yoga.ts';
import { type MlflowHandler, isMlflowPath } from '../mlflow/handler.ts';
import { serveMlflow } from './mlflow.ts';
import { uiFiles } from './ui.ts';
import { attachGraphQLWebSocket } from './websocket.ts';

export interface ServerLog {
  /** One line about the server's life (listening, shutting down, health changes). */
  info(message: string): void;
  /** A fault, with whatever detail there is (unexpected resolver errors arrive here in full). */
  error(message: string, detail?: unknown): void;
}

export const consoleLog: ServerLog = {
  info: (message) => console.error(message),
  error: (message, detail) => (detail === undefined ? console.error(message) : console.error(message, detail)),
};

export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 10_000;

export interface HttpOptions {
  yoga: RegistryYoga;
  /** The web UI's built files (dist/ui), served at / and /assets/; absent: / redirects to /graphql. */
  uiDir?: string;
  /** MLflow's Model Registry REST API; absent: those paths are yoga's 404 like any other. */
  mlflow?: MlflowHandler;
  host: string;
  port: number;
  security: SecurityConfig;
  log: ServerLog;
  shutdownTimeoutMs: number;
  /** Set when close() starts, so /health turns 503 while in-flight requests finish. */
  lifecycle: { closing: boolean };
}

export interface HttpServer {
  url: string;
  origin: string;
  port: number;
  /** Stops accepting, ends subscriptions, lets in-flight requests finish (at most shutdownTimeoutMs). */
  close(): Promise<void>;
}

export async function serveHttp(options: HttpOptions): Promise<HttpServer> {
  const { yoga, mlflow, security, log, shutdownTimeoutMs, lifecycle } = options;
  const refuseHost = hostRule(options.host, security.allowedHosts);
  const ui = options.uiDir ? uiFiles(options.uiDir) : null;
  const server = http.createServer((req, res) => {
    res.setHeader('x-content-type-options', 'nosniff');
    // Once close() started, answer what still arrives on open connections, then hang up.
    if (lifecycle.closing) res.setHeader('connection', 'close');
    const pathname = new URL(req.url ?? '/', 'http://localhost').pathname;
    // Probes reach /health and /live by the pod's address, whatever ALLOWED_HOSTS says.
    const hostRefusal = pathname === HEALTH_ENDPOINT || pathname === LIVENESS_ENDPOINT ? null : refuseHost(req.headers.host);
    if (hostRefusal) {
      // Each front door's own error shape, so MLflow's client reads the refusal instead of guessing from the status.
      const json = JSON.stringify(
        isMlflowPath(pathname)
          ? { error_code: 'PERMISSION_DENIED', message: hostRefusal }
          : { errors: [{ message: hostRefusal, extensions: { code: 'FORBIDDEN' } }] },
      );
      res.writeHead(403, {
        'content-type': 'application/json; charset=utf-8',
        'content-length': Buffer.byteLength(json),
        connection: 'close',
      });
      res.end(json);
      return;
    }
    try {
      if (ui?.serve(req, res, pathname)) return;
    } catch (error) {
      log.error('unexpected error while serving a web UI file:', error);
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('Unexpected error.\n');
      return;
    }
    if (pathname === '/' && (req.method === 'GET' || req.method === 'HEAD')) {
      res.writeHead(302, { location: '/graphql' }).end();
      return;
    }
    if (mlflow && isMlflowPath(pathname)) {
      serveMlflow(req, res, mlflow, security.maxBodyBytes).catch((error) => {
        log.error('unexpected error while serving an MLflow request:', error);
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error_code: 'INTERNAL_ERROR', message: 'Unexpected error.' }));
      });
      return;
    }
    // Everything else is yoga's: /graphql, /health, /live, and its 404 for unknown paths.
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

  // Sockets in use, so close() can hang up idle keep-alive connections and, after the timeout, all.
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  // A response finished during shutdown: its connection is now idle, close it.
  server.on('request', (_req, res: http.ServerResponse) => {
    res.once('finish', () => {
      if (lifecycle.closing) setImmediate(() => server.closeIdleConnections());
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (error) => log.error('HTTP server error:', error));

  const port = (server.address() as AddressInfo).port;
  const origin = `http://${urlHost(options.host)}:${port}`;

  async function close(): Promise<void> {
    lifecycle.closing = true;
    const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const stream of streams) {
      // yoga may still write an event after end(); that write fails harmlessly.
      stream.on('error', () => {});
      stream.end();
    }
    await webSocket.close();
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
  }

  return { url: `${origin}/graphql`, origin, port, close };
}

/** The host part of a URL clients can use: wildcard addresses become loopback, IPv6 gets brackets. */
function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}

// GraphQL over WebSocket (the graphql-ws protocol) at /graphql, next to yoga's HTTP and SSE.
// Operations go through yoga's envelop, so a WebSocket operation gets the same schema, plugins and
// context (ctx.actor, access rules) as an HTTP request. Browsers cannot set headers on a
// WebSocket: an `authorization` entry in the connection_init payload is used as the header.
// Browsers send no CORS preflight for a WebSocket either, so the upgrade itself checks the Origin,
// and the token is checked at connection_init, before any operation is read.
import type http from 'node:http';
import { type DocumentNode, type ExecutionArgs, GraphQLError } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import type { Duplex } from 'node:stream';
import type { RegistryYoga } from '../graphql/yoga.ts';

export interface GraphQLWebSocket {
  /** Open connections. */
  readonly clients: number;
  /** Completes every subscription, closes every connection and stops accepting new ones. */
  close(): Promise<void>;
}

type EnvelopedArgs = ExecutionArgs & {
  rootValue: { execute(args: ExecutionArgs): unknown; subscribe(args: ExecutionArgs): unknown };
};

export interface WebSocketOptions {
  path?: string;
  /** Largest message, in bytes (GRAPHQL_MAX_BODY_BYTES: the same as an HTTP body). */
  maxPayload: number;
  /** CORS_ORIGINS: the origins, besides the server's own, whose pages may connect. */
  corsOrigins: readonly string[];
  /** WS_MAX_CONNECTIONS_PER_ADDRESS: open connections from one remote address. */
  maxConnectionsPerAddress: number;
  /** WS_MAX_CONNECTIONS: open connections in total. */
  maxConnections: number;
  /** The Host rule of the HTTP server (anti DNS rebinding), a refusal message or null. */
  refuseHost?: (host: string | undefined) => string | null;
  /** Faults while starting an operation (the client gets "Unexpected error." for it). */
  logError?: (error: unknown) => void;
}

/** The page's origin may connect if it is the server's own (as the browser addressed it) or listed. */
export function originAllowed(origin: string | undefined, host: string | undefined, corsOrigins: readonly string[]): boolean {
  if (origin === undefined) return true; // not a browser: nothing ambient to abuse
  if (host !== undefined && (origin === `http://${host}` || origin === `https://${host}`)) return true;
  return corsOrigins.includes(origin);
}

function refuseUpgrade(socket: Duplex, status: number, reason: string, message: string): void {
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nconnection: close\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(message)}\r\n\r\n${message}`,
  );
}

/**
 * The upgrade request as a fetch Request, with the connection_init `authorization` as header.
 * A POST with the operation as its body: graphql-ws carries mutations too, and yoga refuses
 * mutations in a GET.
 */
function requestOf(
  upgrade: http.IncomingMessage,
  connectionParams: Readonly<Record<string, unknown>> | undefined,
  operation?: unknown,
): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(upgrade.headers)) {
    if (typeof value === 'string') headers.set(name, value);
    else if (Array.isArray(value)) headers.set(name, value.join(', '));
  }
  const authorization = connectionParams?.authorization ?? connectionParams?.Authorization;
  if (typeof authorization === 'string') headers.set('authorization', authorization);
  headers.set('content-type', 'application/json');
  return new Request(`http://${upgrade.headers.host ?? 'localhost'}${upgrade.url ?? '/graphql'}`, {
    method: 'POST',
    headers,
    body: JSON.stringify(operation ?? {}),
  });
}

const CLOSE_FOR: Record<string, [number, string]> = {
  UNAUTHENTICATED: [4401, 'Unauthorized'],
  FORBIDDEN: [4403, 'Forbidden'],
};

export function attachGraphQLWebSocket(server: http.Server, yoga: RegistryYoga, options: WebSocketOptions): GraphQLWebSocket {
  const path = options.path ?? '/graphql';
  const wss = new WebSocketServer({ noServer: true, maxPayload: options.maxPayload });
  const perAddress = new Map<string, number>();
  const onUpgrade = (request: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    const pathname = new URL(request.url ?? '/', 'http://localhost').pathname;
    if (pathname !== path) {
      socket.end('HTTP/1.1 404 Not Found\r\nconnection: close\r\n\r\n');
      return;
    }
    const hostRefusal = options.refuseHost?.(request.headers.host);
    if (hostRefusal) return refuseUpgrade(socket, 403, 'Forbidden', hostRefusal);
    if (!originAllowed(request.headers.origin, request.headers.host, options.corsOrigins)) {
      return refuseUpgrade(
        socket,
        403,
        'Forbidden',
        `WebSocket connections from ${request.headers.origin} are not allowed: list the origin in CORS_ORIGINS.`,
      );
    }
    const address = request.socket.remoteAddress ?? '';
    const fromAddress = perAddress.get(address) ?? 0;
    if (fromAddress >= options.maxConnectionsPerAddress) {
      return refuseUpgrade(
        socket,
        429,
        'Too Many Requests',
        `At most ${options.maxConnectionsPerAddress} WebSocket connections per address (WS_MAX_CONNECTIONS_PER_ADDRESS).`,
      );
    }
    if (wss.clients.size >= options.maxConnections) {
      return refuseUpgrade(
        socket,
        503,
        'Service Unavailable',
        `At most ${options.maxConnections} WebSocket connections (WS_MAX_CONNECTIONS); try again later.`,
      );
    }
    perAddress.set(address, fromAddress + 1);
    wss.handleUpgrade(request, socket, head, (ws) => {
      ws.once('close', () => {
        const left = (perAddress.get(address) ?? 1) - 1;
        if (left > 0) perAddress.set(address, left);
        else perAddress.delete(address);
      });
      wss.emit('connection', ws, request);
      // ws closes a connection itself on a protocol error (e.g. 1009 for a message over maxPayload);
      // graphql-ws's own listener would print each one as an internal error with a stack trace.
      ws.removeAllListeners('error');
      ws.on('error', (error: Error & { code?: string }) => {
        if (!error.code?.startsWith('WS_ERR_')) options.logError?.(error);
      });
    });
  };
  server.on('upgrade', onUpgrade);

  const unexpected = (error: unknown) => {
    options.logError?.(error);
    return [new GraphQLError('Unexpected error.', { extensions: { code: 'INTERNAL_SERVER_ERROR' } })];
  };

  const disposable = useServer(
    {
      execute: (args) => (args as EnvelopedArgs).rootValue.execute(args) as never,
      subscribe: (args) => (args as EnvelopedArgs).rootValue.subscribe(args) as never,
      // The token is checked once the client sends connection_init: without a valid one (when
      // required) the connection closes with 4401, before any operation is parsed.
      onConnect: async (ctx) => {
        const request = requestOf(ctx.extra.request, ctx.connectionParams);
        try {
          await yoga.getEnveloped({ ...ctx, req: ctx.extra.request, socket: ctx.extra.socket, request }).contextFactory();
          return true;
        } catch (error) {
          const code = error instanceof GraphQLError ? String(error.extensions.code ?? '') : '';
          const [closeCode, reason] = CLOSE_FOR[code] ?? [4500, 'Internal Server Error'];
          if (!CLOSE_FOR[code]) options.logError?.(error);
          ctx.extra.socket.close(closeCode, reason);
          return false;
        }
      },
      onSubscribe: async (ctx, _id, payload) => {
        try {
          const request = requestOf(ctx.extra.request, ctx.connectionParams, payload);
          const { schema, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({
            ...ctx,
            req: ctx.extra.request,
            socket: ctx.extra.socket,
            request,
            params: payload,
          });
          let contextValue: unknown;
          try {
            // Before parsing: a token revoked since connection_init learns nothing about the schema.
            contextValue = await contextFactory();
          } catch (error) {
            // A refused token and the like: an error message for this operation, not a dropped connection.
            if (error instanceof GraphQLError) return [error];
            throw error;
          }
          let document: DocumentNode;
          try {
            document = parse(payload.query);
          } catch (error) {
            if (error instanceof GraphQLError) return [error];
            throw error;
          }
          const errors = validate(schema, document);
          if (errors.length > 0) return errors;
          const args: EnvelopedArgs = {
            schema,
            operationName: payload.operationName,
            document,
            variableValues: payload.variables,
            contextValue,
            rootValue: { execute, subscribe },
          };
          return args;
        } catch (error) {
          // Never a 4500 close: the connection's other subscriptions go on.
          return unexpected(error);
        }
      },
    },
    wss,
  );

  return {
    get clients() {
      return wss.clients.size;
    },
    async close() {
      server.off('upgrade', onUpgrade);
      for (const client of wss.clients) client.close(1001, 'server shutting down');
      await disposable.dispose();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

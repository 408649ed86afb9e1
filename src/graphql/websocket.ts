// GraphQL over WebSocket (the graphql-ws protocol) at /graphql, next to yoga's HTTP and SSE.
// Operations go through yoga's envelop, so a WebSocket operation gets the same schema, plugins and
// context (ctx.actor, access rules) as an HTTP request. Browsers cannot set headers on a
// WebSocket: an `authorization` entry in the connection_init payload is used as the header.
import type http from 'node:http';
import { type ExecutionArgs, GraphQLError } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import type { RegistryYoga } from './yoga.ts';

export interface GraphQLWebSocket {
  /** Open connections. */
  readonly clients: number;
  /** Completes every subscription, closes every connection and stops accepting new ones. */
  close(): Promise<void>;
}

type EnvelopedArgs = ExecutionArgs & {
  rootValue: { execute(args: ExecutionArgs): unknown; subscribe(args: ExecutionArgs): unknown };
};

/** The upgrade request as a fetch Request, with the connection_init `authorization` as header. */
function requestOf(upgrade: http.IncomingMessage, connectionParams: Readonly<Record<string, unknown>> | undefined): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(upgrade.headers)) {
    if (typeof value === 'string') headers.set(name, value);
    else if (Array.isArray(value)) headers.set(name, value.join(', '));
  }
  const authorization = connectionParams?.authorization ?? connectionParams?.Authorization;
  if (typeof authorization === 'string') headers.set('authorization', authorization);
  return new Request(`http://${upgrade.headers.host ?? 'localhost'}${upgrade.url ?? '/graphql'}`, { headers });
}

export function attachGraphQLWebSocket(server: http.Server, yoga: RegistryYoga, path = '/graphql'): GraphQLWebSocket {
  const wss = new WebSocketServer({ noServer: true });
  const onUpgrade = (request: http.IncomingMessage, socket: import('node:stream').Duplex, head: Buffer) => {
    const pathname = new URL(request.url ?? '/', 'http://localhost').pathname;
    if (pathname !== path) {
      socket.end('HTTP/1.1 404 Not Found\r\nconnection: close\r\n\r\n');
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => wss.emit('connection', ws, request));
  };
  server.on('upgrade', onUpgrade);

  const disposable = useServer(
    {
      execute: (args) => (args as EnvelopedArgs).rootValue.execute(args) as never,
      subscribe: (args) => (args as EnvelopedArgs).rootValue.subscribe(args) as never,
      onSubscribe: async (ctx, _id, payload) => {
        const request = requestOf(ctx.extra.request, ctx.connectionParams);
        const { schema, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({
          ...ctx,
          req: ctx.extra.request,
          socket: ctx.extra.socket,
          request,
          params: payload,
        });
        const document = parse(payload.query);
        const errors = validate(schema, document);
        if (errors.length > 0) return errors;
        let contextValue: unknown;
        try {
          contextValue = await contextFactory();
        } catch (error) {
          // A refused token and the like: an error message for this operation, not a dropped connection.
          if (error instanceof GraphQLError) return [error];
          throw error;
        }
        const args: EnvelopedArgs = {
          schema,
          operationName: payload.operationName,
          document,
          variableValues: payload.variables,
          contextValue,
          rootValue: { execute, subscribe },
        };
        return args;
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

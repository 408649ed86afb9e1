// The UI's only way to the registry: our public GraphQL API at /graphql. Queries issued in the same
// tick go out as one batched POST (yoga's batching, at most 10 operations), so a page that needs a
// model, its history and the alias cursor costs one round trip; mutations go alone. Subscriptions
// use graphql-ws on the same path, with the token in the connection parameters.
import type { TadaDocumentNode } from 'gql.tada';
import { print } from 'graphql';
import { type Client, createClient } from 'graphql-ws';
import { onTokenChange, readToken } from './token.ts';

/** A GraphQL error (not a typed error, which is data): UNAUTHENTICATED, FORBIDDEN, limits... */
export class RequestError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
  }
}

interface Pending {
  body: { query: string; variables: unknown };
  resolve: (data: any) => void;
  reject: (error: Error) => void;
}

const MAX_BATCH = 10;
let queue: Pending[] = [];

function headers(): Record<string, string> {
  const token = readToken();
  return {
    'content-type': 'application/json',
    accept: 'application/json',
    ...(token ? { authorization: `Bearer ${token}` } : {}),
  };
}

function settle(item: Pending, result: { data?: unknown; errors?: { message: string; extensions?: { code?: string } }[] }): void {
  if (result.errors?.length) {
    const [first] = result.errors;
    item.reject(new RequestError(first.message, first.extensions?.code));
  } else item.resolve(result.data);
}

async function send(items: Pending[]): Promise<void> {
  try {
    const body = items.length === 1 ? items[0].body : items.map((item) => item.body);
    const response = await fetch('/graphql', { method: 'POST', headers: headers(), body: JSON.stringify(body) });
    const json = await response.json().catch(() => null);
    if (json === null) throw new RequestError(`The server answered ${response.status}.`, undefined);
    if (Array.isArray(json)) {
      for (const [i, item] of items.entries()) settle(item, json[i] ?? { errors: [{ message: 'No answer.' }] });
    } else if (items.length === 1) settle(items[0], json);
    else for (const item of items) settle(item, json);
  } catch (error) {
    const failure = error instanceof Error ? error : new Error(String(error));
    for (const item of items) item.reject(failure instanceof RequestError ? failure : new RequestError(failure.message, 'NETWORK'));
  }
}

function flush(): void {
  const items = queue;
  queue = [];
  for (let i = 0; i < items.length; i += MAX_BATCH) void send(items.slice(i, i + MAX_BATCH));
}

/** A query; batched with the others of this tick. */
export function query<R, V>(document: TadaDocumentNode<R, V>, variables: V): Promise<R> {
  return new Promise<R>((resolve, reject) => {
    if (queue.length === 0) queueMicrotask(flush);
    queue.push({ body: { query: print(document), variables }, resolve, reject });
  });
}

/** A mutation, sent alone. */
export function mutate<R, V>(document: TadaDocumentNode<R, V>, variables: V): Promise<R> {
  return new Promise<R>((resolve, reject) => {
    void send([{ body: { query: print(document), variables }, resolve, reject }]);
  });
}

let ws: Client | null = null;
onTokenChange(() => {
  // A new token: new connection (subscribers resubscribe when the token changes).
  void ws?.dispose();
  ws = null;
});

function webSocket(): Client {
  ws ??= createClient({
    url: `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/graphql`,
    lazy: true,
    retryAttempts: Number.POSITIVE_INFINITY,
    // Reconnect after a dropped connection or a server restart, not after a refusal: a missing or
    // bad token (4401), a forbidden one (4403) or a malformed request (4400) needs a new token first.
    shouldRetry: (event) => !(event instanceof CloseEvent && [4400, 4401, 4403].includes(event.code)),
    connectionParams: () => {
      const token = readToken();
      return token ? { authorization: `Bearer ${token}` } : {};
    },
  });
  return ws;
}

/** Subscribes; returns the function that ends the subscription. */
export function subscribe<R, V>(
  document: TadaDocumentNode<R, V>,
  variables: V,
  sink: { next: (data: R) => void; error?: (error: Error) => void },
): () => void {
  return webSocket().subscribe<R>(
    { query: print(document), variables: variables as Record<string, unknown> },
    {
      next: (result) => {
        if (result.errors?.length) sink.error?.(new RequestError(result.errors[0].message, (result.errors[0].extensions as any)?.code));
        else if (result.data) sink.next(result.data);
      },
      error: (error) => sink.error?.(error instanceof Error ? error : new Error('The live connection failed.')),
      complete: () => {},
    },
  );
}

// graphql-ws subscriptions for tests, over a real server's WebSocket endpoint.
import { type Client, createClient } from 'graphql-ws';
import WebSocket from 'ws';

export function wsClient(graphqlUrl: string): Client {
  return createClient({ url: graphqlUrl.replace(/^http/, 'ws'), webSocketImpl: WebSocket, retryAttempts: 0, lazy: true });
}

/** Collects the payloads of one graphql-ws subscription; `take(n)` waits until n have arrived. */
export function wsSubscribe(client: Client, query: string, variables: Record<string, unknown>) {
  const received: any[] = [];
  let wake = () => {};
  let ended = false;
  let failure: unknown;
  const stop = client.subscribe(
    { query, variables },
    {
      next: (value) => {
        received.push(value);
        wake();
      },
      error: (error) => {
        failure = error;
        ended = true;
        wake();
      },
      complete: () => {
        ended = true;
        wake();
      },
    },
  );
  return {
    received,
    stop,
    async take(count: number) {
      while (received.length < count) {
        if (ended) throw new Error(`ended after ${received.length} payloads: ${JSON.stringify(failure ?? received)}`);
        await new Promise<void>((resolve) => (wake = resolve));
      }
      return received;
    },
  };
}

// A GraphQL-over-SSE subscriber for tests: posts the operation with `accept: text/event-stream`,
// reads the stream in the background and collects each `next` payload. The response body is lazy,
// so reading starts at once, before the test publishes anything.
type Fetch = (url: string, init: RequestInit) => Promise<Response>;

export interface SseSubscription<T> {
  /** Payloads (`{ data, errors }`) received so far. */
  readonly received: Array<{ data?: T; errors?: Array<{ message: string; extensions?: Record<string, unknown> }> }>;
  /** Resolves once at least `count` payloads arrived (rejects if the stream ends first). */
  take(count: number): Promise<SseSubscription<T>['received']>;
  /** Resolves when the server ended the stream. */
  readonly ended: Promise<void>;
  close(): Promise<void>;
}

export async function subscribeSse<T = any>(
  fetchFn: Fetch,
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Promise<SseSubscription<T>> {
  const abort = new AbortController();
  const response = await fetchFn(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...headers },
    body: JSON.stringify({ query, variables }),
    signal: abort.signal,
  });
  if (!response.ok || !response.body) throw new Error(`SSE subscription failed: HTTP ${response.status} ${await response.text()}`);
  const received: SseSubscription<T>['received'] = [];
  const waiters = new Set<() => void>();
  let finished = false;
  const reader = response.body.getReader();
  const ended = (async () => {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        buffer += decoder.decode(value, { stream: true });
        for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const lines = block.split('\n');
          const event = lines
            .find((l) => l.startsWith('event:'))
            ?.slice(6)
            .trim();
          const data = lines
            .filter((l) => l.startsWith('data:'))
            .map((l) => l.slice(5).trim())
            .join('\n');
          if (event === 'next' && data) received.push(JSON.parse(data));
          else if (event === undefined && data) received.push(JSON.parse(data));
          for (const wake of waiters) wake();
        }
      }
    } catch {
      // aborted by close()
    } finally {
      finished = true;
      for (const wake of waiters) wake();
    }
  })();
  return {
    received,
    ended,
    take(count) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (received.length >= count) {
            waiters.delete(check);
            resolve(received);
          } else if (finished) {
            waiters.delete(check);
            reject(new Error(`stream ended after ${received.length} of ${count} payloads: ${JSON.stringify(received)}`));
          }
        };
        waiters.add(check);
        check();
      });
    },
    async close() {
      await reader.cancel().catch(() => {});
      abort.abort();
      await ended;
    },
  };
}

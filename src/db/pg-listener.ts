// LISTEN on a dedicated PostgreSQL connection (a pooled one may be handed to another query, and
// its notifications lost). A dropped connection is re-opened with backoff; since notifications
// sent meanwhile are lost, `onNotify` is called once after every reconnect so readers re-check.
import pg from 'pg';
import type { Listener, ListenHandlers } from './database.ts';

const RECONNECT_MIN_MS = 100;
const RECONNECT_MAX_MS = 5_000;

export async function listenOnPostgres(
  url: string,
  channel: string,
  handlers: ListenHandlers,
  log: (line: string) => void,
): Promise<Listener> {
  let client: pg.Client | null = null;
  let closed = false;
  let retryTimer: NodeJS.Timeout | undefined;
  let delay = RECONNECT_MIN_MS;

  async function connect(): Promise<void> {
    const next = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
    next.on('notification', (message) => {
      if (message.channel === channel) handlers.onNotify();
    });
    next.on('error', (error) => dropped(next, error));
    next.on('end', () => dropped(next));
    await next.connect();
    await next.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
    client = next;
  }

  function dropped(which: pg.Client, error?: Error): void {
    if (closed || client !== which) return;
    client = null;
    which.end().catch(() => {});
    log(`LISTEN ${channel}: connection lost${error ? ` (${error.message})` : ''}; reconnecting`);
    scheduleReconnect();
  }

  function scheduleReconnect(): void {
    retryTimer = setTimeout(async () => {
      if (closed) return;
      try {
        await connect();
        if (closed) return void client?.end().catch(() => {});
        delay = RECONNECT_MIN_MS;
        log(`LISTEN ${channel}: reconnected`);
        handlers.onNotify();
      } catch (error) {
        delay = Math.min(delay * 2, RECONNECT_MAX_MS);
        log(`LISTEN ${channel}: reconnect failed (${(error as Error).message}); retrying in ${delay} ms`);
        scheduleReconnect();
      }
    }, delay);
    retryTimer.unref();
  }

  await connect();
  return {
    async close() {
      if (closed) return;
      closed = true;
      clearTimeout(retryTimer);
      const last = client;
      client = null;
      await last?.end().catch(() => {});
      handlers.onClose?.();
    },
  };
}

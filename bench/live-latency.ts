// node --import tsx bench/live-latency.ts [--database pglite|postgres] [--changes 200] [--replay 2000]
// Prints how long a committed change takes to reach an SSE subscriber (on another replica with
// PostgreSQL: mutation through A, subscriber on B), how fast a subscriber replays history, and how
// long webhook delivery takes to a loopback receiver. Loopback only; stops by itself.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { loadConfig, parseDatabaseUrl } from '../src/config.ts';
import { openDatabase } from '../src/db/client.ts';
import { type RunningServer, startServer } from '../src/app.ts';
import { createScratchDatabase } from '../scripts/faults/scratch-database.ts';

const { values } = parseArgs({
  options: {
    database: { type: 'string', default: 'postgres' },
    changes: { type: 'string', default: '200' },
    replay: { type: 'string', default: '2000' },
  },
});
const changes = Number(values.changes);
const replayEvents = Number(values.replay);
const quiet = { info: () => {}, error: (m: string, d?: unknown) => console.error(m, d) };

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}
function summary(label: string, samples: number[]): void {
  const sorted = [...samples].sort((a, b) => a - b);
  console.log(
    `${label}: n=${sorted.length} p50=${percentile(sorted, 50).toFixed(1)} ms p95=${percentile(sorted, 95).toFixed(1)} ms max=${sorted[sorted.length - 1].toFixed(1)} ms`,
  );
}

async function gql(url: string, query: string, variables: Record<string, unknown> = {}): Promise<any> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: any; errors?: unknown };
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

/** Reads an SSE subscription, calling onEvent with each payload's data and the arrival time. */
async function follow(url: string, query: string, variables: Record<string, unknown>, onEvent: (data: any, at: number) => void) {
  const abort = new AbortController();
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
    body: JSON.stringify({ query, variables }),
    signal: abort.signal,
  });
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  void (async () => {
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        buffer += decoder.decode(value, { stream: true });
        for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = block.split('\n').find((l) => l.startsWith('data:'));
          if (block.includes('event: next') && data) onEvent(JSON.parse(data.slice(5)).data, performance.now());
        }
      }
    } catch {}
  })();
  return () => abort.abort();
}

async function main(): Promise<void> {
  const scratch = await createScratchDatabase(values.database!, 'live');
  const servers: RunningServer[] = [];
  try {
    const config = loadConfig({
      ...process.env,
      DATABASE_URL: scratch.url,
      REGISTRY_AUTH: 'off',
      WEBHOOK_ALLOW_HTTP: '1',
      WEBHOOK_POLL_MS: '1000',
    });
    const a = await startServer({ config: { ...config, host: '127.0.0.1', port: 0 }, log: quiet });
    servers.push(a);
    // With PostgreSQL, the subscriber sits on a second replica; PGlite is one process.
    const b =
      scratch.kind === 'postgres'
        ? await startServer({ config: { ...config, host: '127.0.0.1', port: 0, databaseUrl: parseDatabaseUrl(scratch.url) }, log: quiet })
        : a;
    if (b !== a) servers.push(b);
    console.log(`database: ${scratch.kind}; mutations through ${a.url}, subscriber on ${b.url}`);

    await gql(a.url, `mutation { createRegisteredModel(input: { name: "live" }) { __typename } }`);
    await gql(a.url, `mutation { createModelVersion(input: { name: "live", source: "s3://b/1" }) { __typename } }`);
    await gql(a.url, `mutation { createModelVersion(input: { name: "live", source: "s3://b/2" }) { __typename } }`);

    // Webhook receiver, to time delivery as well.
    const webhookArrivals = new Map<number, number>();
    const receiver = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        const event = JSON.parse(body).event;
        if (event) webhookArrivals.set(event.sequence, performance.now());
        res.end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    await gql(
      a.url,
      `mutation($u: String!) { createWebhook(input: { url: $u, secret: "bench-secret-0123456789", modelName: "live" }) { __typename } }`,
      {
        u: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/`,
      },
    );

    const arrivals = new Map<number, number>();
    let wake = () => {};
    const stop = await follow(
      b.url,
      `subscription { registryEvents(modelName: "live", actions: [ALIAS_SET]) { sequence } }`,
      {},
      (data, at) => {
        arrivals.set(data.registryEvents.sequence, at);
        wake();
      },
    );
    const latencies: number[] = [];
    const mutationOnly: number[] = [];
    const webhookSent = new Map<number, number>();
    for (let i = 0; i < changes; i++) {
      const before = arrivals.size;
      const started = performance.now();
      const r = await gql(
        a.url,
        `mutation($v: Int!) { setModelAlias(input: { name: "live", alias: "production", version: $v }) { ... on SetModelAliasPayload { alias { alias } } } }`,
        { v: (i % 2) + 1 },
      );
      if (!r.setModelAlias.alias) throw new Error('setModelAlias failed');
      mutationOnly.push(performance.now() - started);
      while (arrivals.size === before) await new Promise<void>((resolve) => (wake = resolve));
      const [sequence, at] = [...arrivals.entries()].at(-1)!;
      latencies.push(at - started);
      webhookSent.set(sequence, started);
      if ((i + 1) % 50 === 0) console.error(`  ${i + 1}/${changes} changes`);
    }
    stop();
    summary('mutation round trip alone (for comparison)', mutationOnly);
    summary('mutation sent -> event on the SSE subscriber (includes the mutation itself)', latencies);

    const deadline = Date.now() + 60_000;
    while (webhookArrivals.size < changes && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    summary(
      'mutation sent -> webhook delivered (sequential, in order; 1 s poll only for retries)',
      [...webhookSent].filter(([s]) => webhookArrivals.has(s)).map(([s, t]) => webhookArrivals.get(s)! - t),
    );
    receiver.close();

    // Replay: write history directly, then time a subscriber catching up from sequence 0.
    const db = await openDatabase(parseDatabaseUrl(scratch.url), { log: false });
    try {
      if (scratch.kind === 'pglite') throw new Error('skip');
      await db.prisma.$executeRaw`INSERT INTO audit_event (at, action, model_id, model_name, new_value)
        SELECT now(), 'MODEL_UPDATED', -1, 'replayed', g::text FROM generate_series(1, ${replayEvents}) g`;
    } catch (error) {
      if ((error as Error).message !== 'skip') throw error;
    } finally {
      await db.close();
    }
    if (scratch.kind === 'postgres') {
      let received = 0;
      const started = performance.now();
      let done = () => {};
      const finished = new Promise<void>((resolve) => (done = resolve));
      const stopReplay = await follow(
        b.url,
        `subscription { registryEvents(modelName: "replayed", afterSequence: 0) { sequence } }`,
        {},
        () => {
          if (++received === replayEvents) done();
        },
      );
      await finished;
      const ms = performance.now() - started;
      stopReplay();
      console.log(`replay of ${replayEvents} events over SSE: ${ms.toFixed(0)} ms (${Math.round((replayEvents / ms) * 1000)} events/s)`);
    } else {
      console.log('replay: measured on PostgreSQL only (PGlite is a single process here)');
    }
  } finally {
    for (const server of servers) await server.close().catch(() => {});
    await scratch.remove();
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);

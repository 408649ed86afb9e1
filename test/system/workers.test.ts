// `npm start` with WORKERS=2 (node:cluster, src/cluster.ts) on one PostgreSQL database: both workers
// answer (new connections go to them in turn; each names itself in x-registry-worker), a
// subscription held by one worker (SSE, and graphql-ws) receives the events of mutations the other
// served, webhook deliveries are sent once although both workers dispatch, a killed worker is
// replaced, SIGTERM stops everything with exit 0, and workers that keep dying make the primary give up
// with exit 1. With PGlite, WORKERS=2 is refused at start.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { WORKER_HEADER } from '../../src/cluster.ts';
import { createPostgresDatabase, databases } from '../support/databases.ts';
import { wsClient, wsSubscribe } from '../support/graphql-ws.ts';
import { processes } from '../support/processes.ts';
import { subscribeSse } from '../support/sse.ts';
import { killAllServers, postGraphQL, spawnServer } from '../../scripts/faults/server-process.ts';

const hasPostgres = databases.some((d) => d.name === 'postgres');

const EVENTS = /* GraphQL */ `
  subscription($afterSequence: Int) { registryEvents(afterSequence: $afterSequence) { sequence action modelName } }`;

/** One POST on a connection of its own (no keep-alive), so the cluster hands it to the next worker. */
function postOnNewConnection(url: string, query: string): Promise<{ worker: string | undefined; body: any }> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      url,
      { method: 'POST', agent: false, headers: { 'content-type': 'application/json', connection: 'close' }, timeout: 10_000 },
      (response) => {
        let text = '';
        response.setEncoding('utf8').on('data', (chunk) => (text += chunk));
        response.on('end', () => resolve({ worker: response.headers[WORKER_HEADER] as string | undefined, body: JSON.parse(text) }));
      },
    );
    request.on('error', reject);
    request.on('timeout', () => request.destroy(new Error('no answer within 10 s')));
    request.end(JSON.stringify({ query }));
  });
}

async function until(what: string, check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('WORKERS=2 with the embedded PGlite', () => {
  const run = processes(process.env);
  afterAll(() => run.killAll());

  it('is refused at start with one line saying why and what to do', { timeout: 30_000 }, async () => {
    const result = await run.run(['src/main.ts'], { DATABASE_URL: 'pglite:memory', WORKERS: '2', PORT: '0', REGISTRY_AUTH: 'off' });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^WORKERS=2 needs PostgreSQL: .*PGlite.*one process.* Set DATABASE_URL=postgres:\/\/\.\.\. or WORKERS=1\.$/),
    ]);
  });
});

describe.skipIf(!hasPostgres)('WORKERS=2 on one PostgreSQL database', () => {
  const cleanups: Array<() => Promise<unknown>> = [];
  afterAll(async () => {
    killAllServers();
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
  });

  it('serves from both workers, live updates and webhooks across them, replaces a killed worker, exits 0 on SIGTERM', {
    timeout: 60_000,
  }, async () => {
    const database = await createPostgresDatabase();
    cleanups.push(database.drop);
    const deliveries: Array<{ id: string; sequence: number }> = [];
    const receiver = http.createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8').on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        deliveries.push({ id: String(req.headers['x-registry-delivery']), sequence: JSON.parse(body).event?.sequence });
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => receiver.close(resolve)));
    const receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;

    const server = await spawnServer(database.url, {
      WORKERS: '2',
      WEBHOOK_ALLOW_HTTP: '1',
      WEBHOOK_ALLOW_PRIVATE: '1',
      WEBHOOK_POLL_MS: '50',
    });
    // The primary migrated before forking; both workers said they listen.
    expect(server.stderr().match(/^worker \d+ \(pid \d+\) listening$/gm)).toHaveLength(2);

    // Both workers answer: connections go to them in turn.
    const answeredBy = new Set<string | undefined>();
    for (let i = 0; i < 4; i++) answeredBy.add((await postOnNewConnection(server.url, '{ __typename }')).worker);
    expect([...answeredBy].sort()).toEqual(['1', '2']);

    const hook = await postOnNewConnection(
      server.url,
      `mutation { createWebhook(input: { url: "${receiverUrl}", secret: "0123456789abcdef0123" }) { __typename } }`,
    );
    expect(hook.body.data.createWebhook.__typename).toBe('WebhookPayload');

    // A subscription held open on one worker (SSE; its response names the worker), another over graphql-ws.
    let sseWorker: string | null = null;
    const sse = await subscribeSse(
      async (url, init) => {
        const response = await fetch(url, init);
        sseWorker = response.headers.get(WORKER_HEADER);
        return response;
      },
      server.url,
      EVENTS,
    );
    const client = wsClient(server.url);
    cleanups.push(async () => client.dispose());
    const ws = wsSubscribe(client, EVENTS, { afterSequence: 0 });

    // Mutations on new connections, so both workers serve some.
    const servedBy: string[] = [];
    for (let i = 0; i < 6; i++) {
      const reply = await postOnNewConnection(
        server.url,
        `mutation { createRegisteredModel(input: { name: "worker-model-${i}" }) { __typename } }`,
      );
      expect(reply.body.data.createRegisteredModel.__typename).toBe('RegisteredModelPayload');
      servedBy.push(reply.worker!);
    }
    expect(new Set(servedBy).size).toBe(2);
    expect(servedBy.some((worker) => worker !== sseWorker)).toBe(true);

    const names = Array.from({ length: 6 }, (_, i) => `worker-model-${i}`);
    const viaSse = await sse.take(6);
    expect(viaSse.map((p) => p.data.registryEvents.modelName)).toEqual(names);
    expect(viaSse.every((p) => p.data.registryEvents.action === 'MODEL_CREATED')).toBe(true);
    const viaWs = await ws.take(6);
    expect(viaWs.map((p) => p.data.registryEvents)).toEqual(viaSse.map((p) => p.data.registryEvents));
    ws.stop();
    await sse.close();

    // Both workers run a dispatcher; each event is delivered once.
    const sequences = viaSse.map((p) => p.data.registryEvents.sequence);
    await until('the webhook deliveries', () => sequences.every((s) => deliveries.some((d) => d.sequence === s)));
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(deliveries.map((d) => d.sequence).sort((a, b) => a - b)).toEqual(sequences);
    expect(new Set(deliveries.map((d) => d.id)).size).toBe(deliveries.length);

    // A worker that dies is replaced, and the pair serves on.
    const [, killedId, killedPid] = /^worker (\d+) \(pid (\d+)\) listening$/m.exec(server.stderr())!;
    process.kill(Number(killedPid), 'SIGKILL');
    await until('the replacement worker', () => /^worker 3 \(pid \d+\) listening$/m.test(server.stderr()));
    expect(server.stderr()).toContain(`worker ${killedId} (pid ${killedPid}) exited (signal SIGKILL); starting a new one`);
    const after = new Set<string | undefined>();
    for (let i = 0; i < 4; i++) after.add((await postOnNewConnection(server.url, '{ __typename }')).worker);
    expect([...after].sort()).toEqual(['1', '2', '3'].filter((id) => id !== killedId));

    // SIGTERM under load: every request sent before it is answered by its worker, then exit 0.
    let signalled = false;
    const unanswered: string[] = [];
    let acknowledged = 0;
    const load = Array.from({ length: 4 }, async (_, c) => {
      for (let i = 0; ; i++) {
        const before = !signalled;
        try {
          const reply = await postGraphQL(
            server.url,
            `mutation { createRegisteredModel(input: { name: "under-load-${c}-${i}" }) { __typename } }`,
          );
          if (reply.data?.createRegisteredModel?.__typename === 'RegisteredModelPayload') acknowledged++;
          else if (before) unanswered.push(JSON.stringify(reply));
        } catch (error) {
          if (before) unanswered.push(String(error));
          return; // the server is gone
        }
      }
    });
    await until('writes under load', () => acknowledged >= 20);
    signalled = true;
    const stopped = server.stop('SIGTERM');
    await Promise.all(load);
    expect(await stopped).toEqual({ code: 0, signal: null });
    expect(unanswered).toEqual([]);
    expect(server.stderr()).toMatch(/model registry stopped\s*$/);
    expect(server.stderr().match(/^model registry stopped$/gm)).toHaveLength(3);
  });

  it('gives up with exit 1 when workers keep dying (5 within 60 s)', { timeout: 60_000 }, async () => {
    const database = await createPostgresDatabase();
    cleanups.push(database.drop);
    const server = await spawnServer(database.url, { WORKERS: '2' });
    const killed = new Set<number>();
    let exited = false;
    void server.exited.then(() => (exited = true));
    while (!exited) {
      for (const [, pid] of server.stderr().matchAll(/^worker \d+ \(pid (\d+)\) listening$/gm)) {
        if (killed.has(Number(pid))) continue;
        killed.add(Number(pid));
        try {
          process.kill(Number(pid), 'SIGKILL');
        } catch {
          // already gone
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    expect(await server.exited).toEqual({ code: 1, signal: null });
    // The fifth death gives up; a replacement that listened just then may have been killed too.
    expect(killed.size).toBeGreaterThanOrEqual(5);
    expect(server.stderr().match(/; starting a new one$/gm)).toHaveLength(4);
    expect(server.stderr()).toMatch(/exited \(signal SIGKILL\): 5 worker crashes within 60 s, giving up/);
  });
});

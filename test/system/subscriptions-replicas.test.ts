// Subscriptions through real HTTP servers: graphql-ws over WebSocket, SSE, and two replicas over one
// PostgreSQL database (a change made through A reaches subscribers on B via LISTEN/NOTIFY).
import type { Client } from 'graphql-ws';
import { afterAll, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/client.ts';
import { type RunningServer, type ServerLog, startServer } from '../../src/app.ts';
import { describeEachDatabase, POSTGRES_ADMIN_URL } from '../support/databases.ts';
import { wsClient, wsSubscribe } from '../support/graphql-ws.ts';
import { subscribeSse } from '../support/sse.ts';

const quiet: ServerLog = { info: () => {}, error: (message, detail) => console.error(message, detail) };

const EVENTS = /* GraphQL */ `
  subscription($modelName: String, $afterSequence: Int) {
    registryEvents(modelName: $modelName, afterSequence: $afterSequence) { sequence action modelName }
  }`;

async function mutate(url: string, query: string): Promise<any> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
  const body = (await response.json()) as { data?: any; errors?: unknown[] };
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

describeEachDatabase('subscriptions over HTTP servers', (ctx) => {
  const servers: RunningServer[] = [];
  const clients: Client[] = [];
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.dispose()));
    await Promise.all(servers.map((s) => s.close()));
  });

  /** A server over its own connection to the test database (PostgreSQL), or over the shared PGlite. */
  async function replica(): Promise<RunningServer> {
    let db = ctx.db;
    if (ctx.kind === 'postgres') {
      const url = new URL(POSTGRES_ADMIN_URL);
      url.pathname = `/${ctx.db.databaseName}`;
      db = await openDatabase({ kind: 'postgres', url: url.toString() }, { log: false });
    } else {
      // The harness closes the shared PGlite; this server must not.
      db = Object.assign(Object.create(ctx.db), { close: async () => {} });
    }
    const server = await startServer({ config: { host: '127.0.0.1', port: 0 }, db, log: quiet, shutdownTimeoutMs: 5_000 });
    servers.push(server);
    return server;
  }

  it('delivers over graphql-ws (WebSocket) what a mutation commits', async () => {
    const server = await replica();
    const client = wsClient(server.url);
    clients.push(client);
    await mutate(server.url, `mutation { createRegisteredModel(input: { name: "ws-model" }) { __typename } }`);
    const subscription = wsSubscribe(client, EVENTS, { modelName: 'ws-model', afterSequence: 0 });
    const [replayed] = await subscription.take(1);
    expect(replayed.data.registryEvents).toMatchObject({ action: 'MODEL_CREATED', modelName: 'ws-model' });
    await mutate(server.url, `mutation { createModelVersion(input: { name: "ws-model", source: "s3://b/m" }) { __typename } }`);
    const received = await subscription.take(2);
    expect(received[1].data.registryEvents).toMatchObject({ action: 'VERSION_CREATED', modelName: 'ws-model' });
    expect(received[1].data.registryEvents.sequence).toBeGreaterThan(received[0].data.registryEvents.sequence);
    subscription.stop();
  });

  it.skipIf(ctx.kind === 'pglite')('a subscriber on replica B sees a mutation made through replica A (SSE and WebSocket)', async () => {
    const [a, b] = [await replica(), await replica()];
    // The SSE response starts once the subscription's starting point is fixed.
    const sse = await subscribeSse(fetch, b.url, EVENTS, { modelName: 'cross-replica' });
    const client = wsClient(b.url);
    clients.push(client);
    // graphql-ws does not acknowledge a subscription: start it from before the change instead.
    const ws = wsSubscribe(client, EVENTS, { modelName: 'cross-replica', afterSequence: 0 });
    await mutate(a.url, `mutation { createRegisteredModel(input: { name: "cross-replica" }) { __typename } }`);
    const [viaSse] = await sse.take(1);
    const [viaWs] = await ws.take(1);
    expect(viaSse.data.registryEvents).toMatchObject({ action: 'MODEL_CREATED', modelName: 'cross-replica' });
    expect(viaWs.data.registryEvents).toEqual(viaSse.data.registryEvents);
    ws.stop();
    await sse.close();
  });

  it('close() ends open SSE and WebSocket subscriptions instead of waiting for them', async () => {
    const server = await replica();
    const sse = await subscribeSse(fetch, server.url, EVENTS, { modelName: 'never-written' });
    const client = wsClient(server.url);
    clients.push(client);
    const ws = wsSubscribe(client, EVENTS, { modelName: 'never-written', afterSequence: 0 });
    await mutate(server.url, `mutation { createRegisteredModel(input: { name: "never-written" }) { __typename } }`);
    await ws.take(1);
    await sse.take(1);
    await server.close();
    await sse.ended;
    await expect(ws.take(2)).rejects.toThrow(/ended after 1 payloads/);
  });
});

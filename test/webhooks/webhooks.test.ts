// Webhooks end to end against a loopback receiver: signed, at least once, in sequence order, with
// retries after failures, a delivery log, and one sender per delivery across two replicas.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { openDatabase } from '../../src/db/client.ts';
import type { Database } from '../../src/db/database.ts';
import { backoffMs } from '../../src/webhooks/dispatcher.ts';
import { type WebhookSettings, DEFAULT_WEBHOOK_SETTINGS } from '../../src/config.ts';
import { DELIVERY_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, verifySignature } from '../../src/webhooks/signature.ts';
import { checkWebhookUrl, createWebhook } from '../../src/webhooks/webhooks.ts';
import { describeEachDatabase, POSTGRES_ADMIN_URL } from '../support/databases.ts';
import { type GraphQLClient, graphqlClient } from '../support/graphql.ts';
import { idleDispatcher, startDispatcher } from '../support/webhooks.ts';

const SECRET = 'a-secret-of-sixteen-or-more';

const FAST: WebhookSettings = {
  ...DEFAULT_WEBHOOK_SETTINGS,
  allowHttp: true,
  allowPrivate: true,
  backoffBaseMs: 10,
  backoffMaxMs: 40,
  pollIntervalMs: 20,
  requestTimeoutMs: 30_000,
  maxAttempts: 6,
};

interface Received {
  deliveryId: string;
  timestamp: string;
  signature: string;
  body: string;
  answered: number;
}

/** A loopback endpoint that answers 500 to the first `failFirst` requests, then 200. */
async function receiver(failFirst: number) {
  const requests: Received[] = [];
  let failuresLeft = failFirst;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const answered = failuresLeft > 0 ? 500 : 200;
      if (failuresLeft > 0) failuresLeft--;
      requests.push({
        deliveryId: String(req.headers[DELIVERY_HEADER]),
        timestamp: String(req.headers[TIMESTAMP_HEADER]),
        signature: String(req.headers[SIGNATURE_HEADER]),
        body: Buffer.concat(chunks).toString('utf8'),
        answered,
      });
      res.writeHead(answered).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    requests,
    acknowledged: () => requests.filter((r) => r.answered === 200),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

it('accepts only https targets unless http is allowed, and backs off exponentially with jitter', () => {
  expect(() => checkWebhookUrl('http://127.0.0.1/hook', { allowHttp: false, allowPrivate: false })).toThrow(/must be https/);
  expect(() => checkWebhookUrl('https://user:pw@example.com/', { allowHttp: false, allowPrivate: false })).toThrow(/credentials/);
  expect(() => checkWebhookUrl('https://example.com/hook', { allowHttp: false, allowPrivate: false })).not.toThrow();
  expect(() => checkWebhookUrl('http://127.0.0.1/hook', { allowHttp: true, allowPrivate: true })).not.toThrow();
  expect(() => checkWebhookUrl('http://127.0.0.1/hook', { allowHttp: true, allowPrivate: false })).toThrow(/internal address/);
  const settings = { backoffBaseMs: 1_000, backoffMaxMs: 60_000 };
  for (let attempt = 1; attempt <= 10; attempt++) {
    const ceiling = Math.min(60_000, 1_000 * 2 ** (attempt - 1));
    const delay = backoffMs(attempt, settings);
    expect(delay).toBeGreaterThanOrEqual(ceiling / 2);
    expect(delay).toBeLessThanOrEqual(ceiling);
  }
});

describeEachDatabase('webhooks', (ctx) => {
  let client: GraphQLClient;
  const cleanups: Array<() => Promise<void>> = [];

  beforeAll(() => {
    client = graphqlClient(ctx.db, { webhooks: FAST });
    cleanups.push(startDispatcher(ctx.db, FAST));
  });
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  async function createHook(url: string, modelName: string): Promise<number> {
    const r = await client.data(
      `mutation($input: CreateWebhookInput!) { createWebhook(input: $input) {
        __typename ... on WebhookPayload { webhook { id url modelName active } } ... on Error { code message } } }`,
      { input: { url, secret: SECRET, modelName } },
    );
    expect(r.createWebhook.__typename).toBe('WebhookPayload');
    return r.createWebhook.webhook.id;
  }

  async function changes(modelName: string): Promise<number[]> {
    await client.data(`mutation($n: String!) { createRegisteredModel(input: { name: $n }) { __typename } }`, { n: modelName });
    for (let i = 0; i < 2; i++) {
      await client.data(`mutation($n: String!) { createModelVersion(input: { name: $n, source: "s3://b/m" }) { __typename } }`, {
        n: modelName,
      });
    }
    await client.data(`mutation($n: String!) { setModelAlias(input: { name: $n, alias: "production", version: 2 }) { __typename } }`, {
      n: modelName,
    });
    const r = await client.data(`query($n: String!) { auditEvents(filter: { modelName: $n }) { nodes { sequence } } }`, { n: modelName });
    return r.auditEvents.nodes.map((e: { sequence: number }) => e.sequence).reverse();
  }

  it('refuses an http target where http is not allowed, as a typed error', async () => {
    const r = await client.data(
      `mutation { createWebhook(input: { url: "ftp://example.com/x", secret: "${SECRET}" }) {
        __typename ... on ValidationError { field message } } }`,
    );
    expect(r.createWebhook).toEqual({ __typename: 'ValidationError', field: 'url', message: 'url: must be http:// or https://' });
  });

  it('a receiver that fails the first attempts still gets every event, signed, in order, acknowledged once each', async () => {
    const endpoint = await receiver(3);
    cleanups.push(endpoint.close);
    const id = await createHook(endpoint.url, 'retried');
    const sequences = await changes('retried');
    expect(sequences).toHaveLength(4);

    const logQuery = `query($id: Int!) { webhook(id: $id) { deliveries { sequence status attempts responseCode lastError event { action } } } }`;
    // The receiver answers before the sender records the outcome: wait for the log.
    await vi.waitFor(
      async () => {
        const { webhook } = await client.data(logQuery, { id });
        expect(webhook.deliveries.map((d: { status: string }) => d.status)).toEqual(['DELIVERED', 'DELIVERED', 'DELIVERED', 'DELIVERED']);
      },
      { timeout: 15_000, interval: 20 },
    );
    const acknowledged = endpoint.acknowledged();
    expect(acknowledged).toHaveLength(4);
    const events = acknowledged.map((r) => JSON.parse(r.body).event.sequence);
    expect(events).toEqual(sequences);
    for (const request of endpoint.requests) {
      expect(verifySignature(SECRET, request.timestamp, request.body, request.signature)).toBe(true);
      expect(verifySignature('another-secret-entirely', request.timestamp, request.body, request.signature)).toBe(false);
    }
    // The 3 failures were all attempts at the first event (in order: nothing else goes before it).
    const first = endpoint.requests.slice(0, 4);
    expect(new Set(first.map((r) => r.deliveryId)).size).toBe(1);
    expect(new Set(first.map((r) => r.body)).size).toBe(1);
    expect(new Set(acknowledged.map((r) => r.deliveryId)).size).toBe(4);

    const log = await client.data(logQuery, { id });
    const deliveries = [...log.webhook.deliveries].reverse();
    expect(deliveries.map((d: any) => d.sequence)).toEqual(sequences);
    expect(deliveries.every((d: any) => d.status === 'DELIVERED' && d.responseCode === 200 && d.lastError === null)).toBe(true);
    expect(deliveries.map((d: any) => d.attempts)).toEqual([4, 1, 1, 1]);
    expect(deliveries[0].event).toEqual({ action: 'MODEL_CREATED' });
  });

  it('an endpoint that never answers holds up neither mutations nor other webhooks', async () => {
    const hung: http.IncomingMessage[] = [];
    const dead = http.createServer((req) => void hung.push(req));
    await new Promise<void>((resolve) => dead.listen(0, '127.0.0.1', resolve));
    cleanups.push(async () => {
      dead.closeAllConnections();
      await new Promise<void>((resolve) => dead.close(() => resolve()));
    });
    const healthy = await receiver(0);
    cleanups.push(healthy.close);
    await createHook(`http://127.0.0.1:${(dead.address() as AddressInfo).port}/`, 'shared-model');
    const healthyId = await createHook(healthy.url, 'shared-model');

    const sequences = await changes('shared-model');
    await vi.waitFor(() => expect(healthy.requests).toHaveLength(4), { timeout: 15_000, interval: 20 });
    expect(healthy.requests.map((r) => JSON.parse(r.body).event.sequence)).toEqual(sequences);
    // The dead endpoint got its first event only, and still has not answered it.
    expect(hung).toHaveLength(1);
    const log = await client.data(`query($id: Int!) { webhook(id: $id) { deliveries { status } } }`, { id: healthyId });
    expect(log.webhook.deliveries).toHaveLength(4);
  });

  it('testWebhook sends a signed ping and logs it; a failing endpoint is reported', async () => {
    const endpoint = await receiver(1);
    cleanups.push(endpoint.close);
    const id = await createHook(endpoint.url, 'pinged');
    const ping = `mutation($id: Int!) { testWebhook(input: { id: $id }) {
      __typename ... on TestWebhookPayload { delivery { sequence status responseCode lastError } } ... on Error { code } } }`;
    expect((await client.data(ping, { id })).testWebhook).toEqual({
      __typename: 'TestWebhookPayload',
      delivery: { sequence: null, status: 'FAILED', responseCode: 500, lastError: 'HTTP 500' },
    });
    expect((await client.data(ping, { id })).testWebhook.delivery).toEqual({
      sequence: null,
      status: 'DELIVERED',
      responseCode: 200,
      lastError: null,
    });
    expect(JSON.parse(endpoint.requests[1].body)).toMatchObject({ webhookId: id, event: null });
    expect((await client.data(ping, { id: 99_999 })).testWebhook).toEqual({ __typename: 'NotFoundError', code: 'NOT_FOUND' });
  });

  it.skipIf(ctx.kind === 'pglite')('two replicas never send the same delivery twice (normal case)', async () => {
    const url = new URL(POSTGRES_ADMIN_URL);
    url.pathname = `/${ctx.db.databaseName}`;
    const second: Database = await openDatabase({ kind: 'postgres', url: url.toString() }, { log: false });
    const stopSecond = startDispatcher(second, FAST);
    cleanups.push(async () => {
      await stopSecond();
      await second.close();
    });
    const endpoint = await receiver(0);
    cleanups.push(endpoint.close);
    await createHook(endpoint.url, 'contended');
    const sequences = [...(await changes('contended')), ...(await changes('contended-too').then(() => []))];
    await vi.waitFor(() => expect(endpoint.requests.length).toBeGreaterThanOrEqual(4), { timeout: 15_000, interval: 20 });
    // Let both replicas run more rounds: nothing further may arrive.
    for (let round = 0; round < 5; round++) await new Promise((resolve) => setTimeout(resolve, FAST.pollIntervalMs));
    expect(endpoint.requests.map((r) => JSON.parse(r.body).event.sequence)).toEqual(sequences);
    expect(new Set(endpoint.requests.map((r) => r.deliveryId)).size).toBe(endpoint.requests.length);
  });
});

describeEachDatabase('webhook queue cap', (ctx) => {
  it('queues at most maxQueuedPerWebhook deliveries; the rest wait in the history table, none is skipped', async () => {
    const client = graphqlClient(ctx.db);
    const hung: http.IncomingMessage[] = [];
    const dead = http.createServer((req) => void hung.push(req));
    await new Promise<void>((resolve) => dead.listen(0, '127.0.0.1', resolve));
    const dispatcher = idleDispatcher(ctx.db, { ...FAST, maxQueuedPerWebhook: 2 });
    try {
      const created = await ctx.db.prisma.$transaction((tx) =>
        createWebhook(
          tx,
          { url: `http://127.0.0.1:${(dead.address() as AddressInfo).port}/`, secret: SECRET, modelName: 'capped' },
          { allowHttp: true, allowPrivate: true },
        ),
      );
      await client.data(`mutation { createRegisteredModel(input: { name: "capped" }) { __typename } }`);
      for (let i = 0; i < 3; i++) {
        await client.data(`mutation { createModelVersion(input: { name: "capped", source: "s3://b/m" }) { __typename } }`);
      }
      const history = await client.data(`{ auditEvents(filter: { modelName: "capped" }) { nodes { sequence } } }`);
      const sequences: number[] = history.auditEvents.nodes.map((e: { sequence: number }) => e.sequence).reverse();

      await dispatcher.round();
      const queued = await ctx.db.prisma.webhookDelivery.findMany({ where: { webhookId: created.id }, orderBy: { sequence: 'asc' } });
      expect(queued.map((d) => d.sequence)).toEqual(sequences.slice(0, 2));
      const webhook = await ctx.db.prisma.webhook.findUniqueOrThrow({ where: { id: created.id } });
      expect(webhook.lastSequence).toBe(sequences[1]);
      await vi.waitFor(() => expect(hung).toHaveLength(1), { timeout: 10_000, interval: 20 });
    } finally {
      dead.closeAllConnections();
      await new Promise<void>((resolve) => dead.close(() => resolve()));
      await dispatcher.stop();
    }
  });
});

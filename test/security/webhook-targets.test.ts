// F10 (webhooks may not target internal addresses unless WEBHOOK_ALLOW_PRIVATE=1, checked again at
// each send; generic delivery errors) and F12 (webhook URL text must be storable), through the
// real yoga server with REGISTRY_AUTH required and an unscoped admin token.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createApiToken } from '../../src/auth/tokens.ts';
import { type WebhookSettings, DEFAULT_WEBHOOK_SETTINGS } from '../../src/config.ts';
import { describeEachDatabase } from '../support/databases.ts';
import { type GraphQLClient, graphqlClient } from '../support/graphql.ts';
import { startDispatcher } from '../support/webhooks.ts';

const SECRET = '0123456789abcdef0123';
const CREATE = `mutation($u: String!) { createWebhook(input: { url: $u, secret: "${SECRET}", active: false }) {
  __typename ... on WebhookPayload { webhook { id url } } ... on ValidationError { field message } } }`;
const UPDATE = `mutation($id: Int!, $u: String!) { updateWebhook(input: { id: $id, url: $u }) {
  __typename ... on WebhookPayload { webhook { url } } ... on ValidationError { field message } } }`;
const PING = `mutation($id: Int!) { testWebhook(input: { id: $id }) {
  __typename ... on TestWebhookPayload { delivery { status responseCode lastError } } } }`;

/** The review's list, and one address of each other internal range. */
const INTERNAL_URLS = [
  'http://169.254.169.254/latest/meta-data/',
  'https://169.254.169.254/latest/meta-data/',
  'https://127.0.0.1:5432/',
  'http://[::1]:43901/',
  'http://localhost:43901/',
  'http://0.0.0.0:43901/',
  'http://127.1:43901/',
  'http://2130706433:43901/',
  'http://[::ffff:127.0.0.1]:43901/',
  'https://10.0.0.1/',
  'https://172.16.0.1/',
  'https://172.31.255.254/',
  'https://192.168.1.1/',
  'https://100.64.0.1/',
  'https://224.0.0.1/',
  'https://255.255.255.255/',
  'https://[::]/',
  'https://[fe80::1]/',
  'https://[fc00::1]/',
  'https://[fd12:3456::1]/',
  'https://[ff02::1]/',
  'https://[::ffff:169.254.169.254]/',
];

const SETTINGS: WebhookSettings = {
  ...DEFAULT_WEBHOOK_SETTINGS,
  allowHttp: true,
  pollIntervalMs: 20,
  backoffBaseMs: 10,
  backoffMaxMs: 20,
  maxAttempts: 1,
  requestTimeoutMs: 5_000,
};

describeEachDatabase('security: webhook targets', (ctx) => {
  let admin: GraphQLClient;
  const received: string[] = [];
  let server: http.Server;
  let receiverUrl: string;

  let adminSecret: string;
  let stopDispatcher: (() => Promise<void>) | null = null;

  /** A server with these webhook rules: its GraphQL API and its dispatcher. */
  function withSettings(allowPrivate: boolean): void {
    const settings = { ...SETTINGS, allowPrivate };
    admin = graphqlClient(ctx.db, { token: adminSecret, security: { auth: 'required' }, webhooks: settings });
    stopDispatcher = startDispatcher(ctx.db, settings);
  }

  async function stopWebhooks(): Promise<void> {
    await stopDispatcher?.();
    stopDispatcher = null;
  }

  beforeAll(async () => {
    const { secret } = await createApiToken(ctx.db.prisma, { name: 'root', role: 'ADMIN', promote: true }, null);
    adminSecret = secret;
    admin = graphqlClient(ctx.db, { token: secret, security: { auth: 'required' } });
    server = http.createServer((req, res) => {
      received.push(req.url ?? '');
      req.resume();
      res.end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    receiverUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  });
  afterAll(async () => {
    await stopWebhooks();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('F10: each internal target is refused by default (url field), a public one accepted; all accepted with allowPrivate', async () => {
    withSettings(false);
    for (const u of INTERNAL_URLS) {
      const r = (await admin.data(CREATE, { u })).createWebhook;
      expect(r, u).toMatchObject({ __typename: 'ValidationError', field: 'url' });
      expect(r.message, u).toMatch(/internal address/);
    }
    expect(await ctx.db.prisma.webhook.count()).toBe(0);
    expect((await admin.data(CREATE, { u: 'https://93.184.216.34/hook' })).createWebhook.__typename).toBe('WebhookPayload');
    await stopWebhooks();

    withSettings(true);
    for (const u of INTERNAL_URLS) {
      expect((await admin.data(CREATE, { u })).createWebhook.__typename, u).toBe('WebhookPayload');
    }
    await ctx.db.prisma.webhook.deleteMany();
    await stopWebhooks();
  });

  it('F10: a stored webhook whose host is internal now is not sent to (DNS rebinding): ping and dispatcher', async () => {
    withSettings(true);
    const id = (await admin.data(CREATE, { u: receiverUrl })).createWebhook.webhook.id;
    expect((await admin.data(PING, { id })).testWebhook.delivery).toEqual({ status: 'DELIVERED', responseCode: 200, lastError: null });
    expect(received).toHaveLength(1);
    await stopWebhooks();

    withSettings(false);
    expect((await admin.data(PING, { id })).testWebhook.delivery).toEqual({
      status: 'FAILED',
      responseCode: null,
      lastError: 'address not allowed',
    });
    await admin.data(`mutation { updateWebhook(input: { id: ${id}, active: true }) { __typename } }`);
    await admin.data(`mutation { createRegisteredModel(input: { name: "rebound" }) { __typename } }`);
    let delivery = null;
    for (let i = 0; i < 250 && !delivery; i++) {
      delivery = await ctx.db.prisma.webhookDelivery.findFirst({
        where: { webhookId: id, sequence: { not: null }, status: { not: 'PENDING' } },
      });
      if (!delivery) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(delivery).toMatchObject({ status: 'FAILED', lastError: 'address not allowed' });
    expect(received).toHaveLength(1);
    await ctx.db.prisma.webhook.deleteMany();
    await stopWebhooks();
  });

  it('F10: delivery errors are generic, never the transport text (closed loopback port, allowPrivate on)', async () => {
    withSettings(true);
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const id = (await admin.data(CREATE, { u: `http://127.0.0.1:${port}/` })).createWebhook.webhook.id;
    const { delivery } = (await admin.data(PING, { id })).testWebhook;
    expect(delivery).toEqual({ status: 'FAILED', responseCode: null, lastError: 'connection failed' });
    await ctx.db.prisma.webhook.deleteMany();
    await stopWebhooks();
  });

  it('F12: a URL with U+0000 or a lone surrogate is a ValidationError on url, on create and update, nothing stored', async () => {
    withSettings(true);
    const bad = ['https://127.0.0.1:9/a\u0000b', 'https://127.0.0.1:9/\uD800', 'https://127.0.0.1:9/\uDC00x'];
    for (const u of bad) {
      expect((await admin.data(CREATE, { u })).createWebhook, JSON.stringify(u)).toMatchObject({
        __typename: 'ValidationError',
        field: 'url',
      });
    }
    expect(await ctx.db.prisma.webhook.count()).toBe(0);
    const id = (await admin.data(CREATE, { u: 'https://127.0.0.1:9/ok' })).createWebhook.webhook.id;
    for (const u of bad) {
      expect((await admin.data(UPDATE, { id, u })).updateWebhook, JSON.stringify(u)).toMatchObject({
        __typename: 'ValidationError',
        field: 'url',
      });
    }
    expect((await ctx.db.prisma.webhook.findUnique({ where: { id } }))!.url).toBe('https://127.0.0.1:9/ok');
    await ctx.db.prisma.webhook.deleteMany();
    await stopWebhooks();
  });
});

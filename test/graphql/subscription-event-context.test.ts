// A subscription's context lives as long as the subscription, but its DataLoaders must not: each
// event's nested fields (model.aliases, version.tags) show the state as of that event. Checked over
// both transports, SSE and graphql-ws, which reach the schema through yoga's envelop.
import type { Client } from 'graphql-ws';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type RunningServer, type ServerLog, startServer } from '../../src/app.ts';
import { describeEachDatabase } from '../support/databases.ts';
import { wsClient, wsSubscribe } from '../support/graphql-ws.ts';
import { subscribeSse } from '../support/sse.ts';

const quiet: ServerLog = { info: () => {}, error: (message, detail) => console.error(message, detail) };

const EVENTS = /* GraphQL */ `
  subscription($modelName: String, $afterSequence: Int) {
    registryEvents(modelName: $modelName, afterSequence: $afterSequence, actions: [ALIAS_SET]) {
      sequence alias model { aliases { alias } }
    }
  }`;

const ALIAS_CHANGED = /* GraphQL */ `
  subscription($name: String!, $alias: String!) {
    aliasChanged(name: $name, alias: $alias) { version { version tags { key value } } }
  }`;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

interface Stream {
  take(count: number): Promise<any[]>;
  close(): void | Promise<void>;
}

describeEachDatabase('each subscription event resolves with its own DataLoaders', (ctx) => {
  let server: RunningServer;
  const clients: Client[] = [];
  const streams: Stream[] = [];

  beforeAll(async () => {
    // The harness closes the database; this server must not.
    const db = Object.assign(Object.create(ctx.db), { close: async () => {} });
    server = await startServer({ config: { host: '127.0.0.1', port: 0 }, db, log: quiet, shutdownTimeoutMs: 5_000 });
  });
  afterAll(async () => {
    await Promise.all(streams.map((s) => s.close()));
    await Promise.all(clients.map((c) => c.dispose()));
    await server?.close();
  });

  async function mutate(query: string, variables: Record<string, unknown>): Promise<any> {
    const response = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await response.json()) as { data?: any; errors?: unknown[] };
    if (body.errors) throw new Error(JSON.stringify(body.errors));
    const [result] = Object.values(body.data) as Array<{ __typename: string }>;
    if (!result.__typename.endsWith('Payload')) throw new Error(JSON.stringify(body.data));
    return body.data;
  }
  const createModel = (name: string) =>
    mutate(`mutation($n: String!) { createRegisteredModel(input: { name: $n }) { __typename } }`, { n: name });
  const createVersion = (name: string) =>
    mutate(`mutation($n: String!) { createModelVersion(input: { name: $n, source: "s3://b/m" }) { __typename } }`, { n: name });
  const setAlias = (name: string, alias: string, version: number) =>
    mutate(`mutation($n: String!, $a: String!, $v: Int!) { setModelAlias(input: { name: $n, alias: $a, version: $v }) { __typename } }`, {
      n: name,
      a: alias,
      v: version,
    });
  const setVersionTag = (name: string, version: number, value: string) =>
    mutate(
      `mutation($n: String!, $v: Int!, $val: String!) { setModelVersionTag(input: { name: $n, version: $v, key: "stage", value: $val }) { __typename } }`,
      { n: name, v: version, val: value },
    );
  async function lastSequence(): Promise<number> {
    const response = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: `{ auditEvents(first: 1) { nodes { sequence } } }` }),
    });
    const body = (await response.json()) as { data: { auditEvents: { nodes: Array<{ sequence: number }> } } };
    return body.data.auditEvents.nodes[0]?.sequence ?? 0;
  }

  async function sse(query: string, variables: Record<string, unknown>): Promise<Stream> {
    const subscription = await subscribeSse(fetch, server.url, query, variables);
    const stream = { take: (count: number) => subscription.take(count), close: () => subscription.close() };
    streams.push(stream);
    return stream;
  }

  function ws(query: string, variables: Record<string, unknown>): Stream {
    const client = wsClient(server.url);
    clients.push(client);
    const subscription = wsSubscribe(client, query, variables);
    const stream = { take: subscription.take, close: () => subscription.stop() };
    streams.push(stream);
    return stream;
  }

  const transports: Record<string, (query: string, variables: Record<string, unknown>) => Promise<Stream> | Stream> = {
    SSE: sse,
    'graphql-ws': ws,
  };

  for (const [transport, open] of Object.entries(transports)) {
    it(`registryEvents over ${transport}: model.aliases as of each event`, async () => {
      const name = `fresh-aliases-${transport}`;
      await createModel(name);
      await createVersion(name);
      // graphql-ws does not acknowledge a subscription: it starts from a known sequence instead.
      const events = await open(EVENTS, { modelName: name, afterSequence: await lastSequence() });
      await setAlias(name, 'champion', 1);
      const [first] = await events.take(1);
      expect(first.errors).toBeUndefined();
      expect(first.data.registryEvents).toMatchObject({ alias: 'champion', model: { aliases: [{ alias: 'champion' }] } });
      await setAlias(name, 'prod', 1);
      const [, second] = await events.take(2);
      expect(second.errors).toBeUndefined();
      expect(second.data.registryEvents).toMatchObject({ alias: 'prod', model: { aliases: [{ alias: 'champion' }, { alias: 'prod' }] } });
    });

    it(`aliasChanged over ${transport}: version.tags as of each event`, async () => {
      const name = `fresh-tags-${transport}`;
      await createModel(name);
      await createVersion(name);
      await createVersion(name);
      await setVersionTag(name, 1, 'a');
      const changes = await open(ALIAS_CHANGED, { name, alias: 'champion' });
      // aliasChanged has no replay and graphql-ws no acknowledgement: move the alias until the
      // subscription delivers, then let late deliveries land before counting.
      let current = 0;
      for (let received = 0; received === 0; ) {
        current = current === 2 ? 1 : 2;
        await setAlias(name, 'champion', current);
        received = (await Promise.race([changes.take(1), sleep(200).then(() => [])])).length;
      }
      if (current !== 2) await setAlias(name, 'champion', 2);
      await sleep(300);
      const mark = (await changes.take(0)).length;

      await setAlias(name, 'champion', 1);
      const first = (await changes.take(mark + 1))[mark];
      expect(first.data.aliasChanged.version).toEqual({ version: 1, tags: [{ key: 'stage', value: 'a' }] });
      await setVersionTag(name, 1, 'b');
      await setAlias(name, 'champion', 2);
      await setAlias(name, 'champion', 1);
      const last = (await changes.take(mark + 3))[mark + 2];
      expect(last.data.aliasChanged.version).toEqual({ version: 1, tags: [{ key: 'stage', value: 'b' }] });
    });
  }
});

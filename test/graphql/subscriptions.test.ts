// Subscriptions over SSE through the real yoga, in-process: replay then live with no gap or
// duplicate at the seam, filters, aliasChanged, per-token caps.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { RegistryEventFeed, SubscriptionLimitError } from '../../src/events/feed.ts';
import { createApp } from '../../src/app.ts';
import type { RegistryYoga } from '../../src/graphql/yoga.ts';
import { describeEachDatabase } from '../support/databases.ts';
import { type GraphQLClient, graphqlClient } from '../support/graphql.ts';
import { type SseSubscription, subscribeSse } from '../support/sse.ts';

const EVENTS = /* GraphQL */ `
  subscription($modelName: String, $aliases: [String!], $actions: [AuditAction!], $afterSequence: Int) {
    registryEvents(modelName: $modelName, aliases: $aliases, actions: $actions, afterSequence: $afterSequence) {
      sequence action modelName alias version previousVersion model { name }
    }
  }`;

const ALIAS_CHANGED = /* GraphQL */ `
  subscription($name: String!, $alias: String!) {
    aliasChanged(name: $name, alias: $alias) { alias version { version } model { name } }
  }`;

describeEachDatabase('subscriptions over SSE', (ctx) => {
  let client: GraphQLClient;
  let yoga: RegistryYoga;
  const open: SseSubscription<any>[] = [];

  beforeAll(() => {
    client = graphqlClient(ctx.db);
    yoga = createApp(ctx.db).yoga;
  });
  afterAll(async () => {
    await Promise.all(open.map((s) => s.close()));
  });

  async function subscribe(query: string, variables: Record<string, unknown>) {
    const subscription = await subscribeSse(
      (url, init) => Promise.resolve(yoga.fetch(url, init)),
      'http://localhost/graphql',
      query,
      variables,
    );
    open.push(subscription);
    return subscription;
  }

  async function createModel(name: string) {
    const r = await client.data(`mutation($n: String!) { createRegisteredModel(input: { name: $n }) { __typename } }`, { n: name });
    expect(r.createRegisteredModel.__typename).toBe('RegisteredModelPayload');
  }
  async function createVersion(name: string) {
    const r = await client.data(
      `mutation($n: String!) { createModelVersion(input: { name: $n, source: "s3://bucket/model" }) { __typename } }`,
      { n: name },
    );
    expect(r.createModelVersion.__typename).toBe('ModelVersionPayload');
  }
  async function setAlias(name: string, alias: string, version: number) {
    const r = await client.data(
      `mutation($n: String!, $a: String!, $v: Int!) { setModelAlias(input: { name: $n, alias: $a, version: $v }) { __typename } }`,
      { n: name, a: alias, v: version },
    );
    expect(r.setModelAlias.__typename).toBe('SetModelAliasPayload');
  }
  async function history(name: string): Promise<number[]> {
    const r = await client.data(`query($n: String!) { auditEvents(first: 100, filter: { modelName: $n }) { nodes { sequence } } }`, {
      n: name,
    });
    return r.auditEvents.nodes.map((e: { sequence: number }) => e.sequence).reverse();
  }

  it('replays events after afterSequence, then continues live with no gap and no duplicate at the seam', async () => {
    await createModel('seam');
    await createVersion('seam');
    await createVersion('seam');
    const before = await history('seam');
    expect(before).toHaveLength(3);

    const subscription = await subscribe(EVENTS, { modelName: 'seam', afterSequence: before[0] });
    // Writes race with the replay: some commit before the subscription reads, some after.
    const writes = Promise.all([setAlias('seam', 'champion', 1), createVersion('seam'), setAlias('seam', 'prod', 2)]);
    await writes;
    for (let i = 0; i < 3; i++) await setAlias('seam', 'champion', i % 2 === 0 ? 2 : 1);

    const all = await history('seam');
    const expected = all.filter((s) => s > before[0]);
    expect(expected).toHaveLength(2 + 3 + 3);
    const received = await subscription.take(expected.length);
    expect(received.every((p) => p.errors === undefined)).toBe(true);
    expect(received.map((p) => p.data.registryEvents.sequence)).toEqual(expected);
    expect(received[0].data.registryEvents).toMatchObject({
      action: 'VERSION_CREATED',
      version: 1,
      modelName: 'seam',
      model: { name: 'seam' },
    });

    // Nothing more arrives for those writes: the next payload is the next event.
    await setAlias('seam', 'canary', 3);
    await subscription.take(expected.length + 1);
    expect(received.map((p) => p.data.registryEvents.sequence)).toEqual(await history('seam').then((h) => h.slice(1)));
  });

  it('without afterSequence delivers only what commits after subscribing; filters by alias and action', async () => {
    await createModel('filtered');
    await createVersion('filtered');
    await createVersion('filtered');
    await setAlias('filtered', 'production', 1);
    const subscription = await subscribe(EVENTS, { modelName: 'filtered', aliases: ['production'], actions: ['ALIAS_SET'] });
    await setAlias('filtered', 'staging', 1);
    await setAlias('filtered', 'production', 2);
    const [first] = await subscription.take(1);
    expect(first.data.registryEvents).toMatchObject({ action: 'ALIAS_SET', alias: 'production', version: 2, previousVersion: 1 });
    await setAlias('filtered', 'production', 1);
    const received = await subscription.take(2);
    expect(received.map((p) => p.data.registryEvents.version)).toEqual([2, 1]);
  });

  it('aliasChanged emits the new state on each move, and null when the alias goes with its version', async () => {
    await createModel('watched');
    await createVersion('watched');
    await createVersion('watched');
    const subscription = await subscribe(ALIAS_CHANGED, { name: 'watched', alias: 'production' });
    await setAlias('watched', 'production', 1);
    await setAlias('watched', 'other', 2);
    await setAlias('watched', 'production', 2);
    // Taken before the delete: an event whose version is gone by the time it is read is skipped
    // (the deletion's own event follows), so a slow reader would otherwise never see the move to 2.
    await subscription.take(2);
    const deleted = await client.data(`mutation { deleteModelVersion(input: { name: "watched", version: 2 }) { __typename } }`);
    expect(deleted.deleteModelVersion.__typename).toBe('DeleteModelVersionPayload');
    const received = await subscription.take(3);
    expect(received.map((p) => p.data.aliasChanged)).toEqual([
      { alias: 'production', version: { version: 1 }, model: { name: 'watched' } },
      { alias: 'production', version: { version: 2 }, model: { name: 'watched' } },
      null,
    ]);
  });

  it('refuses bad arguments as GraphQL errors', async () => {
    const subscription = await subscribe(EVENTS, { afterSequence: -1 });
    const [payload] = await subscription.take(1);
    expect(payload.errors?.[0].message).toBe('afterSequence must be 0 or more');
  });

  it('caps open subscriptions per token, and frees a slot when one ends', async () => {
    const feed = new RegistryEventFeed(ctx.db, { maxSubscriptionsPerActor: 2 });
    try {
      const a = await feed.subscribe({}, { actor: 'bot', afterSequence: 0 });
      const b = await feed.subscribe({}, { actor: 'bot', afterSequence: 0 });
      await expect(feed.subscribe({}, { actor: 'bot', afterSequence: 0 })).rejects.toThrow(SubscriptionLimitError);
      const other = await feed.subscribe({}, { actor: 'someone-else', afterSequence: 0 });
      expect(feed.openSubscriptions('bot')).toBe(2);
      await a.return!();
      expect(feed.openSubscriptions('bot')).toBe(1);
      const c = await feed.subscribe({}, { actor: 'bot', afterSequence: 0 });
      expect((await c.next()).value.sequence).toBe(1);
      await Promise.all([b.return!(), c.return!(), other.return!()]);
      expect(feed.openSubscriptions('bot')).toBe(0);
    } finally {
      await feed.close();
    }
  });
});

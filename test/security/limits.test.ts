// Operation limits and list-input caps (security review F1, F2, F3, F9, F21/F22, F23; newcomer D13):
// the attacks of the review, scaled down, through the real server, on every engine where the
// caps guard SQL.
import { createClient } from 'graphql-ws';
import { type DocumentNode, parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { DEFAULT_GRAPHQL_LIMITS } from '../../src/config.ts';
import { measureCacheStats, measureOperation } from '../../src/graphql/limits.ts';
import { schema } from '../../src/graphql/schema/index.ts';
import { LIMITS } from '../../src/registry/rules/validation.ts';
import { type RunningServer, startServer } from '../../src/app.ts';
import { describeEachDatabase } from '../support/databases.ts';
import { seedModels } from '../support/seed.ts';
import { subscribeSse } from '../support/sse.ts';

const quiet = { info: () => {}, error: () => {} };
const cost = (query: string, variables?: Record<string, unknown>) =>
  measureOperation(schema, parse(query), null, variables, Number.POSITIVE_INFINITY)!;

/** Fragments F0..Fn, each spreading the previous one twice: 2^n root fields once expanded. */
function fragmentBomb(n: number): string {
  let f = 'fragment F0 on Query { __typename }\n';
  for (let i = 1; i <= n; i++) f += `fragment F${i} on Query { ...F${i - 1} ...F${i - 1} }\n`;
  return `query { ...F${n} }\n${f}`;
}

// Three levels of 100 versions: 1,000,000 objects per event if it ran.
const DEEP_VERSIONS =
  'model { versions(first: 100) { nodes { model { versions(first: 100) { nodes { model { versions(first: 100) { nodes { version } } } } } } } } }';

describe('the cost estimate (no database)', () => {
  it('F2: costs an inline fragment against its type condition under node(id:)', () => {
    const selection = 'versions(first: 100) { nodes { model { versions(first: 100) { nodes { version } } } } }';
    const direct = cost(`{ registeredModel(name: "m") { ${selection} } }`).complexity;
    expect(direct).toBeGreaterThan(20_000);
    expect(cost(`{ node(id: "x") { ... on RegisteredModel { ${selection} } } }`).complexity).toBe(direct);
    // Named fragments too, and an abstract type takes its most expensive possible type, not a sum.
    const named = `{ node(id: "x") { ...M ... on ModelVersion { version } } }\nfragment M on RegisteredModel { ${selection} }`;
    expect(cost(named).complexity).toBe(direct);
  });

  it('F2: costs a mutation result union through its payload type', () => {
    const shape = cost(
      `mutation { createRegisteredModel(input: { name: "x" }) { ... on RegisteredModelPayload { registeredModel { ${DEEP_VERSIONS.slice('model { '.length, -2)} } } } }`,
    );
    expect(shape.complexity).toBeGreaterThan(1_000_000);
  });

  it('F3: counts the root fields of 2^24 fragment expansions without expanding them', () => {
    // Expanding them (as before) took about 50 s and 16M array entries; the count is per fragment.
    const started = performance.now();
    const shape = measureOperation(schema, parse(fragmentBomb(24)), null, null, DEFAULT_GRAPHQL_LIMITS.maxComplexity)!;
    expect(shape.rootFields).toBe(2 ** 24);
    expect(shape.complexity).toBe(Number.POSITIVE_INFINITY);
    expect(performance.now() - started).toBeLessThan(2_000); // a sanity bound, not a benchmark
  });

  it('F21/F23: counts the items of list inputs', () => {
    const query = 'query($t: [TagFilter!]) { registeredModels(filter: { tags: $t }) { totalCount } }';
    const none = cost(query, { t: [] }).complexity;
    expect(cost(query, { t: Array.from({ length: 20 }, (_, i) => ({ key: `k${i}` })) }).complexity).toBe(none + 20);
  });

  it('D13: clamps `first` to the page maximum, so the page check reports it', () => {
    expect(cost('{ registeredModels(first: 100000) { nodes { name } } }').complexity).toBe(
      cost(`{ registeredModels(first: ${LIMITS.pageSizeMax}) { nodes { name } } }`).complexity,
    );
  });
});

describe('the cost cache (no database)', () => {
  // One DocumentNode measured again and again, as yoga's parser cache hands it over; each result
  // must be what a freshly parsed copy measures, and a repeat must not walk the document again.
  const measure = (document: DocumentNode, variables?: Record<string, unknown> | null, operationName?: string | null) =>
    measureOperation(schema, document, operationName, variables, Number.POSITIVE_INFINITY)!;
  const walks = () => measureCacheStats().walks;

  it('counts a `first` variable by its value', () => {
    const query = 'query($f: Int) { registeredModels(first: $f) { nodes { name versions(first: $f) { nodes { version } } } } }';
    const document = parse(query);
    const five = measure(document, { f: 5 });
    const fifty = measure(document, { f: 50 });
    expect(fifty.complexity).toBeGreaterThan(five.complexity);
    expect(five).toEqual(cost(query, { f: 5 }));
    expect(fifty).toEqual(cost(query, { f: 50 }));
    expect(measure(document, { f: 'x' })).toEqual(measure(document, {}));
  });

  it('counts the items of a list variable by its length', () => {
    const query = 'query($t: [TagFilter!]) { registeredModels(filter: { tags: $t }) { totalCount } }';
    const document = parse(query);
    const tags = (n: number) => Array.from({ length: n }, (_, i) => ({ key: `k${i}` }));
    const one = measure(document, { t: tags(1) }).complexity;
    expect(measure(document, { t: tags(30) }).complexity).toBe(one + 29);
    expect(measure(document, { t: tags(1) }).complexity).toBe(one);
    // Too large to sign cheaply: measured directly, every time, and still right.
    const before = walks();
    expect(measure(document, { t: tags(2_000) }).complexity).toBe(one + 1_999);
    expect(measure(document, { t: tags(2_000) }).complexity).toBe(one + 1_999);
    expect(walks()).toBe(before + 2);
  });

  it('measures a document once for variables that cannot change its shape', () => {
    const document = parse(
      'query AliasLookup($name: String!) { registeredModel(name: $name) { versionByAlias(alias: "champion") { version source } } }',
    );
    const first = measure(document, { name: 'a' });
    const before = walks();
    for (const name of ['b', 'a much longer model name', '']) expect(measure(document, { name })).toEqual(first);
    expect(measure(document, { name: 'c', unused: [1, 2, 3] })).toEqual(first);
    expect(walks()).toBe(before);
    // A caller changing its copy changes nothing for the next request.
    measure(document, { name: 'a' }).complexity = 0;
    expect(measure(document, { name: 'a' })).toEqual(first);
    expect(measure(document, { name: 'a', first: 99 })).toEqual(first);
    expect(walks()).toBe(before);
  });

  it('measures each operation of a document by its name', () => {
    const document = parse(
      'query Small { registeredModels(first: 1) { totalCount } }\nquery Large { registeredModels(first: 90) { nodes { name } } }',
    );
    const small = measure(document, null, 'Small');
    const large = measure(document, null, 'Large');
    expect(large.complexity).toBeGreaterThan(small.complexity);
    expect(measure(document, null, null)).toEqual(small);
    expect(measure(document, null, 'Small')).toEqual(small);
    expect(measure(document, null, 'Large')).toEqual(large);
    expect(measureOperation(schema, document, 'Missing', null)).toBeNull();
  });

  it('keeps `stopAfter` apart: a fragment bomb stays cut off on every call', () => {
    const document = parse(fragmentBomb(10));
    for (let i = 0; i < 3; i++) {
      expect(measureOperation(schema, document, null, null, 100)!.complexity).toBe(Number.POSITIVE_INFINITY);
    }
    // 2^10 fields of `__typename`, which cost nothing, once they may all be visited.
    const whole = measureOperation(schema, document, null, null, 10_000)!;
    expect(whole).toEqual({ depth: 1, complexity: 0, aliases: 0, rootFields: 2 ** 10 });
    expect(whole).toEqual(measureOperation(schema, parse(fragmentBomb(10)), null, null, 10_000));
    expect(measureOperation(schema, document, null, null, 100)!.complexity).toBe(Number.POSITIVE_INFINITY);
  });
});

describeEachDatabase('operation limits and list caps', (ctx) => {
  let server: RunningServer;
  let modelId: string;
  const servers: RunningServer[] = [];
  beforeAll(async () => {
    await seedModels(ctx.db.prisma, { prefix: 'lim', models: 2, versions: 3 });
    // The harness closes the database; the server must not.
    const db = Object.assign(Object.create(ctx.db), { close: async () => {} });
    server = await startServer({ config: { host: '127.0.0.1', port: 0 }, db, log: quiet, shutdownTimeoutMs: 2_000 });
    servers.push(server);
    modelId = (await post('{ registeredModel(name: "lim-000") { id } }')).data.registeredModel.id;
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.close()));
  });

  async function post(query: string, variables: Record<string, unknown> = {}): Promise<any> {
    const response = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query, variables }),
    });
    return response.json();
  }
  const codes = (json: any): string[] => (json.errors ?? []).map((e: any) => e.extensions?.code);

  it('F1: refuses an over-limit subscription over SSE before it subscribes', async () => {
    const subscription = await subscribeSse(fetch, server.url, `subscription { registryEvents(afterSequence: 0) { ${DEEP_VERSIONS} } }`);
    await subscription.ended;
    expect(subscription.received).toHaveLength(1);
    expect(subscription.received[0].data ?? null).toBeNull();
    expect(subscription.received[0].errors![0].extensions!.code).toBe('QUERY_TOO_COMPLEX');
    expect(subscription.received[0].errors!.map((e) => e.message).join('\n')).toMatch(/estimated cost (of \d+|over 60000)/);
  });

  it('F1: refuses over-limit subscriptions over graphql-ws (cost, aliases), and admits one within them', async () => {
    const client = createClient({ url: server.url.replace(/^http/, 'ws'), webSocketImpl: WebSocket, retryAttempts: 0, lazy: true });
    const first = (query: string) =>
      new Promise<any>((resolve, reject) => {
        const stop = client.subscribe(
          { query },
          {
            next: (value) => {
              stop();
              resolve(value);
            },
            error: (error) => resolve({ errors: Array.isArray(error) ? error : [error] }),
            complete: () => resolve({ completed: true }),
          },
        );
        setTimeout(() => reject(new Error('no answer')), 5_000);
      });
    try {
      const costly = await first(`subscription { registryEvents(afterSequence: 0) { ${DEEP_VERSIONS} } }`);
      expect(costly.data ?? null).toBeNull();
      expect(codes(costly)).toContain('QUERY_TOO_COMPLEX');
      const aliases = Array.from({ length: 11 }, (_, i) => `s${i}: sequence`).join(' ');
      const aliased = await first(`subscription { registryEvents(afterSequence: 0) { ${aliases} } }`);
      expect(aliased.errors[0].message).toBe('The operation uses 11 aliases (at most 10).');
      const fine = await first('subscription { registryEvents(afterSequence: 0) { sequence model { name } } }');
      expect(fine.errors).toBeUndefined();
      expect(fine.data.registryEvents.sequence).toBeGreaterThan(0);
    } finally {
      await client.dispose();
    }
  });

  it('F2: refuses a costly selection under node(id:) and under a mutation payload union, creating nothing', async () => {
    const viaNode = await post(`{ node(id: "${modelId}") { ... on RegisteredModel { ${DEEP_VERSIONS.slice('model { '.length, -2)} } } }`);
    expect(codes(viaNode)).toEqual(['QUERY_TOO_COMPLEX']);
    expect(viaNode.data ?? null).toBeNull();
    const selection = 'versions(first: 100) { nodes { model { versions(first: 100) { nodes { tags { key } } } } } }';
    const viaUnion = await post(
      `mutation { createRegisteredModel(input: { name: "lim-f2" }) { ... on RegisteredModelPayload { registeredModel { ${selection} } } } }`,
    );
    expect(codes(viaUnion)).toEqual(['QUERY_TOO_COMPLEX']);
    expect((await post('{ registeredModel(name: "lim-f2") { id } }')).data.registeredModel).toBeNull();
  });

  it('F3: refuses the 858-byte fragment document at once', { timeout: 5_000 }, async () => {
    const query = fragmentBomb(20);
    expect(JSON.stringify({ query }).length).toBe(858);
    const refused = await post(query);
    expect(codes(refused)).toContain('QUERY_TOO_COMPLEX');
    expect(refused.errors.map((e: any) => e.message)).toContain('The operation selects 1048576 root fields (at most 10).');
  });

  it('D13: `first` over the page maximum gets the page-size error, however large', async () => {
    for (const first of [101, 100_000, 2_000_000_000]) {
      const json = await post(
        `{ registeredModels(first: ${first}) { totalCount nodes { versions(first: ${first}) { nodes { version } } } } }`,
      );
      expect(codes(json)).toEqual(['BAD_USER_INPUT']);
      expect(json.errors[0].message).toBe(`first must be between 1 and 100 (got ${first})`);
    }
  });

  it('F21/F22: refuses more than 20 tag filters with BAD_USER_INPUT on every listing, admits 20', async () => {
    const filters = (n: number) => Array.from({ length: n }, (_, i) => ({ key: `k${i}`, value: `v${i}` }));
    const listings = [
      'query($t: [TagFilter!]) { registeredModels(filter: { tags: $t }) { totalCount nodes { name } } }',
      'query($t: [TagFilter!]) { modelVersions(filter: { tags: $t }) { totalCount nodes { version } } }',
      'query($t: [TagFilter!]) { registeredModel(name: "lim-000") { versions(filter: { tags: $t }) { totalCount nodes { version } } } }',
    ];
    for (const query of listings) {
      const admitted = await post(query, { t: filters(20) });
      expect(admitted.errors).toBeUndefined();
      for (const n of [21, 200]) {
        const refused = await post(query, { t: filters(n) });
        expect(codes(refused).length).toBeGreaterThan(0);
        expect(new Set(codes(refused))).toEqual(new Set(['BAD_USER_INPUT']));
        expect(refused.errors[0].message).toBe(`filter.tags may hold at most 20 tag filters (got ${n})`);
      }
    }
  });

  it('F9: refuses more than 100 tags in one create input as a ValidationError, storing nothing', async () => {
    const tags = (n: number) => Array.from({ length: n }, (_, i) => ({ key: `k${i}`, value: '' }));
    const createModel =
      'mutation($i: CreateRegisteredModelInput!) { createRegisteredModel(input: $i) { __typename ... on ValidationError { field message } } }';
    const refused = await post(createModel, { i: { name: 'lim-tags', tags: tags(101) } });
    expect(refused.data.createRegisteredModel).toEqual({
      __typename: 'ValidationError',
      field: 'tags',
      message: 'tags may hold at most 100 tags (got 101); set the rest with setModelTag / setModelVersionTag',
    });
    expect((await post('{ registeredModel(name: "lim-tags") { id } }')).data.registeredModel).toBeNull();
    expect((await post(createModel, { i: { name: 'lim-tags', tags: tags(100) } })).data.createRegisteredModel.__typename).toBe(
      'RegisteredModelPayload',
    );

    const createVersion =
      'mutation($i: CreateModelVersionInput!) { createModelVersion(input: $i) { __typename ... on ValidationError { field } } }';
    const version = await post(createVersion, { i: { name: 'lim-tags', source: 's3://x', tags: tags(101) } });
    expect(version.data.createModelVersion).toEqual({ __typename: 'ValidationError', field: 'tags' });
    expect((await post('{ registeredModel(name: "lim-tags") { versions { totalCount } } }')).data.registeredModel.versions.totalCount).toBe(
      0,
    );
  });

  it('F9: refuses a new tag key on a model or version that holds 1000 tags, still overwrites one', async () => {
    const created = await post('mutation { createRegisteredModel(input: { name: "lim-full" }) { __typename } }');
    expect(created.errors).toBeUndefined();
    await post('mutation { createModelVersion(input: { name: "lim-full", source: "s3://x" }) { __typename } }');
    const model = await ctx.db.prisma.registeredModel.findUniqueOrThrow({ where: { name: 'lim-full' }, include: { versions: true } });
    const keys = Array.from({ length: LIMITS.tagsPerOwnerMax }, (_, i) => `k${i}`);
    await ctx.db.prisma.registeredModelTag.createMany({ data: keys.map((key) => ({ modelId: model.id, key, value: '' })) });
    await ctx.db.prisma.modelVersionTag.createMany({ data: keys.map((key) => ({ versionId: model.versions[0].id, key, value: '' })) });
    const setModel = (key: string) =>
      post(
        `mutation { setRegisteredModelTag(input: { name: "lim-full", key: "${key}", value: "x" }) { __typename ... on ValidationError { field message } } }`,
      );
    expect((await setModel('one-more')).data.setRegisteredModelTag).toEqual({
      __typename: 'ValidationError',
      field: 'key',
      message: 'registered model "lim-full" already holds 1000 tags (at most 1000); delete one before adding another',
    });
    expect((await setModel('k7')).data.setRegisteredModelTag.__typename).not.toBe('ValidationError');
    const setVersion = (key: string) =>
      post(
        `mutation { setModelVersionTag(input: { name: "lim-full", version: 1, key: "${key}", value: "x" }) { __typename ... on ValidationError { field } } }`,
      );
    expect((await setVersion('one-more')).data.setModelVersionTag).toEqual({ __typename: 'ValidationError', field: 'key' });
    expect((await setVersion('k7')).data.setModelVersionTag.__typename).not.toBe('ValidationError');
    expect(await ctx.db.prisma.registeredModelTag.count({ where: { modelId: model.id } })).toBe(LIMITS.tagsPerOwnerMax);
  });

  it('F23: deduplicates `actions` and refuses a list longer than the enum, on every history filter', async () => {
    const many = Array.from({ length: 40_000 }, () => 'MODEL_CREATED');
    const audit = 'query($a: [AuditAction!]) { auditEvents(filter: { actions: $a }) { nodes { action } } }';
    const refused = await post(audit, { a: many });
    expect(codes(refused)).toEqual(['BAD_USER_INPUT']);
    expect(refused.errors[0].message).toMatch(/^filter\.actions may hold at most \d+ values, each once \(got 40000\)$/);
    const twice = await post(audit, { a: ['MODEL_CREATED', 'MODEL_CREATED'] });
    expect(twice.errors).toBeUndefined();
    expect(twice.data.auditEvents.nodes.length).toBeGreaterThan(0);

    const history = await post(
      'query($a: [AuditAction!]) { registeredModel(name: "lim-000") { history(actions: $a) { nodes { action } } } }',
      { a: many.slice(0, 100) },
    );
    expect(codes(history)).toEqual(['BAD_USER_INPUT']);

    const subscription = await subscribeSse(
      fetch,
      server.url,
      'subscription($a: [AuditAction!]) { registryEvents(actions: $a, afterSequence: 0) { sequence } }',
      {
        a: many.slice(0, 100),
      },
    );
    await subscription.ended;
    expect(subscription.received[0].errors![0].extensions!.code).toBe('BAD_USER_INPUT');
  });
});

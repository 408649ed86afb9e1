// Retrying a create with the same idempotency key writes once; another input with that key is a
// ValidationError; keys are per token and expire.
import { beforeAll, expect, it } from 'vitest';
import { createApiToken } from '../../src/auth/tokens.ts';
import { describeEachDatabase } from '../support/databases.ts';
import { type GraphQLClient, graphqlClient } from '../support/graphql.ts';

const CREATE_VERSION = `mutation($input: CreateModelVersionInput!) {
  createModelVersion(input: $input) {
    __typename
    ... on ModelVersionPayload { modelVersion { id version source createdAt } }
    ... on ValidationError { field message }
    ... on Error { code }
  }
}`;
const CREATE_MODEL = `mutation($input: CreateRegisteredModelInput!) {
  createRegisteredModel(input: $input) {
    __typename
    ... on RegisteredModelPayload { registeredModel { id name createdAt tags { key value } } }
    ... on ValidationError { field }
  }
}`;

describeEachDatabase('security: idempotent creates', (ctx) => {
  let bot: GraphQLClient;
  let otherBot: GraphQLClient;

  beforeAll(async () => {
    const one = await createApiToken(ctx.db.prisma, { name: 'bot-1', role: 'WRITER' }, null);
    const two = await createApiToken(ctx.db.prisma, { name: 'bot-2', role: 'WRITER' }, null);
    bot = graphqlClient(ctx.db, { token: one.secret, security: { auth: 'required' } });
    otherBot = graphqlClient(ctx.db, { token: two.secret, security: { auth: 'required' } });
    await bot.data(CREATE_MODEL, { input: { name: 'idem' } });
  });

  const versionEvents = () => ctx.db.prisma.auditEvent.count({ where: { modelName: 'idem', action: 'VERSION_CREATED' } });

  it('a retried createModelVersion with the same key writes once and returns the first result', async () => {
    const input = { name: 'idem', source: 's3://a', tags: [{ key: 'k', value: 'v' }], idempotencyKey: 'run-1' };
    const first = await bot.data(CREATE_VERSION, { input });
    const events = await versionEvents();
    // Same input with the members in another order and an explicit null: still the same request.
    const retry = await bot.data(CREATE_VERSION, {
      input: { idempotencyKey: 'run-1', runId: null, tags: input.tags, source: 's3://a', name: 'idem' },
    });
    expect(retry).toEqual(first);
    expect(first.createModelVersion.modelVersion.version).toBe(1);
    expect(await ctx.db.prisma.modelVersion.count({ where: { model: { name: 'idem' } } })).toBe(1);
    expect(await versionEvents()).toBe(events);
  });

  it('the same key with another input is a ValidationError on idempotencyKey, and writes nothing', async () => {
    const other = await bot.data(CREATE_VERSION, { input: { name: 'idem', source: 's3://b', idempotencyKey: 'run-1' } });
    expect(other.createModelVersion).toMatchObject({ __typename: 'ValidationError', field: 'idempotencyKey' });
    expect(await ctx.db.prisma.modelVersion.count({ where: { model: { name: 'idem' } } })).toBe(1);
  });

  it('keys belong to their token: another bot with the same key gets its own create', async () => {
    const mine = await otherBot.data(CREATE_VERSION, { input: { name: 'idem', source: 's3://a', idempotencyKey: 'run-1' } });
    expect(mine.createModelVersion.modelVersion.version).toBe(2);
  });

  it('without a key, every call creates', async () => {
    const a = await bot.data(CREATE_VERSION, { input: { name: 'idem', source: 's3://c' } });
    const b = await bot.data(CREATE_VERSION, { input: { name: 'idem', source: 's3://c' } });
    expect([a, b].map((r) => r.createModelVersion.modelVersion.version)).toEqual([3, 4]);
  });

  it('createRegisteredModel replays too, instead of AlreadyExistsError', async () => {
    const input = { name: 'idem-model', tags: [{ key: 'team', value: 'risk' }], idempotencyKey: 'create-idem-model' };
    const first = await bot.data(CREATE_MODEL, { input });
    const retry = await bot.data(CREATE_MODEL, { input });
    expect(first.createRegisteredModel.__typename).toBe('RegisteredModelPayload');
    expect(retry).toEqual(first);
    expect(await ctx.db.prisma.auditEvent.count({ where: { modelName: 'idem-model' } })).toBe(2);
    const plain = await bot.data(CREATE_MODEL, { input: { name: 'idem-model' } });
    expect(plain.createRegisteredModel.__typename).toBe('AlreadyExistsError');
  });

  it('concurrent retries with one key create one version', async () => {
    const input = { name: 'idem', source: 's3://race', idempotencyKey: 'race' };
    const before = await versionEvents();
    const results = await Promise.all(Array.from({ length: 8 }, () => bot.data(CREATE_VERSION, { input })));
    const versions = new Set(results.map((r) => r.createModelVersion.modelVersion.version));
    expect(versions.size).toBe(1);
    expect(await versionEvents()).toBe(before + 1);
  });

  it('an expired key no longer answers: the next create with it writes again', async () => {
    const input = { name: 'idem', source: 's3://exp', idempotencyKey: 'expiring' };
    const first = await bot.data(CREATE_VERSION, { input });
    await ctx.db.prisma.idempotencyKey.updateMany({ where: { key: 'expiring' }, data: { expiresAt: new Date(Date.now() - 1000) } });
    const later = await bot.data(CREATE_VERSION, { input });
    expect(later.createModelVersion.modelVersion.version).toBe(first.createModelVersion.modelVersion.version + 1);
    const row = await ctx.db.prisma.idempotencyKey.findFirstOrThrow({ where: { key: 'expiring' } });
    expect(row.expiresAt.getTime()).toBeGreaterThan(Date.now() + 23 * 3_600_000);
  });

  it('rejects empty, oversized and control-character keys', async () => {
    for (const idempotencyKey of ['', 'k'.repeat(257), 'a\nb', 'a\u0000b']) {
      const response = await bot.data(CREATE_VERSION, { input: { name: 'idem', source: 's3://bad', idempotencyKey } });
      expect(response.createModelVersion).toMatchObject({ __typename: 'ValidationError', field: 'idempotencyKey' });
    }
    expect(await ctx.db.prisma.modelVersion.count({ where: { source: 's3://bad' } })).toBe(0);
  });
});

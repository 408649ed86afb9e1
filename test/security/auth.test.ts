// Tokens, roles, scopes and protected aliases through the real yoga server, with REGISTRY_AUTH
// required (and off), on every database engine.
import { beforeAll, describe, expect, it } from 'vitest';
import { type TokenSpec, createApiToken } from '../../src/auth/tokens.ts';
import { ProtectedAliasPolicy } from '../../src/auth/protected-aliases.ts';
import { describeEachDatabase } from '../support/databases.ts';
import { type GraphQLClient, graphqlClient } from '../support/graphql.ts';

const CREATE_MODEL = `mutation($name: String!) {
  createRegisteredModel(input: { name: $name }) { __typename ... on RegisteredModelPayload { registeredModel { name } } ... on Error { code message } }
}`;
const CREATE_VERSION = `mutation($name: String!) {
  createModelVersion(input: { name: $name, source: "s3://x" }) { __typename ... on ModelVersionPayload { modelVersion { version } } ... on Error { code } }
}`;
const SET_ALIAS = `mutation($name: String!, $alias: String!, $version: Int!) {
  setModelAlias(input: { name: $name, alias: $alias, version: $version }) { __typename ... on SetModelAliasPayload { changed } ... on Error { code message } }
}`;

function codes(response: { errors?: { extensions?: Record<string, unknown> }[] }): unknown[] {
  return (response.errors ?? []).map((e) => e.extensions?.code);
}

describeEachDatabase('security: tokens, roles, scopes, protected aliases', (ctx) => {
  const secrets: Record<string, string> = {};
  let anonymous: GraphQLClient;
  // Each call builds a new server instance: two of them over one database are two replicas.
  const as = (name: string) => graphqlClient(ctx.db, { token: secrets[name], security: { auth: 'required' } });

  async function token(spec: TokenSpec): Promise<void> {
    secrets[spec.name] = (await createApiToken(ctx.db.prisma, spec, null)).secret;
  }

  beforeAll(async () => {
    await token({ name: 'admin', role: 'ADMIN' });
    await token({ name: 'reader', role: 'READER' });
    await token({ name: 'writer', role: 'WRITER' });
    await token({ name: 'promoter', role: 'WRITER', promote: true });
    await token({ name: 'fraud-bot', role: 'WRITER', models: ['fraud-*'], promote: true });
    anonymous = graphqlClient(ctx.db, { security: { auth: 'required' } });
    const admin = as('admin');
    for (const name of ['fraud-a', 'fraud-b', 'churn']) {
      expect((await admin.data(CREATE_MODEL, { name })).createRegisteredModel.__typename).toBe('RegisteredModelPayload');
      await admin.data(CREATE_VERSION, { name });
      await admin.data(CREATE_VERSION, { name });
    }
  });

  it('stores only a SHA-256 of each secret', async () => {
    const rows = await ctx.db.prisma.apiToken.findMany();
    for (const row of rows) {
      expect(row.tokenHash).toMatch(/^[0-9a-f]{64}$/);
      expect(Object.values(secrets)).not.toContain(row.tokenHash);
    }
    expect(secrets.admin).toMatch(/^mrt_[A-Za-z0-9_-]{43}$/);
  });

  it('answers a request without a token, or with a bad one, with UNAUTHENTICATED and HTTP 401', async () => {
    const none = await anonymous.request('{ registeredModels { totalCount } }');
    expect(none.status).toBe(401);
    expect(codes(none)).toEqual(['UNAUTHENTICATED']);
    expect(none.data ?? null).toBeNull();
    const forged = await graphqlClient(ctx.db, { token: 'mrt_forged', security: { auth: 'required' } }).request('{ __typename }');
    expect(forged.status).toBe(401);
    expect(codes(forged)).toEqual(['UNAUTHENTICATED']);
  });

  it('lets a reader query but not mutate (FORBIDDEN, nothing written)', async () => {
    const reader = as('reader');
    expect((await reader.data('{ registeredModels { totalCount } }')).registeredModels.totalCount).toBe(3);
    const before = await ctx.db.prisma.auditEvent.count();
    const refused = await reader.request(CREATE_MODEL, { name: 'by-reader' });
    expect(codes(refused)).toEqual(['FORBIDDEN']);
    expect(refused.status).toBe(200);
    expect(await ctx.db.prisma.registeredModel.count({ where: { name: 'by-reader' } })).toBe(0);
    expect(await ctx.db.prisma.auditEvent.count()).toBe(before);
  });

  it('records the token name as the actor of every change', async () => {
    const writer = as('writer');
    await writer.data(CREATE_MODEL, { name: 'by-writer' });
    await writer.data(CREATE_VERSION, { name: 'by-writer' });
    const events = await ctx.db.prisma.auditEvent.findMany({ where: { modelName: 'by-writer' } });
    expect(events.map((e) => [e.action, e.actor])).toEqual([
      ['MODEL_CREATED', 'writer'],
      ['VERSION_CREATED', 'writer'],
    ]);
    const history = await writer.data('{ auditEvents(filter: { actor: "writer" }) { nodes { actor modelName } } }');
    expect(history.auditEvents.nodes).toHaveLength(2);
  });

  it('keeps token management for admins', async () => {
    const writer = as('writer');
    expect(codes(await writer.request('{ apiTokens { name } }'))).toEqual(['FORBIDDEN']);
    const mutation = 'mutation { createApiToken(input: { name: "sneaky", role: ADMIN }) { __typename } }';
    expect(codes(await writer.request(mutation))).toEqual(['FORBIDDEN']);

    const admin = as('admin');
    const created = await admin.data(`mutation {
      createApiToken(input: { name: "ci", role: WRITER, models: ["churn"], expiresAt: "2999-01-01T00:00:00Z" }) {
        __typename ... on CreateApiTokenPayload { secret token { name role models promote expiresAt createdBy active } }
      }
    }`);
    const payload = created.createApiToken;
    expect(payload.token).toEqual({
      name: 'ci',
      role: 'WRITER',
      models: ['churn'],
      promote: false,
      expiresAt: '2999-01-01T00:00:00.000Z',
      createdBy: 'admin',
      active: true,
    });
    const ci = graphqlClient(ctx.db, { token: payload.secret, security: { auth: 'required' } });
    expect((await ci.data('{ registeredModels { nodes { name } } }')).registeredModels.nodes).toEqual([{ name: 'churn' }]);

    const again = await admin.data('mutation { createApiToken(input: { name: "ci", role: READER }) { __typename } }');
    expect(again.createApiToken.__typename).toBe('AlreadyExistsError');
    const list = await admin.data('{ apiTokens { name role active lastUsedAt } }');
    expect(list.apiTokens.map((t: { name: string }) => t.name)).toEqual(['admin', 'ci', 'fraud-bot', 'promoter', 'reader', 'writer']);
    expect(list.apiTokens.find((t: { name: string }) => t.name === 'ci').lastUsedAt).not.toBeNull();
  });

  it('stops a revoked token at once, also on another server instance over the same database', async () => {
    await token({ name: 'short-lived', role: 'READER' });
    const replicaA = as('short-lived');
    const replicaB = as('short-lived');
    expect((await replicaB.request('{ __typename }')).status).toBe(200);
    const revoked = await as('admin').data(
      'mutation { revokeApiToken(input: { name: "short-lived" }) { __typename ... on RevokeApiTokenPayload { token { active revokedAt } } } }',
    );
    expect(revoked.revokeApiToken.token.active).toBe(false);
    for (const replica of [replicaA, replicaB]) {
      const response = await replica.request('{ __typename }');
      expect(response.status).toBe(401);
      expect(codes(response)).toEqual(['UNAUTHENTICATED']);
    }
    const missing = await as('admin').data('mutation { revokeApiToken(input: { name: "nobody" }) { __typename } }');
    expect(missing.revokeApiToken.__typename).toBe('NotFoundError');
  });

  it('stops an expired token', async () => {
    await token({ name: 'expiring', role: 'READER', expiresAt: new Date(Date.now() + 60_000) });
    expect((await as('expiring').request('{ __typename }')).status).toBe(200);
    await ctx.db.prisma.apiToken.update({ where: { name: 'expiring' }, data: { expiresAt: new Date(Date.now() - 1) } });
    expect((await as('expiring').request('{ __typename }')).status).toBe(401);
  });

  describe('a token limited to fraud-*', () => {
    it('sees only those models, in every read', async () => {
      const bot = as('fraud-bot');
      const ids = await as('admin').data(`{
        churn: registeredModel(name: "churn") { id version(version: 1) { id } history(first: 1) { nodes { id } } }
      }`);
      const data = await bot.data(
        `query($model: ID!, $version: ID!, $event: ID!) {
          registeredModels { totalCount nodes { name } }
          churn: registeredModel(name: "churn") { name }
          fraud: registeredModel(name: "fraud-a") { name history { nodes { modelName } } }
          modelVersion(name: "churn", version: 1) { version }
          modelVersions(first: 100) { totalCount nodes { model { name } } }
          resolveModelUri(uri: "models:/churn/1") { version }
          model: node(id: $model) { id }
          version: node(id: $version) { id }
          event: node(id: $event) { id }
          auditEvents(first: 100) { nodes { modelName model { name } } }
        }`,
        { model: ids.churn.id, version: ids.churn.version.id, event: ids.churn.history.nodes[0].id },
      );
      expect(data.registeredModels).toEqual({ totalCount: 2, nodes: [{ name: 'fraud-a' }, { name: 'fraud-b' }] });
      expect(data.churn).toBeNull();
      expect(data.fraud.history.nodes.every((e: { modelName: string }) => e.modelName === 'fraud-a')).toBe(true);
      expect(data.modelVersion).toBeNull();
      expect(data.modelVersions.totalCount).toBe(4);
      expect(new Set(data.modelVersions.nodes.map((v: any) => v.model.name))).toEqual(new Set(['fraud-a', 'fraud-b']));
      expect(data.resolveModelUri).toBeNull();
      expect([data.model, data.version, data.event]).toEqual([null, null, null]);
      expect(data.auditEvents.nodes.length).toBeGreaterThan(0);
      expect(data.auditEvents.nodes.every((e: any) => e.modelName.startsWith('fraud-'))).toBe(true);
      // The same lookups by an unscoped token do find churn.
      expect((await as('reader').data('{ resolveModelUri(uri: "models:/churn/1") { version } }')).resolveModelUri).toEqual({ version: 1 });
    });

    it('may not change or create other models', async () => {
      const bot = as('fraud-bot');
      expect(codes(await bot.request(CREATE_VERSION, { name: 'churn' }))).toEqual(['FORBIDDEN']);
      expect(codes(await bot.request(CREATE_MODEL, { name: 'churn-2' }))).toEqual(['FORBIDDEN']);
      const rename = 'mutation { renameRegisteredModel(input: { name: "fraud-b", newName: "legit" }) { __typename } }';
      expect(codes(await bot.request(rename))).toEqual(['FORBIDDEN']);
      expect((await bot.data(CREATE_MODEL, { name: 'fraud-c' })).createRegisteredModel.__typename).toBe('RegisteredModelPayload');
      expect(await ctx.db.prisma.registeredModel.count({ where: { name: { in: ['churn-2', 'legit'] } } })).toBe(0);
      expect(await ctx.db.prisma.modelVersion.count({ where: { model: { name: 'churn' } } })).toBe(2);
    });

    it('treats LIKE wildcards in names literally', async () => {
      await token({ name: 'underscore-bot', role: 'READER', models: ['a_b*'] });
      for (const name of ['a_b-1', 'axb-1']) await as('admin').data(CREATE_MODEL, { name });
      const seen = await as('underscore-bot').data('{ registeredModels { nodes { name } } modelVersions { totalCount } }');
      expect(seen.registeredModels.nodes).toEqual([{ name: 'a_b-1' }]);
    });
  });

  describe('protected aliases (default policy: production and champion everywhere)', () => {
    it('refuses a writer without promote, in any letter case, and lets it set other aliases', async () => {
      const writer = as('writer');
      for (const alias of ['production', 'Champion']) {
        const refused = await writer.request(SET_ALIAS, { name: 'churn', alias, version: 1 });
        expect(codes(refused)).toEqual(['FORBIDDEN']);
        expect(refused.errors![0].message).toContain('protected');
      }
      expect((await writer.data(SET_ALIAS, { name: 'churn', alias: 'staging', version: 1 })).setModelAlias.changed).toBe(true);
      expect(await ctx.db.prisma.modelAlias.count({ where: { model: { name: 'churn' } } })).toBe(1);
    });

    it('lets a token with promote move them, and protects them from deletion with their version or model', async () => {
      const promoted = await as('promoter').data(SET_ALIAS, { name: 'churn', alias: 'production', version: 2 });
      expect(promoted.setModelAlias.changed).toBe(true);
      const writer = as('writer');
      const deleteAlias = 'mutation { deleteModelAlias(input: { name: "churn", alias: "production" }) { __typename } }';
      const deleteVersion = 'mutation { deleteModelVersion(input: { name: "churn", version: 2 }) { __typename } }';
      const deleteModel = 'mutation { deleteRegisteredModel(input: { name: "churn" }) { __typename } }';
      const rename = 'mutation { renameRegisteredModel(input: { name: "churn", newName: "churn-renamed" }) { __typename } }';
      for (const mutation of [deleteAlias, deleteVersion, deleteModel])
        expect(codes(await writer.request(mutation))).toEqual(['FORBIDDEN']);
      expect(codes(await writer.request(rename))).toEqual(['FORBIDDEN']);
      expect(await ctx.db.prisma.modelVersion.count({ where: { model: { name: 'churn' } } })).toBe(2);
      // A version without protected aliases may go.
      const v1 = await writer.data('mutation { deleteModelVersion(input: { name: "churn", version: 1 }) { __typename } }');
      expect(v1.deleteModelVersion.__typename).toBe('DeleteModelVersionPayload');
      const history = await as('reader').data('{ registeredModel(name: "churn") { history(alias: "production") { nodes { actor } } } }');
      expect(history.registeredModel.history.nodes).toEqual([{ actor: 'promoter' }]);
    });

    it('follows PROTECTED_ALIASES per model pattern', () => {
      const policy = ProtectedAliasPolicy.parse('*=production; fraud-*=champion,shadow');
      expect(policy.isProtected('churn', 'PRODUCTION')).toBe(true);
      // F16: a fullwidth look-alike stored before aliases had to be ASCII is protected like the original.
      expect(policy.isProtected('churn', 'ｐｒｏｄｕｃｔｉｏｎ')).toBe(true);
      expect(policy.isProtected('churn', 'champion')).toBe(false);
      expect(policy.isProtected('fraud-x', 'shadow')).toBe(true);
      expect(ProtectedAliasPolicy.parse('').rules).toEqual([]);
      expect(() => ProtectedAliasPolicy.parse('production')).toThrow(/<model pattern>=<alias>/);
    });
  });

  it('with REGISTRY_AUTH=off, lets anonymous requests do everything and still honours a token sent', async () => {
    const open = graphqlClient(ctx.db, { security: { auth: 'off' } });
    expect((await open.data(SET_ALIAS, { name: 'fraud-a', alias: 'production', version: 1 })).setModelAlias.changed).toBe(true);
    const asReader = graphqlClient(ctx.db, { token: secrets.reader, security: { auth: 'off' } });
    expect(codes(await asReader.request(CREATE_MODEL, { name: 'x' }))).toEqual(['FORBIDDEN']);
    const bad = graphqlClient(ctx.db, { token: 'nope', security: { auth: 'off' } });
    expect((await bad.request('{ __typename }')).status).toBe(401);
  });
});

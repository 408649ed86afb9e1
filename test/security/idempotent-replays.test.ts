// F6/F18: an idempotent replay answers for the model as it is now. A retry after the model moved
// out of the caller's scope is refused as a fresh request would be (no data of the new owner),
// and a retry after the model or version was deleted is a NotFoundError, not the stale payload.
import { beforeAll, expect, it } from 'vitest';
import { createApiToken } from '../../src/auth/tokens.ts';
import { describeEachDatabase } from '../support/databases.ts';
import { type GraphQLClient, graphqlClient } from '../support/graphql.ts';

const CREATE_VERSION = `mutation($input: CreateModelVersionInput!) {
  createModelVersion(input: $input) {
    __typename
    ... on ModelVersionPayload { modelVersion { id version source model { name tags { key value } versions { nodes { source } } } } }
    ... on Error { code message }
  }
}`;
const CREATE_MODEL = `mutation($input: CreateRegisteredModelInput!) {
  createRegisteredModel(input: $input) {
    __typename
    ... on RegisteredModelPayload { registeredModel { id name tags { key value } } }
    ... on Error { code message }
  }
}`;
const RENAME = `mutation($input: RenameRegisteredModelInput!) { renameRegisteredModel(input: $input) { __typename } }`;
const SET_TAG = `mutation($input: SetRegisteredModelTagInput!) { setRegisteredModelTag(input: $input) { __typename } }`;
const DELETE_MODEL = `mutation($input: DeleteRegisteredModelInput!) { deleteRegisteredModel(input: $input) { __typename } }`;
const DELETE_VERSION = `mutation($input: DeleteModelVersionInput!) { deleteModelVersion(input: $input) { __typename } }`;

describeEachDatabase('security: idempotent replays answer for the model as it is now', (ctx) => {
  let teamA: GraphQLClient;
  let admin: GraphQLClient;

  beforeAll(async () => {
    const writer = await createApiToken(ctx.db.prisma, { name: 'team-a-writer', role: 'WRITER', models: ['team-a-*'] }, null);
    const root = await createApiToken(ctx.db.prisma, { name: 'root', role: 'ADMIN' }, null);
    teamA = graphqlClient(ctx.db, { token: writer.secret, security: { auth: 'required' } });
    admin = graphqlClient(ctx.db, { token: root.secret, security: { auth: 'required' } });
    for (const name of ['team-a-idem', 'team-a-plain', 'team-a-gone-version']) {
      expect((await teamA.data(CREATE_MODEL, { input: { name } })).createRegisteredModel.__typename).toBe('RegisteredModelPayload');
    }
  });

  it('a normal replay (nothing changed) still returns the original result', async () => {
    const input = { name: 'team-a-plain', source: 's3://a/plain', idempotencyKey: 'plain-1' };
    const first = await teamA.data(CREATE_VERSION, { input });
    expect(first.createModelVersion.__typename).toBe('ModelVersionPayload');
    expect(await teamA.data(CREATE_VERSION, { input })).toEqual(first);
    const model = { name: 'team-a-plain-model', tags: [{ key: 'k', value: 'v' }], idempotencyKey: 'plain-model-1' };
    const created = await teamA.data(CREATE_MODEL, { input: model });
    expect(created.createRegisteredModel.__typename).toBe('RegisteredModelPayload');
    expect(await teamA.data(CREATE_MODEL, { input: model })).toEqual(created);
  });

  it('F6: a retry after the model was renamed out of the scope gets FORBIDDEN and no team-b data', async () => {
    const input = { name: 'team-a-idem', source: 's3://a/1', idempotencyKey: 'K1' };
    const first = await teamA.data(CREATE_VERSION, { input });
    expect(first.createModelVersion.modelVersion.version).toBe(1);
    expect(
      (await admin.data(RENAME, { input: { name: 'team-a-idem', newName: 'team-b-took-over' } })).renameRegisteredModel.__typename,
    ).toBe('RegisteredModelPayload');
    expect(
      (await admin.data(SET_TAG, { input: { name: 'team-b-took-over', key: 'owner', value: 'team-b-secret' } })).setRegisteredModelTag
        .__typename,
    ).not.toMatch(/Error$/);
    await admin.data(CREATE_VERSION, { input: { name: 'team-b-took-over', source: 's3://b/secret' } });

    const retry = await teamA.request(CREATE_VERSION, { input });
    const text = JSON.stringify(retry);
    expect(text).not.toContain('team-b');
    expect(text).not.toContain('s3://b/secret');
    expect(retry.data?.createModelVersion ?? null).toBeNull();
    expect(retry.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    // The same retry answers as a fresh createModelVersion on the renamed model would.
    const fresh = await teamA.request(CREATE_VERSION, { input: { name: 'team-b-took-over', source: 's3://a/1' } });
    expect(fresh.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    // The model-level replay is refused the same way.
    const created = await teamA.data(CREATE_MODEL, { input: { name: 'team-a-moved', idempotencyKey: 'M1' } });
    expect(created.createRegisteredModel.__typename).toBe('RegisteredModelPayload');
    await admin.data(RENAME, { input: { name: 'team-a-moved', newName: 'team-b-moved' } });
    await admin.data(SET_TAG, { input: { name: 'team-b-moved', key: 'owner', value: 'team-b-secret' } });
    const modelRetry = await teamA.request(CREATE_MODEL, { input: { name: 'team-a-moved', idempotencyKey: 'M1' } });
    expect(JSON.stringify(modelRetry)).not.toContain('team-b');
    expect(modelRetry.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('F18: a retried createRegisteredModel after the model was deleted is a NotFoundError', async () => {
    const input = { name: 'team-a-deleted', idempotencyKey: 'P1' };
    const first = await teamA.data(CREATE_MODEL, { input });
    expect(first.createRegisteredModel.__typename).toBe('RegisteredModelPayload');
    expect((await teamA.data(DELETE_MODEL, { input: { name: 'team-a-deleted' } })).deleteRegisteredModel.__typename).toBe(
      'DeleteRegisteredModelPayload',
    );
    const retry = await teamA.data(CREATE_MODEL, { input });
    expect(retry.createRegisteredModel).toMatchObject({ __typename: 'NotFoundError', code: 'NOT_FOUND' });
    expect(retry.createRegisteredModel.message).toContain('team-a-deleted');
  });

  it('F18: a retried createModelVersion after its version or its model was deleted is a NotFoundError', async () => {
    const input = { name: 'team-a-gone-version', source: 's3://a/v', idempotencyKey: 'V1' };
    const first = await teamA.data(CREATE_VERSION, { input });
    const version = first.createModelVersion.modelVersion.version;
    await teamA.data(DELETE_VERSION, { input: { name: 'team-a-gone-version', version } });
    const retry = await teamA.data(CREATE_VERSION, { input });
    expect(retry.createModelVersion).toMatchObject({ __typename: 'NotFoundError', code: 'NOT_FOUND' });
    expect(retry.createModelVersion.message).toContain(`version ${version}`);

    const other = { name: 'team-a-plain', source: 's3://a/plain', idempotencyKey: 'plain-1' };
    await teamA.data(DELETE_MODEL, { input: { name: 'team-a-plain' } });
    const afterModel = await teamA.data(CREATE_VERSION, { input: other });
    expect(afterModel.createModelVersion).toMatchObject({ __typename: 'NotFoundError', code: 'NOT_FOUND' });
    // Nothing was written by the refused retries.
    expect(await ctx.db.prisma.registeredModel.count({ where: { name: 'team-a-plain' } })).toBe(0);
  });
});

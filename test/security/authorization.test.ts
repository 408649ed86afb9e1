// F4/F17 (a token never grants more than it has, scoped token lists) and F5 (webhooks only for
// unscoped admins) through the real yoga server with REGISTRY_AUTH required.
import { beforeAll, expect, it } from 'vitest';
import { type TokenSpec, createApiToken } from '../../src/auth/tokens.ts';
import { describeEachDatabase } from '../support/databases.ts';
import { graphqlClient } from '../support/graphql.ts';

const CREATE_TOKEN = `mutation($i: CreateApiTokenInput!) {
  createApiToken(input: $i) { __typename ... on CreateApiTokenPayload { token { name models promote role } } ... on Error { code } }
}`;
const REVOKE = `mutation($name: String!) { revokeApiToken(input: { name: $name }) { __typename } }`;
const CREATE_WEBHOOK = `mutation { createWebhook(input: { url: "http://127.0.0.1:9/x", secret: "0123456789abcdef0123", active: false }) { __typename } }`;

function codes(response: { errors?: { extensions?: Record<string, unknown> }[] }): unknown[] {
  return (response.errors ?? []).map((e) => e.extensions?.code);
}

describeEachDatabase('security: authorization of token and webhook management', (ctx) => {
  const secrets: Record<string, string> = {};
  const as = (name: string) => graphqlClient(ctx.db, { token: secrets[name], security: { auth: 'required' } });
  async function token(spec: TokenSpec): Promise<void> {
    secrets[spec.name] = (await createApiToken(ctx.db.prisma, spec, null)).secret;
  }

  beforeAll(async () => {
    await token({ name: 'root', role: 'ADMIN', promote: true });
    await token({ name: 'team-a-admin', role: 'ADMIN', models: ['team-a-*'] });
    await token({ name: 'team-b-bot', role: 'WRITER', models: ['team-b-*'] });
    await token({ name: 'plain-admin', role: 'ADMIN' });
  });

  it('F4: a scoped admin cannot mint an unscoped or wider token', async () => {
    const a = as('team-a-admin');
    for (const models of [undefined, ['*'], ['team-*'], ['team-b-x'], ['team-a*']]) {
      const r = await a.request(CREATE_TOKEN, {
        i: { name: `esc-${JSON.stringify(models ?? null).replace(/\W/g, '')}`, role: 'ADMIN', models },
      });
      expect(codes(r), JSON.stringify(models)).toEqual(['FORBIDDEN']);
    }
    const ok = await a.data(CREATE_TOKEN, { i: { name: 'a-narrow', role: 'WRITER', models: ['team-a-*', 'team-a-x*', 'team-a-one'] } });
    expect(ok.createApiToken.token).toMatchObject({ models: ['team-a-*', 'team-a-x*', 'team-a-one'], role: 'WRITER' });
  });

  it('F4: a scoped admin lists and revokes only tokens within its models', async () => {
    const a = as('team-a-admin');
    const names = (await a.data('{ apiTokens { name } }')).apiTokens.map((t: { name: string }) => t.name);
    expect(names).toContain('a-narrow');
    expect(names).not.toContain('root');
    expect(names).not.toContain('team-b-bot');
    expect((await a.data(REVOKE, { name: 'team-b-bot' })).revokeApiToken.__typename).toBe('NotFoundError');
    expect((await a.data(REVOKE, { name: 'root' })).revokeApiToken.__typename).toBe('NotFoundError');
    expect((await ctx.db.prisma.apiToken.findUnique({ where: { name: 'root' } }))!.revokedAt).toBeNull();
    expect((await as('root').data('{ apiTokens { name } }')).apiTokens.length).toBeGreaterThanOrEqual(4);
  });

  it('F17: promote is granted only by a token that has it; role at most its own', async () => {
    const p = as('plain-admin');
    expect(codes(await p.request(CREATE_TOKEN, { i: { name: 'w-promote', role: 'WRITER', promote: true } }))).toEqual(['FORBIDDEN']);
    expect((await p.data(CREATE_TOKEN, { i: { name: 'w-plain', role: 'WRITER' } })).createApiToken.__typename).toBe(
      'CreateApiTokenPayload',
    );
    const r = await as('root').data(CREATE_TOKEN, { i: { name: 'w-promote2', role: 'WRITER', promote: true } });
    expect(r.createApiToken.token.promote).toBe(true);
  });

  it('F5: a scoped admin may not create or read webhooks; an unscoped admin may', async () => {
    const a = as('team-a-admin');
    expect(codes(await a.request(CREATE_WEBHOOK))).toEqual(['FORBIDDEN']);
    expect(codes(await a.request('{ webhooks { id } }'))).toEqual(['FORBIDDEN']);
    expect(codes(await as('root').request('{ webhooks { id } }'))).toEqual([]);
    expect(await ctx.db.prisma.webhook.count()).toBe(0);
  });
});

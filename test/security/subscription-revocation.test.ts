// A subscription outlives the request that authenticated it: revoking its token ends it on the
// next event, even on another replica (another server instance over the same database).
import { expect, it } from 'vitest';
import { createApiToken, revokeApiToken } from '../../src/auth/tokens.ts';
import { createApp } from '../../src/app.ts';
import { describeEachDatabase } from '../support/databases.ts';
import { graphqlClient } from '../support/graphql.ts';
import { subscribeSse } from '../support/sse.ts';

const EVENTS = 'subscription { registryEvents(actions: [MODEL_CREATED]) { sequence modelName } }';
const CREATE_MODEL = 'mutation($name: String!) { createRegisteredModel(input: { name: $name }) { __typename } }';

describeEachDatabase('security: subscriptions and revoked tokens', (ctx) => {
  it('stops delivering to a subscription once its token is revoked', async () => {
    const admin = (await createApiToken(ctx.db.prisma, { name: 'sub-admin', role: 'ADMIN' }, null)).secret;
    const watcher = (await createApiToken(ctx.db.prisma, { name: 'sub-watcher', role: 'READER' }, null)).secret;
    const writer = graphqlClient(ctx.db, { token: admin, security: { auth: 'required' } });
    const replica = createApp(ctx.db, { security: { auth: 'required' } }).yoga;
    const subscription = await subscribeSse(
      (url, init) => Promise.resolve(replica.fetch(url, init)),
      'http://localhost/graphql',
      EVENTS,
      {},
      { authorization: `Bearer ${watcher}` },
    );
    try {
      expect((await writer.data(CREATE_MODEL, { name: 'watched-1' })).createRegisteredModel.__typename).toBe('RegisteredModelPayload');
      const [first] = await subscription.take(1);
      expect(first.data?.registryEvents.modelName).toBe('watched-1');

      await revokeApiToken(ctx.db.prisma, 'sub-watcher');
      await writer.data(CREATE_MODEL, { name: 'watched-2' });
      const received = await subscription.take(2).catch(() => subscription.received);
      await subscription.ended;
      expect(
        received
          .slice(1)
          .map((r) => r.data?.registryEvents?.modelName)
          .filter(Boolean),
      ).toEqual([]);
      expect(received[1]?.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    } finally {
      await subscription.close();
    }
  });
});

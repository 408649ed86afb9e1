// What each write sends to the database, counted through the API with a writer token without
// promote (the path with the most checks: token lookup, scope, protected aliases). A command locks
// its model once; the counts are the registry's cost per write and change only on purpose
// (BENCHMARKS.md explains each statement of the hot ones).
import { beforeAll, expect, it } from 'vitest';
import { ProtectedAliasPolicy } from '../../src/auth/protected-aliases.ts';
import { createApiToken } from '../../src/auth/tokens.ts';
import { describeEachDatabase } from '../support/databases.ts';
import { type GraphQLClient, graphqlClient } from '../support/graphql.ts';

const statements: string[] = [];
let counting = false;

/**
 * [mutation, input, statements sent (the token lookup, BEGIN and COMMIT included)]; run in this
 * order. The alias move and an unkeyed version create are one statement each outside any
 * interactive transaction, plus the lookup.
 */
const WRITES: [string, Record<string, unknown>, number][] = [
  ['createRegisteredModel', { name: 'counted-2', tags: [{ key: 'a', value: 'b' }] }, 8],
  ['createModelVersion', { name: 'counted', source: 's3://x', tags: [{ key: 'a', value: 'b' }] }, 2],
  ['createModelVersion', { name: 'counted', source: 's3://y', idempotencyKey: 'k1' }, 10],
  ['updateRegisteredModel', { name: 'counted', description: 'd' }, 5],
  ['updateModelVersion', { name: 'counted', version: 1, description: 'd' }, 7],
  ['transitionModelVersionStage', { name: 'counted', version: 1, stage: 'STAGING' }, 7],
  ['transitionModelVersionStage', { name: 'counted', version: 2, stage: 'STAGING', archiveExistingVersions: true }, 8],
  ['setRegisteredModelTag', { name: 'counted', key: 'k', value: 'v' }, 8],
  ['deleteRegisteredModelTag', { name: 'counted', key: 'k' }, 7],
  ['setModelVersionTag', { name: 'counted', version: 1, key: 'k', value: 'v' }, 10],
  ['deleteModelVersionTag', { name: 'counted', version: 1, key: 'k' }, 9],
  ['setModelAlias', { name: 'counted', alias: 'staging', version: 1 }, 2],
  ['setModelAlias', { name: 'counted', alias: 'staging', version: 2 }, 2],
  ['deleteModelAlias', { name: 'counted', alias: 'staging' }, 7],
  ['setModelAlias', { name: 'counted', alias: 'staging', version: 3 }, 2],
  ['deleteModelVersion', { name: 'counted', version: 3 }, 8],
  ['renameRegisteredModel', { name: 'counted-2', newName: 'counted-3' }, 7],
  ['deleteRegisteredModel', { name: 'counted-3' }, 7],
];

const INPUT_TYPE = (mutation: string) => `${mutation[0].toUpperCase()}${mutation.slice(1)}Input`;

describeEachDatabase(
  'statements per write',
  (ctx) => {
    let api: GraphQLClient;
    beforeAll(async () => {
      const { secret } = await createApiToken(ctx.db.prisma, { name: 'counting-bot', role: 'WRITER' }, null);
      api = graphqlClient(ctx.db, {
        token: secret,
        security: { auth: 'required', protectedAliases: ProtectedAliasPolicy.parse('*=production') },
      });
      await api.data('mutation { createRegisteredModel(input: { name: "counted" }) { __typename } }');
      for (let i = 0; i < 2; i++)
        await api.data('mutation { createModelVersion(input: { name: "counted", source: "s3://a" }) { __typename } }');
    });

    it.each(WRITES.map(([mutation, input, count], i) => ({ step: i + 1, mutation, input, count })))(
      '$mutation: $count statements, one lock of the model (write $step)',
      async ({ mutation, input, count }) => {
        statements.length = 0;
        counting = true;
        const data = await api.data(`mutation($input: ${INPUT_TYPE(mutation)}!) { ${mutation}(input: $input) { __typename } }`, { input });
        counting = false;
        expect(data[mutation].__typename).toMatch(/Payload$/);
        // The alias move and an unkeyed version create lock inside their one statement (server-side functions).
        const locks = statements.filter((s) => /FOR UPDATE\s*$/.test(s.trim()) || /\/\* (moveAlias|createVersion) \*\//.test(s));
        expect(locks).toHaveLength(mutation === 'createRegisteredModel' ? 0 : 1);
        expect(statements).toHaveLength(count);
      },
    );
  },
  { onQuery: (sql) => counting && statements.push(sql) },
);

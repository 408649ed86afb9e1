// `registeredModel(name) { versionByAlias(alias) }`, the release pipelines' lookup, in one statement:
// the model and the versions its asked-for aliases point to are read together (lookahead.ts), with
// the same answers as the field-by-field path: missing aliases, missing models, models outside a
// token's scope, `at`, fragments.
import { beforeAll, expect, it } from 'vitest';
import { createApiToken } from '../../src/auth/tokens.ts';
import { describeEachDatabase } from '../support/databases.ts';
import { type GraphQLClient, graphqlClient } from '../support/graphql.ts';

const statements: string[] = [];
let counting = false;

describeEachDatabase(
  'alias lookup',
  (ctx) => {
    let api: GraphQLClient;
    const counted = async (query: string, variables?: Record<string, unknown>) => {
      statements.length = 0;
      counting = true;
      try {
        return await api.data(query, variables);
      } finally {
        counting = false;
      }
    };
    beforeAll(async () => {
      api = graphqlClient(ctx.db);
      for (const name of ['fraud', 'team-b-model']) {
        await api.data(`mutation { createRegisteredModel(input: { name: "${name}" }) { __typename } }`);
        for (let i = 0; i < 3; i++)
          await api.data(`mutation { createModelVersion(input: { name: "${name}", source: "s3://${name}/${i}" }) { __typename } }`);
        await api.data(`mutation { setModelAlias(input: { name: "${name}", alias: "champion", version: 3 }) { __typename } }`);
        await api.data(`mutation { setModelAlias(input: { name: "${name}", alias: "challenger", version: 2 }) { __typename } }`);
      }
    });

    it('answers in one statement, with variables or literals, several aliases at once', async () => {
      const data = await counted(
        `query($name: String!, $alias: String!) { registeredModel(name: $name) { name
          champion: versionByAlias(alias: $alias) { version source } challenger: versionByAlias(alias: "challenger") { version }
          missing: versionByAlias(alias: "nope") { version } } }`,
        { name: 'fraud', alias: 'champion' },
      );
      expect(data.registeredModel).toEqual({
        name: 'fraud',
        champion: { version: 3, source: 's3://fraud/2' },
        challenger: { version: 2 },
        missing: null,
      });
      expect(statements).toHaveLength(1);
      expect(statements[0]).toContain('/* modelsWithAliasTargets */');
    });

    it('answers null for a model that does not exist, in one statement', async () => {
      expect(await counted('{ registeredModel(name: "none") { versionByAlias(alias: "champion") { version } } }')).toEqual({
        registeredModel: null,
      });
      expect(statements).toHaveLength(1);
    });

    it('sees the alias move that just committed', async () => {
      await api.data('mutation { setModelAlias(input: { name: "fraud", alias: "champion", version: 1 }) { __typename } }');
      const data = await counted('{ registeredModel(name: "fraud") { versionByAlias(alias: "champion") { version } } }');
      expect(data.registeredModel.versionByAlias).toEqual({ version: 1 });
    });

    it('keeps time travel and fragments on their own path, with the same answers', async () => {
      const data =
        await api.data(`{ registeredModel(name: "fraud") { ...F past: versionByAlias(alias: "champion", at: "2000-01-01T00:00:00Z") { version } } }
        fragment F on RegisteredModel { versionByAlias(alias: "challenger") { version } }`);
      expect(data.registeredModel).toEqual({ versionByAlias: { version: 2 }, past: null });
    });

    it('answers null for a model outside the token’s scope', async () => {
      const { secret } = await createApiToken(ctx.db.prisma, { name: 'team-a-reader', role: 'READER', models: ['fraud'] }, null);
      const scoped = graphqlClient(ctx.db, { token: secret, security: { auth: 'required' } });
      const data = await scoped.data(`{ a: registeredModel(name: "fraud") { versionByAlias(alias: "champion") { version } }
        b: registeredModel(name: "team-b-model") { versionByAlias(alias: "champion") { version } } }`);
      expect(data).toEqual({ a: { versionByAlias: { version: 1 } }, b: null });
    });
  },
  { onQuery: (sql) => counting && statements.push(sql) },
);

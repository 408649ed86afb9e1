// A dashboard-shaped query costs the same number of SQL statements for 5 models as for 50:
// every nested field is loaded through per-request DataLoaders (no N+1).
import { beforeAll, expect, it } from 'vitest';
import { Access } from '../../src/auth/access.ts';
import { type GraphQLObjectType, getNamedType, isLeafType, isNonNullType } from 'graphql';
import { Loaders } from '../../src/graphql/loaders.ts';
import { schema } from '../../src/graphql/schema/index.ts';
import { RegistryReads } from '../../src/registry/reads.ts';
import { describeEachDatabase } from '../support/databases.ts';
import { graphqlClient } from '../support/graphql.ts';
import { seedModels } from '../support/seed.ts';

const statements: string[] = [];
let counting = false;

export const DASHBOARD_QUERY = /* GraphQL */ `
  query Dashboard($first: Int!) {
    registeredModels(first: $first, filter: { nameContains: "dash-" }) {
      totalCount
      pageInfo { hasNextPage endCursor }
      nodes {
        id
        name
        description
        updatedAt
        tags { key value }
        aliases { alias updatedAt model { name } version { version source } }
        latestVersion { version }
        champion: versionByAlias(alias: "champion") { version }
        recent: history(first: 3) { nodes { action alias version model { name } } }
        versions(first: 10) {
          totalCount
          nodes {
            id
            version
            status
            source
            createdAt
            tags { key value }
            aliases
            model { name }
          }
        }
      }
    }
  }
`;

describeEachDatabase(
  'dashboard batching',
  (ctx) => {
    beforeAll(async () => {
      await seedModels(ctx.db.prisma, { prefix: 'dash', models: 50, versions: 3, tagsPerVersion: 3 });
    });

    async function countStatements(first: number) {
      const client = graphqlClient(ctx.db);
      statements.length = 0;
      counting = true;
      const data = await client.data(DASHBOARD_QUERY, { first });
      counting = false;
      return { data, count: statements.filter((s) => !/^(BEGIN|COMMIT|ROLLBACK)/i.test(s.trim())).length };
    }

    it('answers the whole page correctly', async () => {
      const { data } = await countStatements(50);
      const models = data.registeredModels.nodes;
      expect(data.registeredModels.totalCount).toBe(50);
      expect(models).toHaveLength(50);
      for (const model of models) {
        expect(model.tags.map((t: { key: string }) => t.key)).toEqual(['task', 'team']);
        expect(model.aliases.map((a: { alias: string }) => a.alias)).toEqual(['challenger', 'champion']);
        expect(model.aliases.every((a: { model: { name: string } }) => a.model.name === model.name)).toBe(true);
        expect(model.latestVersion.version).toBe(3);
        expect(model.champion.version).toBe(3);
        expect(model.versions.totalCount).toBe(3);
        expect(model.versions.nodes.map((v: { version: number }) => v.version)).toEqual([3, 2, 1]);
        expect(model.versions.nodes.map((v: { aliases: string[] }) => v.aliases)).toEqual([['champion'], ['challenger'], []]);
        expect(model.versions.nodes[0].tags).toEqual([
          { key: 't0', value: '3' },
          { key: 't1', value: '3' },
          { key: 't2', value: '3' },
        ]);
        expect(model.versions.nodes[0].source).toBe(`s3://models/${model.name}/3`);
        expect(model.versions.nodes[0].model.name).toBe(model.name);
        expect(model.recent.nodes.map((e: { action: string; alias: string | null }) => [e.action, e.alias])).toEqual([
          ['ALIAS_SET', 'challenger'],
          ['ALIAS_SET', 'champion'],
          ['VERSION_TAG_SET', null],
        ]);
        expect(model.recent.nodes[0].model.name).toBe(model.name);
      }
    });

    it("loads the tags and aliases selected of a page's versions with the page, answering as a fragment's loads do", async () => {
      const page = (items: string) => /* GraphQL */ `
        query { registeredModels(first: 50, filter: { nameContains: "dash-" }) { nodes { name versions(first: 10) { ${items} } } } }
        ${items.includes('...Details') ? 'fragment Details on ModelVersion { tags { key value } aliases }' : ''}`;
      const count = async (query: string) => {
        statements.length = 0;
        counting = true;
        const data = await graphqlClient(ctx.db).data(query);
        counting = false;
        return { data, count: statements.length };
      };
      // Selected directly (looked ahead, loaded with the page), through a fragment (loaded per version, batched), and both.
      const direct = await count(page('nodes { version tags { key value } aliases } edges { node { tag(key: "t1") } }'));
      const fragment = await count(page('nodes { version ...Details } edges { node { tag(key: "t1") } }'));
      expect(direct.data).toEqual(fragment.data);
      expect(direct.data.registeredModels.nodes[0].versions.nodes[0]).toMatchObject({
        aliases: ['champion'],
        tags: [
          { key: 't0', value: '3' },
          { key: 't1', value: '3' },
          { key: 't2', value: '3' },
        ],
      });
      // models, versions, tags, aliases: the same four statements either way.
      expect(direct.count).toBe(4);
      expect(fragment.count).toBe(4);
    });

    it('answers the looked-ahead details at once, without a promise per version', async () => {
      const loaders = new Loaders(new RegistryReads(ctx.db, Access.operator(null)));
      const [model] = (await ctx.db.prisma.registeredModel.findMany({ where: { name: { startsWith: 'dash-' } }, take: 1 })) as {
        id: number;
      }[];
      const pageArgs = { first: 10, after: null, orderBy: 'VERSION_DESC' as const, filter: null, columns: null };
      const withDetails = await loaders.versionPage.load({ modelId: model.id, args: { ...pageArgs, details: ['tags', 'aliases'] } });
      const newest = withDetails.rows[0];
      expect(loaders.versionTagsOf(newest.id)).toEqual([
        { versionId: newest.id, key: 't0', value: '3' },
        { versionId: newest.id, key: 't1', value: '3' },
        { versionId: newest.id, key: 't2', value: '3' },
      ]);
      expect(loaders.versionAliasesOf(newest.id)).toMatchObject([{ alias: 'champion', versionId: newest.id }]);
      const plain = new Loaders(new RegistryReads(ctx.db, Access.operator(null)));
      const without = await plain.versionPage.load({ modelId: model.id, args: { ...pageArgs, details: [] } });
      const batched = plain.versionTagsOf(without.rows[0].id);
      expect(batched).toBeInstanceOf(Promise);
      expect(await batched).toEqual(loaders.versionTagsOf(newest.id));
    });

    it("reads only the version columns its items' fields need, and answers every field as a full row does", async () => {
      // Each ModelVersion field alone, then all of them: as a model's versions page (narrowed
      // columns) and as the top-level listing (every column) they must answer the same.
      const fields = (schema.getType('ModelVersion') as GraphQLObjectType).getFields();
      const selectionOf = (name: string) => {
        const field = fields[name];
        const args = field.args.some((a) => isNonNullType(a.type)) ? '(key: "t1")' : '';
        const type = getNamedType(field.type);
        if (isLeafType(type)) return `${name}${args}`;
        const leaves = Object.values((type as GraphQLObjectType).getFields()).filter(
          (f) => isLeafType(getNamedType(f.type)) && !f.args.some((a) => isNonNullType(a.type)),
        );
        return `${name}${args} { ${leaves.map((f) => f.name).join(' ')} }`;
      };
      const [name] = (
        await graphqlClient(ctx.db).data('{ registeredModels(first: 1, filter: { nameContains: "dash-" }) { nodes { name } } }')
      ).registeredModels.nodes.map((m: { name: string }) => m.name);
      // Every optional column set, so that a column left out shows as a null where a value belongs.
      await ctx.db.prisma.modelVersion.updateMany({
        where: { model: { name } },
        data: {
          description: 'd',
          runId: 'run',
          runLink: 'https://runs/1',
          statusMessage: 'ok',
          storageLocation: 's3://x',
          stage: 'STAGING',
        },
      });
      for (const selection of [...Object.keys(fields).map(selectionOf), Object.keys(fields).map(selectionOf).join(' ')]) {
        statements.length = 0;
        counting = true;
        const page = await graphqlClient(ctx.db).data(
          `{ registeredModel(name: ${JSON.stringify(name)}) { versions(first: 3) { nodes { ${selection} } } } }`,
        );
        counting = false;
        const listing = await graphqlClient(ctx.db).data(
          `{ modelVersions(name: ${JSON.stringify(name)}, first: 3, orderBy: VERSION_DESC) { nodes { ${selection} } } }`,
        );
        expect(page.registeredModel.versions.nodes, selection).toEqual(listing.modelVersions.nodes);
        const read = statements.find((s) => s.includes('listVersionsOfModels'))!;
        expect(read.includes('run_id'), selection).toBe(/\brunId\b/.test(selection));
      }
    });

    it('uses the same number of SQL statements for 5 models as for 50', async () => {
      const five = await countStatements(5);
      const fifty = await countStatements(50);
      expect(five.data.registeredModels.nodes).toHaveLength(5);
      expect(fifty.data.registeredModels.nodes).toHaveLength(50);
      expect(fifty.count).toBe(five.count);
      // One statement per nested list level or lookup, not per row.
      expect(fifty.count).toBeLessThanOrEqual(13);
      console.info(`[${ctx.kind}] dashboard query: ${fifty.count} SQL statements for 5 and for 50 models`);
      if (process.env.SHOW_SQL) console.info(statements.join('\n'));
    });
  },
  { onQuery: (sql) => counting && statements.push(sql) },
);

// What MLflow's searches send to the database: a page of models (or versions) renders in a fixed
// number of statements whatever its size, each kind of data read once for the whole page, and a
// search page answers each model exactly as registered-models/get does.
import { beforeAll, expect, it } from 'vitest';
import { transitionModelVersionStage } from '../../src/registry/commands/versions.ts';
import { describeEachDatabase } from '../support/databases.ts';
import { type MlflowClient, mlflowClient } from '../support/mlflow.ts';
import { writeAs } from '../support/registry.ts';
import { seedModels } from '../support/seed.ts';

const API = '/api/2.0/mlflow';
const statements: string[] = [];
let counting = false;

/** The search, then per page: model tags, aliases, latest versions per stage, the aliases' versions, the latest versions' tags. */
const MODEL_SEARCH_STATEMENTS = 6;
/** The search, then the versions' tags. */
const VERSION_SEARCH_STATEMENTS = 2;

describeEachDatabase(
  'statements per MLflow search page',
  (ctx) => {
    let client: MlflowClient;
    const names: Record<number, string[]> = {};

    beforeAll(async () => {
      client = mlflowClient(ctx.db);
      for (const size of [5, 50]) {
        // Each model: two tags, three versions with tags, aliases on versions 3 and 2, and its
        // versions in three stages (1 Production, 2 Staging, 3 None).
        names[size] = await seedModels(ctx.db.prisma, { prefix: `page${size}`, models: size, versions: 3 });
        for (const name of names[size]) {
          await writeAs(ctx.db.prisma, 'seed', async (w) => {
            await transitionModelVersionStage(w, { name, version: 1, stage: 'Production' });
            await transitionModelVersionStage(w, { name, version: 2, stage: 'Staging' });
          });
        }
      }
    }, 120_000);

    async function counted(path: string) {
      statements.length = 0;
      counting = true;
      try {
        const answer = await client.call({ path: `${API}${path}` });
        expect(answer.status).toBe(200);
        return { json: answer.json, statements: [...statements] };
      } finally {
        counting = false;
      }
    }

    const search = (size: number) => `/registered-models/search?filter=${encodeURIComponent(`name LIKE 'page${size}-%'`)}&max_results=100`;

    it(`registered-models/search: ${MODEL_SEARCH_STATEMENTS} statements for a page of 5 models and for one of 50`, async () => {
      for (const size of [5, 50]) {
        const { json, statements: sent } = await counted(search(size));
        expect(json.registered_models).toHaveLength(size);
        expect(json.registered_models[0]).toMatchObject({
          tags: expect.any(Array),
          aliases: expect.any(Array),
          latest_versions: [{ current_stage: 'Production' }, { current_stage: 'Staging' }, { current_stage: 'None' }],
        });
        expect(sent, `page of ${size}`).toHaveLength(MODEL_SEARCH_STATEMENTS);
        expect(sent.filter((s) => s.includes('/* latestVersionsByStageOfModels */'))).toHaveLength(1);
      }
    });

    it('a search page answers each model as registered-models/get does', async () => {
      const { json } = await counted(search(50));
      const gets = [];
      for (const name of names[50]) gets.push((await counted(`/registered-models/get?name=${name}`)).json.registered_model);
      expect(json.registered_models).toEqual(gets);
    });

    it(`model-versions/search: ${VERSION_SEARCH_STATEMENTS} statements for a page of 15 versions and for one of 150`, async () => {
      for (const size of [5, 50]) {
        const path = `/model-versions/search?filter=${encodeURIComponent(`name LIKE 'page${size}-%'`)}&max_results=200`;
        const { json, statements: sent } = await counted(path);
        expect(json.model_versions).toHaveLength(size * 3);
        expect(json.model_versions[0].tags).toHaveLength(2);
        expect(sent, `page of ${size * 3}`).toHaveLength(VERSION_SEARCH_STATEMENTS);
      }
    });
  },
  { onQuery: (sql) => counting && statements.push(sql) },
);

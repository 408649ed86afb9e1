// RegisteredModel.versionByStage(stage, at): the highest version in a stage now (MLflow's
// get-latest-versions for one stage) and, with `at`, at any instant, answered from the history.
import { beforeAll, describe, expect, it } from 'vitest';
import { createApiToken, parseScope } from '../../src/auth/tokens.ts';
import { createRegisteredModel } from '../../src/registry/commands/models.ts';
import { createModelVersion, transitionModelVersionStage } from '../../src/registry/commands/versions.ts';
import { versionsInStageAt } from '../../src/store/versions.ts';
import { describeEachDatabase } from '../support/databases.ts';
import { graphqlClient } from '../support/graphql.ts';
import { writeAs } from '../support/registry.ts';
import { sleep, uniqueName, useApi } from './helpers.ts';

const STAGES = ['NONE', 'STAGING', 'PRODUCTION', 'ARCHIVED'] as const;
type Stage = (typeof STAGES)[number];
const shift = (at: string, delta: number) => new Date(Date.parse(at) + delta).toISOString();

const statements: string[] = [];
let counting = false;

describeEachDatabase(
  'API: versionByStage(stage, at)',
  (ctx) => {
    const api = useApi(ctx);
    /** The instant of the model's last recorded event. */
    const lastAt = async (name: string) => (await api.eventsOf(name)).at(-1).at as string;
    /** Runs a mutation on the model and returns the instant it was recorded at. */
    const step = async (name: string, mutation: string, input: Record<string, unknown>) => {
      await api.ok(mutation, { name, ...input });
      const at = await lastAt(name);
      await sleep(5);
      return at;
    };
    /** versionByStage(stage, at) of one model for every instant, and without `at` as `now`. */
    const versionsAt = async (name: string, stage: Stage, instants: Record<string, string>) => {
      const fields = Object.keys(instants).map((k) => `${k}: versionByStage(stage: ${stage}, at: $${k}) { version }`);
      const query = `query S($name: String!, ${Object.keys(instants)
        .map((k) => `$${k}: DateTime!`)
        .join(', ')}) { registeredModel(name: $name) { ${fields.join(' ')} now: versionByStage(stage: ${stage}) { version stage } } }`;
      const data = (await api.data(query, { name, ...instants })).registeredModel;
      return Object.fromEntries(
        Object.entries(data).map(([k, v]) => [k, k === 'now' ? v : ((v as { version: number } | null)?.version ?? null)]),
      );
    };

    describe('across transitions', () => {
      it('answers the highest version in each stage now and at every instant', async () => {
        const name = uniqueName('stage-travel');
        // Version 5 stays in NONE throughout.
        await api.createModel(name, 5);
        const created = await lastAt(name);
        await sleep(5);
        const t1 = await step(name, 'transitionModelVersionStage', { version: 1, stage: 'STAGING' });
        const t2 = await step(name, 'transitionModelVersionStage', { version: 2, stage: 'STAGING' });
        const t3 = await step(name, 'transitionModelVersionStage', { version: 1, stage: 'PRODUCTION' });
        // Archives version 1 by version 3's transition: two events at one instant.
        const t4 = await step(name, 'transitionModelVersionStage', { version: 3, stage: 'PRODUCTION', archiveExistingVersions: true });
        const t5 = await step(name, 'transitionModelVersionStage', { version: 4, stage: 'STAGING' });
        const t6 = await step(name, 'deleteModelVersion', { version: 4 });
        const t7 = await step(name, 'transitionModelVersionStage', { version: 2, stage: 'ARCHIVED' });
        const t8 = await step(name, 'createModelVersion', { source: `s3://${name}/6` });
        const instants = {
          beforeModel: shift(created, -60_000),
          created,
          t1,
          t2,
          t3,
          beforeT4: shift(t4, -1),
          t4,
          t5,
          t6,
          t7,
          t8,
          future: '2999-01-01T00:00:00.000Z',
        };
        // Per stage, the answer at each instant above, in order.
        const expected: Record<Stage, (number | null)[]> = {
          // Versions never transitioned are in NONE from their creation; 6 only from t8.
          NONE: [null, 5, 5, 5, 5, 5, 5, 5, 5, 5, 6, 6],
          // At t5 version 4 is the highest in STAGING, but it has been deleted since (null); once
          // it is deleted (t6), version 2 is the highest again.
          STAGING: [null, null, 1, 2, 2, 2, 2, null, 2, null, null, null],
          PRODUCTION: [null, null, null, null, 1, 1, 3, 3, 3, 3, 3, 3],
          ARCHIVED: [null, null, null, null, null, null, 1, 1, 1, 2, 2, 2],
        };
        const nowStage: Record<Stage, { version: number; stage: Stage } | null> = {
          NONE: { version: 6, stage: 'NONE' },
          STAGING: null,
          PRODUCTION: { version: 3, stage: 'PRODUCTION' },
          ARCHIVED: { version: 2, stage: 'ARCHIVED' },
        };
        for (const stage of STAGES) {
          expect(await versionsAt(name, stage, instants), stage).toEqual({
            ...Object.fromEntries(Object.keys(instants).map((k, i) => [k, expected[stage][i]])),
            now: nowStage[stage],
          });
        }
      });

      it('follows the model across a rename, and not into another model once named the same', async () => {
        const a = uniqueName('stage-rename-a');
        const b = uniqueName('stage-rename-b');
        await api.createModel(a, 2);
        const promoted = await step(a, 'transitionModelVersionStage', { version: 1, stage: 'PRODUCTION' });
        await step(a, 'transitionModelVersionStage', { version: 2, stage: 'PRODUCTION', archiveExistingVersions: true });
        await api.ok('renameRegisteredModel', { name: a, newName: b });
        expect(await versionsAt(b, 'PRODUCTION', { promoted })).toEqual({ promoted: 1, now: { version: 2, stage: 'PRODUCTION' } });
        expect(await versionsAt(b, 'ARCHIVED', { promoted })).toEqual({ promoted: null, now: { version: 1, stage: 'ARCHIVED' } });
        // A new model under the old name has its own history (model identity is its id).
        await api.createModel(a, 1);
        expect(await versionsAt(a, 'PRODUCTION', { promoted })).toEqual({ promoted: null, now: null });
        expect(await versionsAt(a, 'NONE', { promoted, future: '2999-01-01T00:00:00.000Z' })).toEqual({
          promoted: null,
          future: 1,
          now: { version: 1, stage: 'NONE' },
        });
      });
    });

    describe('scope', () => {
      it('a token limited to other models sees null; one that covers the model sees it', async () => {
        const inside = uniqueName('stage-scope-in');
        const outside = uniqueName('stage-scope-out');
        for (const name of [inside, outside]) {
          await api.createModel(name, 1);
          await step(name, 'transitionModelVersionStage', { version: 1, stage: 'PRODUCTION' });
        }
        const at = await lastAt(outside);
        const { secret } = await createApiToken(
          ctx.db.prisma,
          { name: 'stage-scope-reader', role: 'READER', models: ['stage-scope-in-*'] },
          null,
        );
        const scoped = graphqlClient(ctx.db, { token: secret, security: { auth: 'required' } });
        const query = `query S($name: String!, $at: DateTime!) {
          registeredModel(name: $name) { now: versionByStage(stage: PRODUCTION) { version } past: versionByStage(stage: PRODUCTION, at: $at) { version } }
        }`;
        expect((await scoped.data(query, { name: outside, at })).registeredModel).toBeNull();
        expect((await scoped.data(query, { name: inside, at })).registeredModel).toEqual({ now: { version: 1 }, past: { version: 1 } });
        // The statement itself keeps to the scope, whatever model ids it is asked about.
        const ids = await ctx.db.prisma.registeredModel.findMany({ where: { name: { in: [inside, outside] } }, orderBy: { name: 'asc' } });
        const keys = ids.map((m) => ({ modelId: m.id, stage: 'PRODUCTION' as const, at: new Date(at) }));
        const answers = await versionsInStageAt(ctx.db, keys, parseScope(['stage-scope-in-*']));
        expect(answers.map((v) => v?.version ?? null)).toEqual([1, null]);
        // The row as Prisma reads it: the key index the statement carries is not part of it.
        expect(answers[0]).toStrictEqual(
          await ctx.db.prisma.modelVersion.findUnique({ where: { modelId_version: { modelId: ids[0].id, version: 1 } } }),
        );
        expect((await versionsInStageAt(ctx.db, keys, null)).map((v) => v?.version ?? null)).toEqual([1, 1]);
      });
    });

    describe('batching', () => {
      const prefix = uniqueName('stage-batch');
      let middle: string;
      beforeAll(async () => {
        // 30 models: version 1 to PRODUCTION, then version 2 to PRODUCTION archiving 1.
        for (let m = 0; m < 30; m++) {
          const name = `${prefix}-${String(m).padStart(3, '0')}`;
          await writeAs(ctx.db.prisma, 'seed', async (w) => {
            await createRegisteredModel(w, { name });
            for (let v = 1; v <= 2; v++) await createModelVersion(w, { name, source: `s3://${name}/${v}` });
            await transitionModelVersionStage(w, { name, version: 1, stage: 'Production' });
          });
        }
        await sleep(5);
        middle = new Date().toISOString();
        await sleep(5);
        for (let m = 0; m < 30; m++) {
          const name = `${prefix}-${String(m).padStart(3, '0')}`;
          await writeAs(ctx.db.prisma, 'seed', (w) =>
            transitionModelVersionStage(w, { name, version: 2, stage: 'Production', archiveExistingVersions: true }),
          );
        }
      });

      const QUERY = `query B($first: Int!, $filter: RegisteredModelFilter, $at: DateTime!) {
        registeredModels(first: $first, filter: $filter) {
          nodes {
            name
            production: versionByStage(stage: PRODUCTION) { version }
            archived: versionByStage(stage: ARCHIVED) { version }
            productionThen: versionByStage(stage: PRODUCTION, at: $at) { version }
            noneThen: versionByStage(stage: NONE, at: $at) { version }
            archivedThen: versionByStage(stage: ARCHIVED, at: $at) { version }
          }
        }
      }`;
      async function countStatements(first: number) {
        const client = graphqlClient(ctx.db);
        statements.length = 0;
        counting = true;
        const data = await client.data(QUERY, { first, filter: { nameContains: prefix }, at: middle });
        counting = false;
        return { nodes: data.registeredModels.nodes, statements: statements.filter((s) => !/^(BEGIN|COMMIT|ROLLBACK)/i.test(s.trim())) };
      }

      it('answers many models, now and in the past, in a bounded number of statements', async () => {
        const five = await countStatements(5);
        const thirty = await countStatements(30);
        expect(five.nodes).toHaveLength(5);
        expect(thirty.nodes).toHaveLength(30);
        for (const node of thirty.nodes) {
          expect(node).toEqual({
            name: node.name,
            production: { version: 2 },
            archived: { version: 1 },
            productionThen: { version: 1 },
            noneThen: { version: 2 },
            archivedThen: null,
          });
        }
        // The listing, one get-latest-versions for both stages now, one history statement for
        // every (model, stage, instant).
        expect(thirty.statements).toHaveLength(five.statements.length);
        expect(thirty.statements).toHaveLength(3);
        expect(thirty.statements.filter((s) => s.includes('/* versionsInStageAt */'))).toHaveLength(1);
        expect(thirty.statements.filter((s) => s.includes('/* latestVersionsByStageOfModels */'))).toHaveLength(1);
        console.info(`[${ctx.kind}] versionByStage over 30 models: ${thirty.statements.length} SQL statements`);
      });
    });
  },
  { onQuery: (sql) => counting && statements.push(sql) },
);

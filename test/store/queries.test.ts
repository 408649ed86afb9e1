// Batched per-model version pages: each model gets its own first N, cursors walk every row once.
import { beforeAll, expect, it } from 'vitest';
import type { ModelVersion } from '../../src/generated/prisma/client.ts';
import { writeAs } from '../support/registry.ts';
import { cursorOf } from '../../src/registry/rules/paging.ts';
import { VERSION_IN_MODEL_SORT, type VersionOrder, listVersionsOfModels } from '../../src/store/versions.ts';
import { updateModelVersion } from '../../src/registry/commands/versions.ts';
import { describeEachDatabase } from '../support/databases.ts';
import { seedModels } from '../support/seed.ts';

describeEachDatabase('per-model version pages', (ctx) => {
  let ids: number[];

  beforeAll(async () => {
    const names = await seedModels(ctx.db.prisma, { prefix: 'pages', models: 3, versions: 7 });
    // Model 0 gets a failed version 4, model 1 none: filters must apply per model.
    await writeAs(ctx.db.prisma, null, (w) => updateModelVersion(w, { name: names[0], version: 4, status: 'FAILED_REGISTRATION' }));
    const models = await ctx.db.prisma.registeredModel.findMany({ where: { name: { in: names } }, orderBy: { name: 'asc' } });
    ids = models.map((m) => m.id);
  });

  async function walk(order: VersionOrder, first: number, models = ids) {
    const seen = new Map<number, number[]>(models.map((id) => [id, []]));
    let after: string | null = null;
    // All models share the page arguments, as they do when a dashboard asks for versions(first:):
    // a cursor by version number means the same position in every model.
    for (let round = 0; round < 20; round++) {
      const pages = await listVersionsOfModels(ctx.db, models, { first, after, orderBy: order });
      const page = pages.get(models[0])!;
      for (const id of models) seen.get(id)!.push(...pages.get(id)!.rows.map((v: ModelVersion) => v.version));
      if (!page.hasNextPage) break;
      after = cursorOf(page.rows[page.rows.length - 1], VERSION_IN_MODEL_SORT[order]);
    }
    return seen;
  }

  it('walks every version of every model once, in order, with any page size', async () => {
    for (const first of [1, 3, 7, 10]) {
      const desc = await walk('VERSION_DESC', first);
      for (const id of ids) expect(desc.get(id)).toEqual([7, 6, 5, 4, 3, 2, 1]);
      const asc = await walk('VERSION_ASC', first);
      for (const id of ids) expect(asc.get(id)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    }
    // A creation-time cursor is a position in one model's timeline only.
    for (const id of ids) expect((await walk('CREATED_AT_DESC', 2, [id])).get(id)).toEqual([7, 6, 5, 4, 3, 2, 1]);
  });

  it('applies filters per model', async () => {
    const failed = await listVersionsOfModels(ctx.db, ids, { first: 5, filter: { status: 'FAILED_REGISTRATION' } });
    expect(failed.get(ids[0])!.rows.map((v) => v.version)).toEqual([4]);
    expect(failed.get(ids[1])!.rows).toEqual([]);
    const tagged = await listVersionsOfModels(ctx.db, ids, { first: 5, filter: { tags: [{ key: 't0', value: '2' }], runId: null } });
    for (const id of ids) expect(tagged.get(id)!.rows.map((v) => v.version)).toEqual([2]);
    const byRun = await listVersionsOfModels(ctx.db, ids, { first: 5, filter: { runId: 'run-1-3' } });
    expect(ids.map((id) => byRun.get(id)!.rows.map((v) => v.version))).toEqual([[], [3], []]);
    const keyOnly = await listVersionsOfModels(ctx.db, ids, { first: 2, filter: { tags: [{ key: 't1' }] } });
    expect(keyOnly.get(ids[2])).toMatchObject({ hasNextPage: true });
    expect(keyOnly.get(ids[2])!.rows.map((v) => v.version)).toEqual([7, 6]);
  });

  it('returns rows shaped like Prisma rows', async () => {
    const [version] = (await listVersionsOfModels(ctx.db, [ids[0]], { first: 1 })).get(ids[0])!.rows;
    const direct = await ctx.db.prisma.modelVersion.findFirstOrThrow({ where: { modelId: ids[0], version: 7 } });
    expect(version).toEqual(direct);
  });
});

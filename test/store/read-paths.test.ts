// Raw reads take one of two paths (src/store/sql.ts): straight over the driver outside a
// transaction, through Prisma's $queryRaw inside one. Both must give the same rows, value for value
// and type for type (Date, not text; numbers, not strings), on both engines.
import { beforeAll, expect, it } from 'vitest';
import { Prisma } from '../../src/generated/prisma/client.ts';
import { inTransaction } from '../../src/registry/write.ts';
import { aliasTargets, aliasVersionsAt, aliasesOfModels, aliasesOfVersions } from '../../src/store/aliases.ts';
import { listEventsOfModels } from '../../src/store/events.ts';
import { modelsByNames } from '../../src/store/models.ts';
import { type Reader, queryRows } from '../../src/store/sql.ts';
import { modelTags, versionTags } from '../../src/store/tags.ts';
import { listVersionsOfModels } from '../../src/store/versions.ts';
import { describeEachDatabase } from '../support/databases.ts';
import { seedModels } from '../support/seed.ts';

describeEachDatabase('raw reads, direct and in a transaction', (ctx) => {
  let modelIds: number[];
  let versionIds: number[];
  let names: string[];

  beforeAll(async () => {
    names = await seedModels(ctx.db.prisma, { prefix: 'paths', models: 3, versions: 4, tagsPerVersion: 3 });
    const models = await ctx.db.prisma.registeredModel.findMany({ where: { name: { in: names } }, orderBy: { name: 'asc' } });
    modelIds = models.map((m) => m.id);
    const versions = await ctx.db.prisma.modelVersion.findMany({ where: { modelId: { in: modelIds } }, orderBy: { id: 'asc' } });
    versionIds = versions.map((v) => v.id);
  });

  /** Every batch read of the GraphQL loaders that is raw SQL, run on `db`. */
  async function everyRead(db: Reader) {
    const pages = await listVersionsOfModels(db, modelIds, { first: 3 });
    const history = await listEventsOfModels(db, modelIds, { first: 5 });
    return {
      pages: modelIds.map((id) => pages.get(id)),
      byName: await modelsByNames(db, names),
      modelTags: await modelTags(db, modelIds),
      versionTags: await versionTags(db, versionIds),
      modelAliases: await aliasesOfModels(db, modelIds),
      versionAliases: await aliasesOfVersions(db, versionIds),
      targets: await aliasTargets(
        db,
        modelIds.map((modelId) => ({ modelId, alias: 'champion' })),
      ),
      history: modelIds.map((id) => history.get(id)),
      past: await aliasVersionsAt(
        db,
        modelIds.map((modelId) => ({ modelId, alias: 'champion', at: new Date() })),
      ),
    };
  }

  it('gives the same rows and types on both paths', async () => {
    const direct = await everyRead(ctx.db);
    const inTx = await inTransaction(ctx.db.prisma, (tx) => everyRead(tx));
    expect(direct).toEqual(inTx);
    // Not vacuous: the reads found what the seed wrote, with timestamps as Dates.
    expect(direct.versionTags).toHaveLength(3 * 4 * 3);
    expect(direct.targets.map((v) => v.version)).toEqual([4, 4, 4]);
    expect(direct.past).toEqual([4, 4, 4]);
    expect(direct.pages[0]?.rows[0].createdAt).toBeInstanceOf(Date);
    expect(direct.history[0]?.rows[0].at).toBeInstanceOf(Date);
    expect(direct.modelAliases[0].updatedAt).toBeInstanceOf(Date);
  });

  it('a read given the transaction runs in it; a read given the client does not', async () => {
    // Uncommitted rows are visible only through the transaction: the direct path, on its own
    // connection, must not see them, and the transaction's reads must.
    const probe = Prisma.sql`SELECT count(*)::int AS n FROM registered_model WHERE name = 'paths-uncommitted'`;
    const seen = await inTransaction(ctx.db.prisma, async (tx) => {
      await tx.$executeRaw`INSERT INTO registered_model (name, created_at, updated_at) VALUES ('paths-uncommitted', now(), now())`;
      const inside = (await queryRows<{ n: number }>(tx, probe))[0].n;
      // PGlite has one connection: a read outside would wait for this transaction to end.
      const outside = ctx.kind === 'postgres' ? (await queryRows<{ n: number }>(ctx.db, probe))[0].n : null;
      await tx.$executeRaw`DELETE FROM registered_model WHERE name = 'paths-uncommitted'`;
      return { inside, outside };
    });
    expect(seen.inside).toBe(1);
    if (ctx.kind === 'postgres') expect(seen.outside).toBe(0);
  });
});

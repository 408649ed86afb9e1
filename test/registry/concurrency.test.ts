// Many writers at once: numbering stays exact and each alias's history stays one unbroken chain.
import { expect, it } from 'vitest';
import { setModelAlias } from '../../src/registry/commands/aliases.ts';
import { ConflictError } from '../../src/registry/rules/errors.ts';
import { createRegisteredModel } from '../../src/registry/commands/models.ts';
import { createModelVersion } from '../../src/registry/commands/versions.ts';
import { describeEachDatabase } from '../support/databases.ts';
import { writeAs } from '../support/registry.ts';

describeEachDatabase('concurrent writers', (ctx) => {
  const write = <T>(work: Parameters<typeof writeAs<T>>[2], actor: string | null = null) => writeAs(ctx.db.prisma, actor, work);

  async function aliasChain(name: string, alias: string) {
    const model = await ctx.db.prisma.registeredModel.findUniqueOrThrow({ where: { name } });
    return ctx.db.prisma.auditEvent.findMany({
      where: { modelId: model.id, alias, action: { in: ['ALIAS_SET', 'ALIAS_DELETED'] } },
      orderBy: { sequence: 'asc' },
    });
  }

  it('50 concurrent createModelVersion calls number the versions 1..50 exactly', async () => {
    await write((w) => createRegisteredModel(w, { name: 'race-versions' }));
    const created = await Promise.all(
      Array.from({ length: 50 }, (_, i) => write((w) => createModelVersion(w, { name: 'race-versions', source: `s3://race/${i}` }))),
    );
    expect(created.map((v) => v.modelVersion.version).sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    const model = await ctx.db.prisma.registeredModel.findUniqueOrThrow({ where: { name: 'race-versions' } });
    expect(model.lastVersion).toBe(50);
    const events = await ctx.db.prisma.auditEvent.findMany({
      where: { modelId: model.id, action: 'VERSION_CREATED' },
      orderBy: { sequence: 'asc' },
    });
    // One event per version, and history order agrees with numbering order.
    expect(events.map((e) => e.version)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
  });

  it('30 concurrent alias moves leave a consistent chain ending at the current target', async () => {
    await write(async (w) => {
      await createRegisteredModel(w, { name: 'race-alias' });
      for (let v = 0; v < 5; v++) await createModelVersion(w, { name: 'race-alias', source: `s3://a/${v}` });
    });
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        write((w) => setModelAlias(w, { name: 'race-alias', alias: 'production', version: (i % 5) + 1 }), `bot-${i}`),
      ),
    );
    const chain = await aliasChain('race-alias', 'production');
    expect(chain.length).toBe(results.filter((r) => r.changed).length);
    let previous: number | null = null;
    for (const event of chain) {
      expect(event.action).toBe('ALIAS_SET');
      expect(event.previousVersion).toBe(previous);
      expect(event.version).not.toBe(previous);
      previous = event.version;
    }
    const alias = await ctx.db.prisma.modelAlias.findFirstOrThrow({
      where: { alias: 'production', model: { name: 'race-alias' } },
      include: { version: true },
    });
    expect(alias.version.version).toBe(previous);
    // Timestamps never run backwards along the chain.
    for (let i = 1; i < chain.length; i++) expect(chain[i].at.getTime()).toBeGreaterThanOrEqual(chain[i - 1].at.getTime());
  });

  it('of 20 concurrent compare-and-set promotions from the same state, exactly one wins', async () => {
    await write(async (w) => {
      await createRegisteredModel(w, { name: 'race-cas' });
      for (let v = 0; v < 3; v++) await createModelVersion(w, { name: 'race-cas', source: `s3://c/${v}` });
      await setModelAlias(w, { name: 'race-cas', alias: 'champion', version: 1 });
    });
    const outcomes = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) =>
        write((w) => setModelAlias(w, { name: 'race-cas', alias: 'champion', version: (i % 2) + 2, expectedVersion: 1 }), `bot-${i}`),
      ),
    );
    const won = outcomes.filter((o) => o.status === 'fulfilled');
    const lost = outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason] : []));
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(19);
    const winner = (won[0] as PromiseFulfilledResult<Awaited<ReturnType<typeof setModelAlias>>>).value;
    const target = await versionNumber(winner.alias.versionId);
    expect(target).not.toBe(1);
    for (const error of lost) {
      expect(error).toBeInstanceOf(ConflictError);
      expect((error as ConflictError).currentVersion).toBe(target);
    }
    const chain = await aliasChain('race-cas', 'champion');
    expect(chain.map((e) => [e.previousVersion, e.version])).toEqual([
      [null, 1],
      [1, target],
    ]);
  });

  async function versionNumber(versionId: number): Promise<number> {
    return (await ctx.db.prisma.modelVersion.findUniqueOrThrow({ where: { id: versionId } })).version;
  }
});

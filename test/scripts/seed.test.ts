// The bulk seeder must leave the registry exactly as the same writes made through the domain
// functions would: same rows, same audit events in the same order, timestamps consistent with
// history, so versionByAlias(at:) answers from seeded history like from real history.
import { beforeAll, expect, it } from 'vitest';
import type { PrismaClient } from '../../src/generated/prisma/client.ts';
import { setModelAlias } from '../../src/registry/commands/aliases.ts';
import { writeAs } from '../support/registry.ts';
import { checkIntegrity } from '../../src/registry/history/integrity.ts';
import { createRegisteredModel } from '../../src/registry/commands/models.ts';
import { createModelVersion } from '../../src/registry/commands/versions.ts';
import { DEFAULT_SEED_OPTIONS, type SeedOptions, modelOperations } from '../../scripts/lib/seed-data.ts';
import { seedRegistry } from '../../scripts/lib/seed.ts';
import { describeEachDatabase } from '../support/databases.ts';
import { graphqlClient } from '../support/graphql.ts';

const SMALL = { models: 3, versions: 3, versionTags: 2, modelTags: 3, historyDepth: 4 };
const bulk: SeedOptions = { ...DEFAULT_SEED_OPTIONS, ...SMALL, prefix: 'bulk' };
const replay: SeedOptions = { ...DEFAULT_SEED_OPTIONS, ...SMALL, prefix: 'replay' };

async function replayThroughRegistry(prisma: PrismaClient, options: SeedOptions): Promise<void> {
  for (let index = 0; index < options.models; index++) {
    for (const op of modelOperations(options, index)) {
      await writeAs(prisma, options.actor, async (w) => {
        if (op.kind === 'createModel') await createRegisteredModel(w, op.input);
        else if (op.kind === 'createVersion') await createModelVersion(w, op.input);
        else await setModelAlias(w, op.input);
      });
    }
  }
}

/** Everything but ids and timestamps, with the prefix replaced so two prefixes compare. */
async function snapshot(prisma: PrismaClient, prefix: string) {
  const models = await prisma.registeredModel.findMany({
    where: { name: { startsWith: `${prefix}-` } },
    orderBy: { name: 'asc' },
    include: {
      tags: { orderBy: { key: 'asc' } },
      aliases: { orderBy: { alias: 'asc' }, include: { version: true } },
      versions: { orderBy: { version: 'asc' }, include: { tags: { orderBy: { key: 'asc' } } } },
    },
  });
  const events = await prisma.auditEvent.findMany({
    where: { modelName: { startsWith: `${prefix}-` } },
    orderBy: { sequence: 'asc' },
  });
  const shape = {
    models: models.map((m) => ({
      name: m.name,
      description: m.description,
      lastVersion: m.lastVersion,
      tags: m.tags.map((t) => [t.key, t.value]),
      aliases: m.aliases.map((a) => [a.alias, a.version.version]),
      versions: m.versions.map((v) => ({
        version: v.version,
        source: v.source,
        runId: v.runId,
        runLink: v.runLink,
        description: v.description,
        status: v.status,
        statusMessage: v.statusMessage,
        tags: v.tags.map((t) => [t.key, t.value]),
      })),
    })),
    events: events.map(({ sequence: _s, at: _a, modelId: _m, ...rest }) => rest),
  };
  return JSON.parse(JSON.stringify(shape).replaceAll(`${prefix}-`, 'P-'));
}

describeEachDatabase('bulk seeding', (ctx) => {
  beforeAll(async () => {
    await seedRegistry(ctx.db.prisma, bulk);
    await replayThroughRegistry(ctx.db.prisma, replay);
  });

  it('writes the rows and audit events the registry writes would', async () => {
    const seeded = await snapshot(ctx.db.prisma, 'bulk');
    expect(seeded.models).toHaveLength(3);
    expect(seeded.models[0].aliases).toEqual([
      ['challenger', 2],
      ['champion', 3],
    ]);
    // historyDepth 4 over 3 versions: champion 1, 2, 3, 1, then 3 (its final place).
    const champion = (e: { alias: string | null; modelName: string }) => e.alias === 'champion' && e.modelName === 'P-0000';
    expect(seeded.events.filter(champion)).toHaveLength(5);
    expect(seeded).toEqual(await snapshot(ctx.db.prisma, 'replay'));
  });

  it('keeps timestamps consistent with history', async () => {
    const prisma = ctx.db.prisma;
    for (const model of await prisma.registeredModel.findMany({
      where: { name: { startsWith: 'bulk-' } },
      include: { versions: true, aliases: true },
    })) {
      const events = await prisma.auditEvent.findMany({ where: { modelId: model.id }, orderBy: { sequence: 'asc' } });
      const times = events.map((e) => e.at.getTime());
      expect(times).toEqual([...times].sort((a, b) => a - b));
      expect(model.createdAt).toEqual(events[0].at);
      expect(model.updatedAt).toEqual(events.at(-1)!.at);
      for (const version of model.versions) {
        const created = events.find((e) => e.action === 'VERSION_CREATED' && e.version === version.version)!;
        expect(version.createdAt).toEqual(created.at);
        expect(version.updatedAt).toEqual(created.at);
      }
      for (const alias of model.aliases) {
        const last = events.filter((e) => e.alias === alias.alias).at(-1)!;
        expect(alias.updatedAt).toEqual(last.at);
      }
    }
  });

  it('leaves a registry its history replays to, as the integrity checker sees it', async () => {
    const report = await checkIntegrity(ctx.db.prisma);
    expect(report.violations).toEqual([]);
    expect(report.counts.models).toBe(6);
  });

  it('answers history and versionByAlias(at:) from the seeded events', async () => {
    const client = graphqlClient(ctx.db);
    const { registeredModel } = await client.data(
      `{ registeredModel(name: "bulk-0001") { history(alias: "champion") { nodes { at version previousVersion } } } }`,
    );
    const moves = [...registeredModel.history.nodes].reverse();
    expect(moves.map((e: { version: number }) => e.version)).toEqual([1, 2, 3, 1, 3]);
    for (const [i, e] of moves.entries()) expect(e.previousVersion).toBe(i === 0 ? null : moves[i - 1].version);
    for (const move of moves) {
      const data = await client.data(
        `query($at: DateTime!) { registeredModel(name: "bulk-0001") { versionByAlias(alias: "champion", at: $at) { version } } }`,
        { at: move.at },
      );
      expect(data.registeredModel.versionByAlias.version).toBe(move.version);
    }
  });

  it('refuses to seed over existing models and writes nothing', async () => {
    const before = await ctx.db.prisma.auditEvent.count();
    await expect(seedRegistry(ctx.db.prisma, { ...bulk, models: 5 })).rejects.toThrow(/already exist/);
    expect(await ctx.db.prisma.auditEvent.count()).toBe(before);
    expect(await ctx.db.prisma.registeredModel.count({ where: { name: { startsWith: 'bulk-' } } })).toBe(3);
  });
});

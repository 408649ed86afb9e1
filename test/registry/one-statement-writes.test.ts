// The writes that are one statement (server-side functions: the alias move, an unkeyed version
// create) leave exactly what their transactional form leaves: the same rows, the same events with
// the same details, accepted by the integrity checker; and they stay correct under concurrency.
import { beforeAll, expect, it } from 'vitest';
import { Access } from '../../src/auth/access.ts';
import { checkIntegrity } from '../../src/registry/history/integrity.ts';
import { type Registry, createRegistry } from '../../src/registry/registry.ts';
import { describeEachDatabase } from '../support/databases.ts';
import { TEST_REGISTRY_SETTINGS } from '../support/registry.ts';

const BOT = Access.operator('bot');
const tags = [
  { key: 'b', value: '2' },
  { key: 'a', value: '1' },
];

describeEachDatabase('one-statement writes', (ctx) => {
  let registry: Registry;
  beforeAll(async () => {
    registry = createRegistry(ctx.db, TEST_REGISTRY_SETTINGS);
    await registry.createRegisteredModel(BOT, { name: 'one' });
  });
  const eventsOf = async (version: number) =>
    (await ctx.db.prisma.auditEvent.findMany({ where: { modelName: 'one', version }, orderBy: { sequence: 'asc' } })).map(
      ({ sequence: _s, at: _at, ...e }) => e,
    );

  it('creates a version with its tags and events as the keyed (transactional) create does', async () => {
    const plain = await registry.createModelVersion(BOT, { name: 'one', source: 's3://one', runId: 'r', description: 'd', tags });
    const keyed = await registry.createModelVersion(BOT, {
      name: 'one',
      source: 's3://one',
      runId: 'r',
      description: 'd',
      tags,
      idempotencyKey: 'k',
    });
    expect(plain.modelVersion.version).toBe(1);
    expect(keyed.modelVersion.version).toBe(2);
    const { id: _a, version: _v1, createdAt: c1, updatedAt: u1, ...plainRow } = plain.modelVersion;
    const { id: _b, version: _v2, createdAt: c2, updatedAt: u2, ...keyedRow } = keyed.modelVersion;
    expect(plainRow).toEqual(keyedRow);
    expect(c1).toEqual(u1);
    expect(c2).toEqual(u2);
    expect(plain.registeredModel).toMatchObject({ name: 'one', lastVersion: 1, updatedAt: c1 });
    const stored = await ctx.db.prisma.modelVersion.findUniqueOrThrow({ where: { id: plain.modelVersion.id }, include: { tags: true } });
    expect(stored).toMatchObject({
      ...plain.modelVersion,
      tags: expect.arrayContaining(tags.map((t) => ({ ...t, versionId: stored.id }))),
    });
    const strip = (events: Awaited<ReturnType<typeof eventsOf>>) => events.map(({ version: _v, ...e }) => e);
    expect(strip(await eventsOf(1))).toEqual(strip(await eventsOf(2)));
    expect((await eventsOf(1)).map((e) => [e.action, e.key, e.newValue])).toEqual([
      ['VERSION_CREATED', null, 's3://one'],
      ['VERSION_TAG_SET', 'b', '2'],
      ['VERSION_TAG_SET', 'a', '1'],
    ]);
  });

  it('numbers concurrent creates without gaps or duplicates, each with its events', async () => {
    const created = await Promise.all(
      Array.from({ length: 12 }, (_, i) => registry.createModelVersion(BOT, { name: 'one', source: `s3://race/${i}` })),
    );
    const numbers = created.map((c) => c.modelVersion.version).sort((a, b) => a - b);
    expect(numbers).toEqual(Array.from({ length: 12 }, (_, i) => i + 3));
    expect((await checkIntegrity(ctx.db.prisma)).violations).toEqual([]);
  });

  it('records an alias move as the same ALIAS_SET chain, and refuses what the transactional move refused', async () => {
    await registry.setModelAlias(BOT, { name: 'one', alias: 'prod', version: 1 });
    const moved = await registry.setModelAlias(BOT, { name: 'one', alias: 'prod', version: 2, expectedVersion: 1 });
    expect(moved).toMatchObject({ changed: true, previousVersion: { version: 1 }, version: { version: 2 } });
    const same = await registry.setModelAlias(BOT, { name: 'one', alias: 'prod', version: 2 });
    expect(same).toMatchObject({ changed: false, previousVersion: null });
    expect(same.alias.updatedAt).toEqual(moved.alias.updatedAt);
    await expect(registry.setModelAlias(BOT, { name: 'one', alias: 'prod', version: 1, expectedVersion: 1 })).rejects.toMatchObject({
      code: 'CONFLICT',
      currentVersion: 2,
    });
    await expect(registry.setModelAlias(BOT, { name: 'one', alias: 'Prod', version: 1 })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
    await expect(registry.setModelAlias(BOT, { name: 'one', alias: 'prod', version: 99 })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(registry.setModelAlias(BOT, { name: 'none', alias: 'prod', version: 1 })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const chain = await ctx.db.prisma.auditEvent.findMany({ where: { modelName: 'one', alias: 'prod' }, orderBy: { sequence: 'asc' } });
    expect(chain.map((e) => [e.action, e.version, e.previousVersion, e.actor])).toEqual([
      ['ALIAS_SET', 1, null, 'bot'],
      ['ALIAS_SET', 2, 1, 'bot'],
    ]);
    expect((await checkIntegrity(ctx.db.prisma)).violations).toEqual([]);
  });
});

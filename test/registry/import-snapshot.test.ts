// registry.importSnapshot: another registry's models, versions, tags, aliases and stages brought in
// whole, one history event per fact (MODEL_IMPORTED / VERSION_IMPORTED carry the source's creation
// instant), idempotent on a rerun, merging onto what is here, and all or nothing.
import { beforeAll, describe, expect, it } from 'vitest';
import { Access } from '../../src/auth/access.ts';
import { AuthError } from '../../src/auth/errors.ts';
import { ProtectedAliasPolicy } from '../../src/auth/protected-aliases.ts';
import { parseNamePattern } from '../../src/registry/rules/name-patterns.ts';
import { ImportRefusedError } from '../../src/registry/imports/import-snapshot.ts';
import type { RegistrySnapshot, SnapshotModel, SnapshotVersion } from '../../src/registry/imports/snapshot.ts';
import { type Registry, createRegistry } from '../../src/registry/registry.ts';
import { describeEachDatabase } from '../support/databases.ts';
import { TEST_REGISTRY_SETTINGS } from '../support/registry.ts';

const IMPORTER = Access.operator('import:mlflow');
const T0 = new Date('2024-03-01T10:00:00.000Z');

function version(n: number, extra: Partial<SnapshotVersion> = {}): SnapshotVersion {
  return {
    version: n,
    source: `s3://models/fraud/${n}`,
    runId: `run${n}`,
    runLink: null,
    description: null,
    status: 'READY',
    statusMessage: null,
    stage: 'NONE',
    storageLocation: null,
    createdAt: new Date(T0.getTime() + n * 60_000),
    updatedAt: new Date(T0.getTime() + n * 60_000),
    tags: [],
    ...extra,
  };
}

function fraud(extra: Partial<SnapshotModel> = {}): SnapshotModel {
  return {
    name: 'fraud',
    description: 'fraud detection',
    createdAt: T0,
    updatedAt: T0,
    // Version 3 was deleted at the source, and so was 5: the next one there is 6.
    lastVersion: 5,
    tags: [{ key: 'team', value: 'risk' }],
    aliases: [
      { alias: 'champion', version: 4 },
      { alias: 'challenger', version: 2 },
    ],
    versions: [
      version(1, { stage: 'ARCHIVED', description: 'first' }),
      version(2, { tags: [{ key: 'approved', value: 'true' }] }),
      version(4, { stage: 'PRODUCTION', status: 'FAILED_REGISTRATION', statusMessage: 'copy failed' }),
    ],
    ...extra,
  };
}

const snapshot = (...models: SnapshotModel[]): RegistrySnapshot => ({ origin: 'a test', models, warnings: [] });

describeEachDatabase('importSnapshot', (ctx) => {
  let registry: Registry;
  const eventCount = () => ctx.db.prisma.auditEvent.count();
  beforeAll(() => {
    registry = createRegistry(ctx.db, TEST_REGISTRY_SETTINGS);
  });

  describe('into an empty registry', () => {
    beforeAll(async () => {
      const summary = await registry.importSnapshot(IMPORTER, snapshot(fraud()));
      expect(summary).toMatchObject({
        models: { imported: 1, updated: 0, unchanged: 0 },
        versions: { imported: 3, updated: 0, unchanged: 0 },
        // model + tag; v1: imported, description, stage; v2: imported, tag; v4: imported, status,
        // message, stage; two aliases.
        events: 13,
      });
      expect(summary.integrity.violations).toEqual([]);
    });

    it('keeps every fact, the source creation instants and the version high-water mark', async () => {
      const model = await ctx.db.prisma.registeredModel.findUniqueOrThrow({
        where: { name: 'fraud' },
        include: {
          tags: true,
          versions: { include: { tags: true }, orderBy: { version: 'asc' } },
          aliases: { include: { version: true } },
        },
      });
      expect(model).toMatchObject({
        description: 'fraud detection',
        createdAt: T0,
        lastVersion: 5,
        tags: [{ key: 'team', value: 'risk' }],
      });
      expect(model.versions.map((v) => [v.version, v.stage, v.status, v.statusMessage, v.description, v.runId])).toEqual([
        [1, 'ARCHIVED', 'READY', null, 'first', 'run1'],
        [2, 'NONE', 'READY', null, null, 'run2'],
        [4, 'PRODUCTION', 'FAILED_REGISTRATION', 'copy failed', null, 'run4'],
      ]);
      expect(model.versions[1].tags).toMatchObject([{ key: 'approved', value: 'true' }]);
      expect(model.versions[2].createdAt).toEqual(new Date(T0.getTime() + 4 * 60_000));
      expect(Object.fromEntries(model.aliases.map((a) => [a.alias, a.version.version]))).toEqual({ champion: 4, challenger: 2 });
    });

    it('records one event per fact, by the importer, with the creation instants at the source', async () => {
      const events = await ctx.db.prisma.auditEvent.findMany({ where: { modelName: 'fraud' }, orderBy: { sequence: 'asc' } });
      expect(new Set(events.map((e) => e.actor))).toEqual(new Set(['import:mlflow']));
      expect(new Set(events.map((e) => e.at.getTime())).size).toBe(1);
      expect(events[0]).toMatchObject({
        action: 'MODEL_IMPORTED',
        version: 5,
        previousValue: T0.toISOString(),
        newValue: 'fraud detection',
      });
      expect(events.filter((e) => e.action === 'VERSION_IMPORTED').map((e) => [e.version, e.newValue])).toEqual([
        [1, 's3://models/fraud/1'],
        [2, 's3://models/fraud/2'],
        [4, 's3://models/fraud/4'],
      ]);
      expect(events.filter((e) => e.action === 'ALIAS_SET').map((e) => [e.alias, e.version, e.previousVersion])).toEqual([
        ['champion', 4, null],
        ['challenger', 2, null],
      ]);
    });

    it('changes nothing on a rerun of the same snapshot', async () => {
      const before = await eventCount();
      const summary = await registry.importSnapshot(IMPORTER, snapshot(fraud()));
      expect(summary).toMatchObject({ models: { unchanged: 1 }, versions: { unchanged: 3, imported: 0, updated: 0 }, events: 0 });
      expect(await eventCount()).toBe(before);
    });

    it('brings a changed source over fact by fact, and adds what is new above the high-water mark', async () => {
      const changed = fraud({
        description: 'fraud v2',
        lastVersion: 6,
        tags: [{ key: 'team', value: 'payments' }],
        aliases: [
          { alias: 'champion', version: 6 },
          { alias: 'challenger', version: 2 },
        ],
        versions: [...fraud().versions, version(6, { stage: 'STAGING' })],
      });
      const before = await eventCount();
      const summary = await registry.importSnapshot(IMPORTER, snapshot(changed));
      expect(summary).toMatchObject({ models: { updated: 1 }, versions: { imported: 1, unchanged: 3 } });
      // description, tag, v6 imported + stage, champion moved.
      expect(summary.events).toBe(5);
      expect(await eventCount()).toBe(before + 5);
      const moved = await ctx.db.prisma.auditEvent.findFirstOrThrow({
        where: { modelName: 'fraud', alias: 'champion' },
        orderBy: { sequence: 'desc' },
      });
      expect(moved).toMatchObject({ action: 'ALIAS_SET', version: 6, previousVersion: 4 });
      const model = await ctx.db.prisma.registeredModel.findUniqueOrThrow({ where: { name: 'fraud' } });
      expect(model).toMatchObject({ description: 'fraud v2', lastVersion: 6 });
      expect(summary.integrity.violations).toEqual([]);
    });

    it('continues numbering above the imported high-water mark', async () => {
      await registry.importSnapshot(IMPORTER, snapshot(fraud({ name: 'gaps', aliases: [] })));
      const created = await registry.createModelVersion(IMPORTER, { name: 'gaps', source: 's3://new' });
      expect(created.modelVersion.version).toBe(6);
    });
  });

  it('refuses a snapshot that contradicts what is here, and writes nothing', async () => {
    await registry.createRegisteredModel(IMPORTER, { name: 'native' });
    await registry.createModelVersion(IMPORTER, { name: 'native', source: 's3://here/1' });
    const before = await eventCount();
    const contradicting = fraud({ name: 'native', lastVersion: 1, aliases: [], versions: [version(1)] });
    const error = await registry.importSnapshot(IMPORTER, snapshot(fraud({ name: 'innocent' }), contradicting)).catch((e) => e);
    expect(error).toBeInstanceOf(ImportRefusedError);
    expect(error.message).toContain('model "native" version 1 is another version here (source "s3://here/1"');
    expect(await eventCount()).toBe(before);
    expect(await ctx.db.prisma.registeredModel.findUnique({ where: { name: 'innocent' } })).toBeNull();
  });

  it('refuses data our rules refuse, naming each fact, before writing', async () => {
    const bad = fraud({
      name: 'bad',
      aliases: [
        { alias: 'latest', version: 1 },
        { alias: 'ok', version: 3 },
      ],
    });
    const error = await registry.importSnapshot(IMPORTER, snapshot(bad)).catch((e) => e);
    expect(error).toBeInstanceOf(ImportRefusedError);
    expect(error.problems).toEqual([
      expect.stringContaining('model "bad" alias "latest": alias "latest" is reserved'),
      'model "bad" alias "ok": version 3 is not among its versions',
    ]);
    expect(await ctx.db.prisma.registeredModel.findUnique({ where: { name: 'bad' } })).toBeNull();
  });

  it('applies the caller’s access: models outside a token’s scope and protected aliases are refused', async () => {
    const scoped = new Access('bot', 'ADMIN', [parseNamePattern('team-a-*')], false, ProtectedAliasPolicy.parse('*=production'));
    await expect(registry.importSnapshot(scoped, snapshot(fraud({ name: 'elsewhere' })))).rejects.toBeInstanceOf(AuthError);
    const guarded = fraud({ name: 'team-a-m', aliases: [{ alias: 'production', version: 1 }] });
    await expect(registry.importSnapshot(scoped, snapshot(guarded))).rejects.toBeInstanceOf(AuthError);
    expect(await ctx.db.prisma.registeredModel.findUnique({ where: { name: 'team-a-m' } })).toBeNull();
  });
});

// MLflow's legacy stages: transitions, archive_existing_versions, their history, get-latest-versions,
// and the storage location a `models:/<name>/<version>` source resolves to (MR §2.10, §5 J).
import { expect, it } from 'vitest';
import { Access } from '../../src/auth/access.ts';
import { AuthError } from '../../src/auth/errors.ts';
import { ProtectedAliasPolicy } from '../../src/auth/protected-aliases.ts';
import type { ModelVersionStage } from '../../src/generated/prisma/client.ts';
import { createRegisteredModel } from '../../src/registry/commands/models.ts';
import { createModelVersion, deleteModelVersion, transitionModelVersionStage } from '../../src/registry/commands/versions.ts';
import { checkIntegrity } from '../../src/registry/history/integrity.ts';
import { NotFoundError, ValidationError } from '../../src/registry/rules/errors.ts';
import { downloadUri } from '../../src/registry/rules/uri.ts';
import { parseNamePattern } from '../../src/registry/rules/name-patterns.ts';
import { inTransaction, writeIn } from '../../src/registry/write.ts';
import { latestVersionsByStage, latestVersionsByStageOfModels } from '../../src/store/versions.ts';
import { describeEachDatabase } from '../support/databases.ts';
import { TEST_REGISTRY_SETTINGS, writeAs } from '../support/registry.ts';

describeEachDatabase('legacy stages', (ctx) => {
  const prisma = () => ctx.db.prisma;
  const transition = (input: Parameters<typeof transitionModelVersionStage>[1], actor = 'alice') =>
    writeAs(prisma(), actor, (w) => transitionModelVersionStage(w, input));
  const stages = async (name: string) =>
    Object.fromEntries(
      (await prisma().modelVersion.findMany({ where: { model: { name } }, orderBy: { version: 'asc' } })).map((v) => [v.version, v.stage]),
    );
  const stageEvents = (name: string) =>
    prisma().auditEvent.findMany({
      where: { modelName: name, action: 'VERSION_STAGE_CHANGED' },
      orderBy: { sequence: 'asc' },
      select: { actor: true, version: true, previousValue: true, newValue: true, at: true },
    });

  async function modelWithVersions(name: string, count: number): Promise<void> {
    await writeAs(prisma(), 'setup', async (w) => {
      await createRegisteredModel(w, { name });
      for (let i = 1; i <= count; i++) await createModelVersion(w, { name, source: `s3://b/${name}/${i}` });
    });
  }

  it('a new version is in stage NONE; a transition moves it, in any case of the stage name, and records who did it', async () => {
    await modelWithVersions('st-basic', 1);
    expect(await stages('st-basic')).toEqual({ 1: 'NONE' });
    const { modelVersion, registeredModel } = await transition({ name: 'st-basic', version: 1, stage: 'staging' });
    expect(modelVersion.stage).toBe('STAGING');
    expect(registeredModel.updatedAt).toEqual(modelVersion.updatedAt);
    await transition({ name: 'st-basic', version: 1, stage: 'pROduction' }, 'bob');
    expect(await stages('st-basic')).toEqual({ 1: 'PRODUCTION' });
    expect(await stageEvents('st-basic')).toMatchObject([
      { actor: 'alice', version: 1, previousValue: 'NONE', newValue: 'STAGING' },
      { actor: 'bob', version: 1, previousValue: 'STAGING', newValue: 'PRODUCTION' },
    ]);
  });

  it('a transition to the stage a version is in records nothing and changes no timestamp', async () => {
    await modelWithVersions('st-same', 1);
    await transition({ name: 'st-same', version: 1, stage: 'Staging' });
    const before = await prisma().modelVersion.findFirstOrThrow({ where: { model: { name: 'st-same' } }, include: { model: true } });
    const { modelVersion, registeredModel } = await transition({ name: 'st-same', version: 1, stage: 'STAGING' });
    expect(modelVersion.updatedAt).toEqual(before.updatedAt);
    expect(registeredModel.updatedAt).toEqual(before.model.updatedAt);
    expect(await stageEvents('st-same')).toHaveLength(1);
  });

  it('archiveExistingVersions moves the others in the target stage to ARCHIVED, each with its own event at the same instant (J04)', async () => {
    await modelWithVersions('st-archive', 4);
    await transition({ name: 'st-archive', version: 1, stage: 'Staging' });
    await transition({ name: 'st-archive', version: 2, stage: 'Staging' });
    await transition({ name: 'st-archive', version: 4, stage: 'Production' });
    const { modelVersion } = await transition({ name: 'st-archive', version: 3, stage: 'Staging', archiveExistingVersions: true }, 'carol');
    expect(await stages('st-archive')).toEqual({ 1: 'ARCHIVED', 2: 'ARCHIVED', 3: 'STAGING', 4: 'PRODUCTION' });
    const archived = await prisma().modelVersion.findMany({ where: { model: { name: 'st-archive' }, version: { in: [1, 2] } } });
    for (const v of archived) expect(v.updatedAt).toEqual(modelVersion.updatedAt);
    const events = (await stageEvents('st-archive')).slice(3);
    expect(events).toMatchObject([
      { actor: 'carol', version: 3, previousValue: 'NONE', newValue: 'STAGING' },
      { actor: 'carol', version: 1, previousValue: 'STAGING', newValue: 'ARCHIVED' },
      { actor: 'carol', version: 2, previousValue: 'STAGING', newValue: 'ARCHIVED' },
    ]);
    expect(new Set(events.map((e) => e.at.getTime())).size).toBe(1);
  });

  it('archiveExistingVersions archives the others even when the version is in the stage already', async () => {
    await modelWithVersions('st-archive-same', 2);
    await transition({ name: 'st-archive-same', version: 1, stage: 'Production' });
    await transition({ name: 'st-archive-same', version: 2, stage: 'Production' });
    await transition({ name: 'st-archive-same', version: 2, stage: 'Production', archiveExistingVersions: true });
    expect(await stages('st-archive-same')).toEqual({ 1: 'ARCHIVED', 2: 'PRODUCTION' });
    expect((await stageEvents('st-archive-same')).at(-1)).toMatchObject({ version: 1, previousValue: 'PRODUCTION', newValue: 'ARCHIVED' });
  });

  it('refuses an unknown stage with MLflow message (J02), and archiving into None or Archived (J03)', async () => {
    await modelWithVersions('st-invalid', 1);
    const unknown = transition({ name: 'st-invalid', version: 1, stage: 'unknown' });
    await expect(unknown).rejects.toThrow(ValidationError);
    await expect(unknown).rejects.toThrow(
      'Invalid Model Version stage: unknown. Value must be one of None, Staging, Production, Archived.',
    );
    for (const stage of ['None', 'archived']) {
      await expect(transition({ name: 'st-invalid', version: 1, stage, archiveExistingVersions: true })).rejects.toThrow(
        /cannot archive existing model versions because '(None|Archived)' is not an Active stage/,
      );
    }
    // Without archiving, None and Archived are ordinary targets.
    await transition({ name: 'st-invalid', version: 1, stage: 'archived', archiveExistingVersions: false });
    expect(await stages('st-invalid')).toEqual({ 1: 'ARCHIVED' });
  });

  it('answers NotFound for a missing model or version, and refuses a reader', async () => {
    await modelWithVersions('st-missing', 1);
    await expect(transition({ name: 'st-nope', version: 1, stage: 'Staging' })).rejects.toThrow(NotFoundError);
    await expect(transition({ name: 'st-missing', version: 9, stage: 'Staging' })).rejects.toThrow(NotFoundError);
    const reader = new Access('reader', 'READER', null, false, new ProtectedAliasPolicy([]));
    await expect(
      inTransaction(prisma(), (tx) =>
        transitionModelVersionStage(writeIn(tx, reader, TEST_REGISTRY_SETTINGS), { name: 'st-missing', version: 1, stage: 'Staging' }),
      ),
    ).rejects.toThrow(AuthError);
  });

  it('latestVersionsByStage: the highest live version per stage, all stages without a filter (J01)', async () => {
    await modelWithVersions('st-latest', 5);
    await transition({ name: 'st-latest', version: 2, stage: 'Production' });
    await transition({ name: 'st-latest', version: 3, stage: 'Production' });
    await transition({ name: 'st-latest', version: 4, stage: 'Staging' });
    await writeAs(prisma(), 'x', (w) => deleteModelVersion(w, { name: 'st-latest', version: 5 }));
    const model = await prisma().registeredModel.findUniqueOrThrow({ where: { name: 'st-latest' } });
    const latest = async (filter?: ModelVersionStage[]) =>
      (await latestVersionsByStage(ctx.db, model.id, filter)).map((v) => [v.stage, v.version]);
    expect(await latest()).toEqual([
      ['NONE', 1],
      ['STAGING', 4],
      ['PRODUCTION', 3],
    ]);
    expect(await latest([])).toEqual(await latest());
    expect(await latest(['PRODUCTION'])).toEqual([['PRODUCTION', 3]]);
    expect(await latest(['NONE', 'PRODUCTION'])).toEqual([
      ['NONE', 1],
      ['PRODUCTION', 3],
    ]);
    expect(await latest(['ARCHIVED'])).toEqual([]);
  });

  it('latestVersionsByStageOfModels: latestVersionsByStage of each model, by model, in one statement, within a scope', async () => {
    await modelWithVersions('st-many-a', 3);
    await modelWithVersions('st-many-b', 2);
    await modelWithVersions('st-many-none', 0);
    await transition({ name: 'st-many-a', version: 1, stage: 'Production' });
    await transition({ name: 'st-many-b', version: 2, stage: 'Staging' });
    const ids = await Promise.all(
      ['st-many-b', 'st-many-none', 'st-many-a'].map(
        async (name) => (await prisma().registeredModel.findUniqueOrThrow({ where: { name } })).id,
      ),
    );
    for (const filter of [undefined, [], ['PRODUCTION', 'NONE'] as ModelVersionStage[], ['ARCHIVED'] as ModelVersionStage[]]) {
      const oneByOne = [];
      for (const id of [...ids].sort((a, b) => a - b)) oneByOne.push(...(await latestVersionsByStage(ctx.db, id, filter)));
      expect(await latestVersionsByStageOfModels(ctx.db, ids, filter)).toEqual(oneByOne);
    }
    expect(await latestVersionsByStageOfModels(ctx.db, [])).toEqual([]);
    const scoped = await latestVersionsByStageOfModels(ctx.db, ids, null, [parseNamePattern('st-many-a*')]);
    expect(scoped.map((v) => [v.modelId, v.stage, v.version])).toEqual([
      [ids[2], 'NONE', 3],
      [ids[2], 'PRODUCTION', 1],
    ]);
  });

  it('a models:/name/version source stores that version location; runs:/ and models:/m- sources are kept as they are', async () => {
    await writeAs(prisma(), 'setup', async (w) => {
      await createRegisteredModel(w, { name: 'st-src' });
      await createModelVersion(w, { name: 'st-src', source: 's3://b/st-src/1' });
      await createModelVersion(w, { name: 'st-src', source: 'runs:/abc123/model' });
      await createModelVersion(w, { name: 'st-src', source: 'models:/m-0123456789abcdef' });
      await createRegisteredModel(w, { name: 'st-copy' });
    });
    const copy = (source: string) => writeAs(prisma(), 'x', (w) => createModelVersion(w, { name: 'st-copy', source }));
    const first = (await copy('models:/st-src/1')).modelVersion;
    expect(first).toMatchObject({ source: 'models:/st-src/1', storageLocation: 's3://b/st-src/1' });
    // A copy of a copy resolves to the original location, not to the intermediate models:/ URI.
    const second = (await copy('models:/st-copy/1')).modelVersion;
    expect(second.storageLocation).toBe('s3://b/st-src/1');
    expect(downloadUri(second)).toBe('s3://b/st-src/1');
    for (const source of ['runs:/abc123/model', 'models:/m-0123456789abcdef', 's3://b/other', 'models:/st-src@champion']) {
      const v = (await copy(source)).modelVersion;
      expect(v).toMatchObject({ source, storageLocation: null });
      expect(downloadUri(v)).toBe(source);
    }
    await expect(copy('models:/st-src/99')).rejects.toThrow(NotFoundError);
    await expect(copy('models:/st-none/1')).rejects.toThrow(NotFoundError);
  });

  it('the integrity check replays every stage change and agrees with the stored stages', async () => {
    const report = await checkIntegrity(prisma());
    expect(report.violations).toEqual([]);
    expect(await prisma().auditEvent.count({ where: { action: 'VERSION_STAGE_CHANGED' } })).toBeGreaterThan(10);
    await prisma()
      .$executeRaw`UPDATE model_version SET stage = 'NONE' WHERE version = 3 AND model_id = (SELECT id FROM registered_model WHERE name = 'st-archive')`;
    const corrupted = await checkIntegrity(prisma());
    expect(corrupted.violations.map((v) => v.message)).toEqual([
      'version 3 of model "st-archive": stage is "NONE", history says "STAGING"',
    ]);
  });
});

// MLflow's legacy stages over GraphQL: the stage and storageLocation fields, transitionModelVersionStage
// and its typed errors, and the VERSION_STAGE_CHANGED events it records.
import { expect, it } from 'vitest';
import { describeEachDatabase } from '../support/databases.ts';
import { expectError, uniqueName, useApi } from './helpers.ts';

describeEachDatabase('API: legacy stages', (ctx) => {
  const api = useApi(ctx);
  const stageOf = async (name: string, version: number) =>
    (
      await api.data(`query V($name: String!, $version: Int!) { modelVersion(name: $name, version: $version) { stage storageLocation } }`, {
        name,
        version,
      })
    ).modelVersion;

  it('a new version is in stage NONE with no storageLocation; a models:/name/version copy stores the location', async () => {
    const name = uniqueName('stage-fields');
    await api.createModel(name, 1);
    expect(await stageOf(name, 1)).toEqual({ stage: 'NONE', storageLocation: null });
    const copy = await api.ok(
      'createModelVersion',
      { name, source: `models:/${name}/1` },
      '... on ModelVersionPayload { modelVersion { source storageLocation } }',
    );
    expect(copy.modelVersion).toEqual({ source: `models:/${name}/1`, storageLocation: `s3://${name}/1` });
    const missing = await api.mutate('createModelVersion', { name, source: `models:/${name}/7` }, '__typename');
    expectError(missing, 'NotFoundError', { message: ['version 7', `"${name}"`] });
  });

  it('transitionModelVersionStage moves the version, archives the others on request, and records each move', async () => {
    const name = uniqueName('stage-transition');
    await api.createModel(name, 3);
    const first = await api.ok('transitionModelVersionStage', { name, version: 1, stage: 'PRODUCTION' });
    expect(first.modelVersion).toMatchObject({ version: 1, stage: 'PRODUCTION', storageLocation: null });
    await api.ok('transitionModelVersionStage', { name, version: 2, stage: 'PRODUCTION' });
    const third = await api.ok('transitionModelVersionStage', { name, version: 3, stage: 'PRODUCTION', archiveExistingVersions: true });
    expect(third.modelVersion.stage).toBe('PRODUCTION');
    expect(await stageOf(name, 1)).toMatchObject({ stage: 'ARCHIVED' });
    expect(await stageOf(name, 2)).toMatchObject({ stage: 'ARCHIVED' });
    const events = (await api.eventsOf(name)).filter((e) => e.action === 'VERSION_STAGE_CHANGED');
    expect(events.map((e) => [e.version, e.previousValue, e.newValue])).toEqual([
      [1, 'NONE', 'PRODUCTION'],
      [2, 'NONE', 'PRODUCTION'],
      [3, 'NONE', 'PRODUCTION'],
      [1, 'PRODUCTION', 'ARCHIVED'],
      [2, 'PRODUCTION', 'ARCHIVED'],
    ]);
    // Moving it to where it is changes nothing and records nothing.
    await api.unchanged([name], () => api.ok('transitionModelVersionStage', { name, version: 3, stage: 'PRODUCTION' }));
  });

  it('answers typed errors: archiving into NONE or ARCHIVED, a missing version or model', async () => {
    const name = uniqueName('stage-errors');
    await api.createModel(name, 1);
    await api.unchanged([name], async () => {
      for (const stage of ['NONE', 'ARCHIVED']) {
        const result = await api.mutate('transitionModelVersionStage', { name, version: 1, stage, archiveExistingVersions: true });
        expectError(result, 'ValidationError', { field: 'archiveExistingVersions', message: ['is not an Active stage'] });
      }
      expectError(await api.mutate('transitionModelVersionStage', { name, version: 2, stage: 'STAGING' }), 'NotFoundError', {
        message: ['version 2', `"${name}"`],
      });
      expectError(await api.mutate('transitionModelVersionStage', { name: `${name}-nope`, version: 1, stage: 'STAGING' }), 'NotFoundError');
    });
  });

  it('refuses a stage outside the enum before the registry is asked', async () => {
    const response = await api.request(
      `mutation { transitionModelVersionStage(input: { name: "x", version: 1, stage: Unknown }) { __typename } }`,
    );
    expect(response.errors?.[0]?.message).toMatch(/Unknown/);
  });
});

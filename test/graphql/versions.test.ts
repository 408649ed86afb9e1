// Model versions over GraphQL: create, update, delete; numbering; latestVersion; updatedAt.
import { describe, expect, it } from 'vitest';
import { describeEachDatabase } from '../support/databases.ts';
import { VERSION_FIELDS, expectError, ms, sleep, uniqueName, useApi } from './helpers.ts';

describeEachDatabase('API: model versions', (ctx) => {
  const api = useApi(ctx);

  const numbers = async (name: string) => (await api.modelState(name)).versions.nodes.map((v: any) => v.version);
  const latest = async (name: string) => (await api.modelState(name)).latestVersion?.version ?? null;

  describe('createModelVersion', () => {
    it('returns the new version with every field and records it with its tags', async () => {
      const name = uniqueName('create-version');
      await api.createModel(name);
      const model = await api.modelState(name);
      await sleep(5);
      const result = await api.ok('createModelVersion', {
        name,
        source: 's3://bucket/fraud/1',
        runId: 'run-42',
        runLink: 'https://mlflow.example/runs/42',
        description: 'first cut',
        tags: [
          { key: 'validated', value: 'yes' },
          { key: 'accuracy', value: '0.93' },
        ],
      });
      const v = result.modelVersion;
      expect(v).toEqual({
        id: expect.any(String),
        version: 1,
        source: 's3://bucket/fraud/1',
        runId: 'run-42',
        runLink: 'https://mlflow.example/runs/42',
        description: 'first cut',
        status: 'READY',
        statusMessage: null,
        createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
        updatedAt: v.createdAt,
        tags: [
          { key: 'accuracy', value: '0.93' },
          { key: 'validated', value: 'yes' },
        ],
        aliases: [],
        model: { name },
      });
      const read = await api.data(`query V($name: String!) { modelVersion(name: $name, version: 1) { ${VERSION_FIELDS} } }`, { name });
      expect(read.modelVersion).toEqual(v);

      // The model moved with it.
      const after = await api.modelState(name);
      expect(ms(after.updatedAt)).toBeGreaterThan(ms(model.updatedAt));
      expect(after.updatedAt).toBe(v.createdAt);
      expect(after.latestVersion).toEqual({ version: 1 });

      const events = (await api.eventsOf(name)).filter((e) => e.action !== 'MODEL_CREATED');
      expect(events.map((e) => [e.action, e.version, e.key, e.previousValue, e.newValue, e.alias, e.previousVersion])).toEqual([
        ['VERSION_CREATED', 1, null, null, 's3://bucket/fraud/1', null, null],
        ['VERSION_TAG_SET', 1, 'validated', null, 'yes', null, null],
        ['VERSION_TAG_SET', 1, 'accuracy', null, '0.93', null, null],
      ]);
    });

    it('accepts a minimal version: source only', async () => {
      const name = uniqueName('minimal-version');
      await api.createModel(name);
      const { modelVersion } = await api.ok('createModelVersion', { name, source: 'runs:/abc/model' });
      expect(modelVersion).toMatchObject({
        version: 1,
        source: 'runs:/abc/model',
        runId: null,
        runLink: null,
        description: null,
        status: 'READY',
        statusMessage: null,
        tags: [],
        aliases: [],
      });
    });

    it('numbers versions 1, 2, 3 and never reuses a number after a delete', async () => {
      const name = uniqueName('numbering');
      await api.createModel(name, 3);
      expect(await numbers(name)).toEqual([1, 2, 3]);
      await api.ok('deleteModelVersion', { name, version: 3 });
      expect(await latest(name)).toBe(2);
      const fourth = await api.ok('createModelVersion', { name, source: 's3://x/4' });
      expect(fourth.modelVersion.version).toBe(4);
      await api.ok('deleteModelVersion', { name, version: 4 });
      await api.ok('deleteModelVersion', { name, version: 1 });
      expect(await numbers(name)).toEqual([2]);
      expect(await latest(name)).toBe(2);
      const fifth = await api.ok('createModelVersion', { name, source: 's3://x/5' });
      expect(fifth.modelVersion.version).toBe(5);
      expect(await numbers(name)).toEqual([2, 5]);
      expect(await latest(name)).toBe(5);
      // Deleting every version: no latest, and the next number still continues.
      await api.ok('deleteModelVersion', { name, version: 2 });
      await api.ok('deleteModelVersion', { name, version: 5 });
      expect(await latest(name)).toBeNull();
      expect((await api.ok('createModelVersion', { name, source: 's3://x/6' })).modelVersion.version).toBe(6);
    });

    it('numbers concurrent creates 1..N exactly, each recorded once', async () => {
      const name = uniqueName('race-numbers');
      await api.createModel(name);
      const results = await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          api.ok(
            'createModelVersion',
            { name, source: `s3://race/${i}` },
            '... on ModelVersionPayload { modelVersion { version source } }',
          ),
        ),
      );
      expect(results.map((r) => r.modelVersion.version).sort((a, b) => a - b)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
      const created = (await api.eventsOf(name)).filter((e) => e.action === 'VERSION_CREATED');
      expect(created.map((e) => e.version)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
      // Each event names the source its version got.
      const sourceOf = new Map(results.map((r) => [r.modelVersion.version, r.modelVersion.source]));
      expect(created.every((e) => e.newValue === sourceOf.get(e.version))).toBe(true);
    });

    it('numbers each model on its own', async () => {
      const a = uniqueName('own-a');
      const b = uniqueName('own-b');
      await api.createModel(a, 2);
      await api.createModel(b, 1);
      expect(await numbers(a)).toEqual([1, 2]);
      expect(await numbers(b)).toEqual([1]);
    });

    it('NotFoundError naming the model when it does not exist', async () => {
      const name = uniqueName('no-model');
      const result = await api.unchanged([name], () => api.mutate('createModelVersion', { name, source: 's3://x' }));
      expectError(result, 'NotFoundError', { message: [`"${name}"`] });
    });

    it.each([
      ['an empty source', { source: '' }, 'source'],
      ['a source over 4,096 characters', { source: 's'.repeat(4097) }, 'source'],
      ['a runId over 256 characters', { runId: 'r'.repeat(257) }, 'runId'],
      ['a runId with a NUL character', { runId: 'run\u0000' }, 'runId'],
      ['a runLink over 4,096 characters', { runLink: 'l'.repeat(4097) }, 'runLink'],
      ['a description over 65,536 characters', { description: 'd'.repeat(65_537) }, 'description'],
      [
        'a bad key in the second tag',
        {
          tags: [
            { key: 'a', value: '1' },
            { key: '/abs', value: '2' },
          ],
        },
        'tags[1].key',
      ],
      ['a tag value over 100,000 characters', { tags: [{ key: 'a', value: 'v'.repeat(100_001) }] }, 'tags[0].value'],
    ])('ValidationError for %s; nothing written', async (_what, extra, field) => {
      const name = uniqueName('version-invalid');
      await api.createModel(name, 1);
      const result = await api.unchanged([name], () => api.mutate('createModelVersion', { name, source: 's3://ok', ...extra }));
      expectError(result, 'ValidationError', { field });
      expect(await numbers(name)).toEqual([1]);
      // The rejected attempt did not use up a number.
      expect((await api.ok('createModelVersion', { name, source: 's3://ok' })).modelVersion.version).toBe(2);
    });

    it('accepts the limits exactly', async () => {
      const name = uniqueName('version-limits');
      await api.createModel(name);
      const { modelVersion } = await api.ok('createModelVersion', {
        name,
        source: 's'.repeat(4096),
        runId: 'r'.repeat(256),
        runLink: 'l'.repeat(4096),
      });
      expect([modelVersion.source.length, modelVersion.runId.length, modelVersion.runLink.length]).toEqual([4096, 256, 4096]);
    });
  });

  describe('updateModelVersion', () => {
    it('changes status and statusMessage, records one VERSION_UPDATED per field, moves both updatedAt', async () => {
      const name = uniqueName('update-version');
      await api.createModel(name, 2);
      const before = await api.modelState(name);
      const v1 = before.versions.nodes[0];
      await sleep(5);
      const result = await api.ok('updateModelVersion', {
        name,
        version: 1,
        status: 'FAILED_REGISTRATION',
        statusMessage: 'artifact upload failed',
      });
      const updated = result.modelVersion;
      expect(updated).toEqual({
        ...v1,
        status: 'FAILED_REGISTRATION',
        statusMessage: 'artifact upload failed',
        updatedAt: expect.any(String),
      });
      expect(ms(updated.updatedAt)).toBeGreaterThan(ms(v1.updatedAt));
      const after = await api.modelState(name);
      expect(after.updatedAt).toBe(updated.updatedAt);
      // The other version is untouched.
      expect(after.versions.nodes[1]).toEqual(before.versions.nodes[1]);

      const events = (await api.eventsOf(name)).filter((e) => e.action === 'VERSION_UPDATED');
      expect(
        events.map((e) => [e.version, e.key, e.previousValue, e.newValue]).sort((x, y) => String(x[1]).localeCompare(String(y[1]))),
      ).toEqual([
        [1, 'status', 'READY', 'FAILED_REGISTRATION'],
        [1, 'statusMessage', null, 'artifact upload failed'],
      ]);
      expect(events.every((e) => e.at === updated.updatedAt)).toBe(true);
    });

    it('leaves omitted fields, clears null ones, and records nothing for a no-op', async () => {
      const name = uniqueName('update-partial');
      await api.createModel(name);
      await api.ok('createModelVersion', { name, source: 's3://p', description: 'desc' });
      await api.ok('updateModelVersion', { name, version: 1, status: 'PENDING_REGISTRATION', statusMessage: 'copying' });
      const start = (await api.modelState(name)).versions.nodes[0];
      expect(start).toMatchObject({ description: 'desc', status: 'PENDING_REGISTRATION', statusMessage: 'copying' });

      // Only the description changes.
      await sleep(5);
      const described = await api.ok('updateModelVersion', { name, version: 1, description: 'better' });
      expect(described.modelVersion).toEqual({ ...start, description: 'better', updatedAt: expect.any(String) });

      // Nothing given, or the same values again: nothing changes, nothing recorded.
      for (const input of [
        { name, version: 1 },
        { name, version: 1, status: 'PENDING_REGISTRATION', statusMessage: 'copying', description: 'better' },
      ]) {
        const same = await api.unchanged([name], () => api.ok('updateModelVersion', input));
        expect(same.modelVersion).toEqual(described.modelVersion);
      }

      // null clears the text fields; status stays.
      const cleared = await api.ok('updateModelVersion', { name, version: 1, statusMessage: null, description: null });
      expect(cleared.modelVersion).toMatchObject({ description: null, statusMessage: null, status: 'PENDING_REGISTRATION' });
      const ready = await api.ok('updateModelVersion', { name, version: 1, status: 'READY' });
      expect(ready.modelVersion).toMatchObject({ description: null, statusMessage: null, status: 'READY' });

      const events = (await api.eventsOf(name)).filter((e) => e.action === 'VERSION_UPDATED');
      const changes = events.slice(2).map((e) => [e.key, e.previousValue, e.newValue]);
      expect(changes).toHaveLength(4);
      expect(changes[0]).toEqual(['description', 'desc', 'better']);
      // One mutation, two fields: two events, in any order.
      expect([changes[1], changes[2]].sort()).toEqual([
        ['description', 'better', null],
        ['statusMessage', 'copying', null],
      ]);
      expect(changes[3]).toEqual(['status', 'PENDING_REGISTRATION', 'READY']);
    });

    it('NotFoundError naming the version, or the model, when missing', async () => {
      const name = uniqueName('update-missing');
      await api.createModel(name, 2);
      await api.ok('deleteModelVersion', { name, version: 2 });
      for (const version of [2, 3]) {
        const result = await api.unchanged([name], () =>
          api.mutate('updateModelVersion', { name, version, status: 'READY', description: 'x' }),
        );
        expectError(result, 'NotFoundError', { message: [`version ${version}`, `"${name}"`] });
      }
      const ghost = uniqueName('update-ghost');
      const result = await api.unchanged([name], () => api.mutate('updateModelVersion', { name: ghost, version: 1, description: 'x' }));
      expectError(result, 'NotFoundError', { message: [`"${ghost}"`] });
    });

    it.each([
      ['statusMessage', { statusMessage: 'm'.repeat(4097) }],
      ['description', { description: 'd'.repeat(65_537) }],
    ])('ValidationError on %s when too long; nothing written', async (field, extra) => {
      const name = uniqueName('update-invalid');
      await api.createModel(name, 1);
      const result = await api.unchanged([name], () =>
        api.mutate('updateModelVersion', { name, version: 1, status: 'FAILED_REGISTRATION', ...extra }),
      );
      expectError(result, 'ValidationError', { field });
    });
  });

  describe('deleteModelVersion', () => {
    it('removes the version and its aliases, records each ALIAS_DELETED with previousVersion', async () => {
      const name = uniqueName('delete-version');
      await api.createModel(name, 3);
      for (const alias of ['zeta', 'alpha', 'mid']) await api.ok('setModelAlias', { name, alias, version: 2 });
      await api.ok('setModelAlias', { name, alias: 'other', version: 3 });
      await api.ok('setModelVersionTag', { name, version: 2, key: 'k', value: 'v' });
      const before = await api.modelState(name);
      const sequence = await api.lastSequence();
      await sleep(5);

      const result = await api.ok('deleteModelVersion', { name, version: 2 });
      expect(result).toEqual({ __typename: 'DeleteModelVersionPayload', name, version: 2, removedAliases: ['alpha', 'mid', 'zeta'] });

      const after = await api.modelState(name);
      expect(after.versions.nodes.map((v: any) => [v.version, v.aliases])).toEqual([
        [1, []],
        [3, ['other']],
      ]);
      expect(after.aliases.map((a: any) => a.alias)).toEqual(['other']);
      expect(ms(after.updatedAt)).toBeGreaterThan(ms(before.updatedAt));
      const lookups = await api.data(
        `query L($name: String!) {
          modelVersion(name: $name, version: 2) { version }
          registeredModel(name: $name) { alpha: versionByAlias(alias: "alpha") { version } other: versionByAlias(alias: "other") { version } }
        }`,
        { name },
      );
      expect(lookups).toEqual({ modelVersion: null, registeredModel: { alpha: null, other: { version: 3 } } });

      const events = (await api.eventsOf(name)).filter((e) => e.sequence > sequence);
      const aliasEvents = events.filter((e) => e.action === 'ALIAS_DELETED');
      expect(aliasEvents.map((e) => [e.alias, e.previousVersion]).sort()).toEqual([
        ['alpha', 2],
        ['mid', 2],
        ['zeta', 2],
      ]);
      const deleted = events.filter((e) => e.action === 'VERSION_DELETED');
      expect(deleted).toHaveLength(1);
      expect(deleted[0]).toMatchObject({ version: 2, alias: null, previousVersion: null, modelName: name, actor: null });
      expect(events).toHaveLength(4);
      expect(events.every((e) => e.at === after.updatedAt)).toBe(true);
    });

    it('removedAliases is empty for a version without aliases', async () => {
      const name = uniqueName('delete-plain');
      await api.createModel(name, 1);
      expect(await api.ok('deleteModelVersion', { name, version: 1 })).toEqual({
        __typename: 'DeleteModelVersionPayload',
        name,
        version: 1,
        removedAliases: [],
      });
      const events = await api.eventsOf(name);
      expect(events.map((e) => e.action)).toEqual(['MODEL_CREATED', 'VERSION_CREATED', 'VERSION_DELETED']);
    });

    it('NotFoundError naming the version (unknown or already deleted) or the model', async () => {
      const name = uniqueName('delete-missing');
      await api.createModel(name, 1);
      await api.ok('deleteModelVersion', { name, version: 1 });
      for (const version of [1, 2]) {
        const result = await api.unchanged([name], () => api.mutate('deleteModelVersion', { name, version }));
        expectError(result, 'NotFoundError', { message: [`version ${version}`, `"${name}"`] });
      }
      const ghost = uniqueName('delete-ghost');
      const result = await api.unchanged([ghost], () => api.mutate('deleteModelVersion', { name: ghost, version: 1 }));
      expectError(result, 'NotFoundError', { message: [`"${ghost}"`] });
    });
  });

  describe('several mutations in one request', () => {
    it('run in order, each payload showing the state right after it; a typed error does not stop the rest', async () => {
      const name = uniqueName('multi');
      const response = await api.request(
        `mutation M($name: String!) {
          a: createRegisteredModel(input: { name: $name }) {
            __typename ... on RegisteredModelPayload { registeredModel { latestVersion { version } aliases { alias } } }
          }
          b: createModelVersion(input: { name: $name, source: "s3://m/1" }) {
            __typename ... on ModelVersionPayload { modelVersion { version aliases model { latestVersion { version } } } }
          }
          c: setModelAlias(input: { name: $name, alias: "prod", version: 1 }) {
            __typename ... on SetModelAliasPayload { alias { model { aliases { alias } } version { aliases } } }
          }
          d: setModelAlias(input: { name: $name, alias: "prod", version: 9 }) { __typename ... on NotFoundError { code } }
          e: createModelVersion(input: { name: $name, source: "s3://m/2" }) {
            __typename ... on ModelVersionPayload { modelVersion { version aliases model { latestVersion { version } aliases { version { version } } } } }
          }
          f: deleteModelAlias(input: { name: $name, alias: "prod" }) {
            __typename ... on DeleteModelAliasPayload { registeredModel { aliases { alias } } previousVersion { version aliases } }
          }
        }`,
        { name },
      );
      expect(response.errors).toBeUndefined();
      expect(response.data).toEqual({
        a: { __typename: 'RegisteredModelPayload', registeredModel: { latestVersion: null, aliases: [] } },
        b: { __typename: 'ModelVersionPayload', modelVersion: { version: 1, aliases: [], model: { latestVersion: { version: 1 } } } },
        c: { __typename: 'SetModelAliasPayload', alias: { model: { aliases: [{ alias: 'prod' }] }, version: { aliases: ['prod'] } } },
        d: { __typename: 'NotFoundError', code: 'NOT_FOUND' },
        e: {
          __typename: 'ModelVersionPayload',
          modelVersion: { version: 2, aliases: [], model: { latestVersion: { version: 2 }, aliases: [{ version: { version: 1 } }] } },
        },
        f: { __typename: 'DeleteModelAliasPayload', registeredModel: { aliases: [] }, previousVersion: { version: 1, aliases: [] } },
      });
    });
  });

  describe('latestVersion and lookups', () => {
    it('latestVersion is the highest existing number, everywhere it appears', async () => {
      const name = uniqueName('latest');
      await api.createModel(name, 3);
      await api.ok('setModelAlias', { name, alias: 'champion', version: 3 });
      await api.ok('deleteModelVersion', { name, version: 3 });
      const data = await api.data(
        `query L($name: String!, $uri: String!) {
          registeredModel(name: $name) { latestVersion { version aliases source } }
          resolveModelUri(uri: $uri) { version }
        }`,
        { name, uri: `models:/${name}/latest` },
      );
      expect(data).toEqual({
        registeredModel: { latestVersion: { version: 2, aliases: [], source: `s3://${name}/2` } },
        resolveModelUri: { version: 2 },
      });
    });

    it('modelVersion(name, version) is null for an unknown model or version', async () => {
      const name = uniqueName('lookup');
      await api.createModel(name, 1);
      const data = await api.data(
        `query L($name: String!, $ghost: String!) {
          known: modelVersion(name: $name, version: 1) { version model { name } }
          unknownVersion: modelVersion(name: $name, version: 2) { version }
          unknownModel: modelVersion(name: $ghost, version: 1) { version }
        }`,
        { name, ghost: uniqueName('ghost') },
      );
      expect(data).toEqual({ known: { version: 1, model: { name } }, unknownVersion: null, unknownModel: null });
    });
  });
});

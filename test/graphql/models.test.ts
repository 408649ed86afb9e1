// Registered models over GraphQL: create, update, rename, delete, and the lookups by name.
import { describe, expect, it } from 'vitest';
import { describeEachDatabase } from '../support/databases.ts';
import { EVENT_FIELDS, MODEL_FIELDS, VERSION_FIELDS, expectError, ms, sleep, uniqueName, useApi } from './helpers.ts';

describeEachDatabase('API: registered models', (ctx) => {
  const api = useApi(ctx);

  const MODEL = `query M($name: String!) { registeredModel(name: $name) { ${MODEL_FIELDS} } }`;
  const model = async (name: string) => (await api.data(MODEL, { name })).registeredModel;

  describe('createRegisteredModel', () => {
    it('returns the new model with every field, tags sorted by key', async () => {
      const name = uniqueName('create');
      const before = await api.lastSequence();
      const result = await api.ok('createRegisteredModel', {
        name,
        description: 'fraud detector',
        tags: [
          { key: 'team', value: 'risk' },
          { key: 'approved', value: '' },
          { key: 'task', value: 'classification' },
        ],
      });
      const m = result.registeredModel;
      expect(m).toEqual({
        id: expect.any(String),
        name,
        description: 'fraud detector',
        createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
        updatedAt: m.createdAt,
        tags: [
          { key: 'approved', value: '' },
          { key: 'task', value: 'classification' },
          { key: 'team', value: 'risk' },
        ],
        aliases: [],
        latestVersion: null,
      });
      // The same model is what a later read returns, by name and by id.
      expect(await model(name)).toEqual(m);
      const byId = await api.data(`query N($id: ID!) { node(id: $id) { __typename ... on RegisteredModel { name } } }`, { id: m.id });
      expect(byId.node).toEqual({ __typename: 'RegisteredModel', name });
      // One MODEL_CREATED, then one MODEL_TAG_SET per tag, in input order.
      const events = await api.eventsOf(name);
      expect(events.map((e) => [e.action, e.key, e.previousValue, e.newValue])).toEqual([
        ['MODEL_CREATED', null, null, 'fraud detector'],
        ['MODEL_TAG_SET', 'team', null, 'risk'],
        ['MODEL_TAG_SET', 'approved', null, ''],
        ['MODEL_TAG_SET', 'task', null, 'classification'],
      ]);
      expect(events[0].sequence).toBeGreaterThan(before);
      for (const e of events) expect(e).toMatchObject({ actor: null, modelName: name, model: { name }, version: null, alias: null });
    });

    it('accepts a minimal model: no description, no tags', async () => {
      const name = uniqueName('minimal');
      const { registeredModel } = await api.ok('createRegisteredModel', { name });
      expect(registeredModel).toMatchObject({ name, description: null, tags: [], aliases: [], latestVersion: null });
      const events = await api.eventsOf(name);
      expect(events.map((e) => [e.action, e.newValue])).toEqual([['MODEL_CREATED', null]]);
    });

    it.each([
      ['a name of 256 characters', () => 'n'.repeat(250) + Math.random().toString(36).slice(2, 8)],
      ['a name with @ (URIs split on the last @)', () => uniqueName('team@fraud')],
      ['a name with Unicode letters and inner spaces', () => uniqueName('ñandú modelo')],
      // Characters are code points: 256 letters outside the BMP are 512 UTF-16 units.
      ['a name of 256 astral-plane letters', () => '𝒜'.repeat(250) + Math.random().toString(36).slice(2, 8)],
    ])('accepts %s', async (_what, makeName) => {
      const name = makeName();
      const { registeredModel } = await api.ok(
        'createRegisteredModel',
        { name },
        '... on RegisteredModelPayload { registeredModel { name } }',
      );
      expect(registeredModel.name).toBe(name);
      expect((await model(name)).name).toBe(name);
    });

    it.each([
      ['empty', ''],
      ['with "/"', 'team/fraud'],
      ['with ":"', 'fraud:v1'],
      ['with a leading space', ' fraud'],
      ['with a trailing space', 'fraud '],
      ['with a control character', 'fraud\u0007'],
      ['with a NUL character', 'fraud\u0000x'],
      ['of 257 characters', 'n'.repeat(257)],
      ['of 257 astral-plane letters', '𝒜'.repeat(257)],
      ['with an unpaired surrogate', 'fraud\uD800x'],
    ])('rejects a name %s: ValidationError on name, nothing written', async (_what, name) => {
      const result = await api.unchanged([name.replace(/\u0000/g, '')], () => api.mutate('createRegisteredModel', { name }));
      expectError(result, 'ValidationError', { field: 'name' });
      expect(await model(name)).toBeNull();
    });

    it.each([
      ['description over 65,536 characters', { description: 'd'.repeat(65_537) }, 'description'],
      [
        'a bad key in the second tag',
        {
          tags: [
            { key: 'ok', value: '1' },
            { key: 'a//b', value: '2' },
          ],
        },
        'tags[1].key',
      ],
      ['an empty key in the first tag', { tags: [{ key: '', value: '1' }] }, 'tags[0].key'],
      ['a value over 100,000 characters', { tags: [{ key: 'big', value: 'v'.repeat(100_001) }] }, 'tags[0].value'],
      [
        'a key given twice',
        {
          tags: [
            { key: 'k', value: '1' },
            { key: 'x', value: '2' },
            { key: 'k', value: '3' },
          ],
        },
        'tags[2].key',
      ],
    ])('rejects %s: ValidationError naming the field, nothing written', async (_what, extra, field) => {
      const name = uniqueName('invalid');
      const result = await api.unchanged([name], () => api.mutate('createRegisteredModel', { name, ...extra }));
      expectError(result, 'ValidationError', { field });
      expect(await model(name)).toBeNull();
      expect(await api.eventsOf(name)).toEqual([]);
    });

    it('accepts the limits exactly: description of 65,536 and tag value of 100,000 characters', async () => {
      const name = uniqueName('limits');
      const result = await api.ok(
        'createRegisteredModel',
        { name, description: 'd'.repeat(65_536), tags: [{ key: 'k'.repeat(250), value: 'v'.repeat(100_000) }] },
        '... on RegisteredModelPayload { registeredModel { description tags { key value } } }',
      );
      expect(result.registeredModel.description).toHaveLength(65_536);
      expect(result.registeredModel.tags).toEqual([{ key: 'k'.repeat(250), value: 'v'.repeat(100_000) }]);
    });

    it('AlreadyExistsError for a taken name; the existing model is untouched', async () => {
      const name = uniqueName('taken');
      await api.createModel(name, 1, { description: 'original', tags: [{ key: 'a', value: '1' }] });
      const result = await api.unchanged([name], () =>
        api.mutate('createRegisteredModel', { name, description: 'impostor', tags: [{ key: 'b', value: '2' }] }),
      );
      expectError(result, 'AlreadyExistsError', { message: [name] });
    });
  });

  describe('concurrent writers', () => {
    it('concurrent creates of one name: exactly one model, the others AlreadyExistsError', async () => {
      const name = uniqueName('race-create');
      const results = await Promise.all(
        Array.from({ length: 8 }, (_, i) => api.mutate('createRegisteredModel', { name, description: `writer ${i}` })),
      );
      const kinds = results.map((r) => r.__typename).sort();
      expect(kinds).toEqual(['AlreadyExistsError', ...Array(6).fill('AlreadyExistsError'), 'RegisteredModelPayload'].sort());
      const winner = results.find((r) => r.__typename === 'RegisteredModelPayload').registeredModel;
      expect((await model(name)).description).toBe(winner.description);
      expect((await api.eventsOf(name)).map((e) => [e.action, e.newValue])).toEqual([['MODEL_CREATED', winner.description]]);
    });

    it('concurrent renames to one new name: exactly one wins, the others keep their names', async () => {
      const target = uniqueName('race-target');
      const sources = Array.from({ length: 5 }, () => uniqueName('race-source'));
      for (const name of sources) await api.createModel(name, 1);
      const results = await Promise.all(sources.map((name) => api.mutate('renameRegisteredModel', { name, newName: target })));
      expect(results.filter((r) => r.__typename === 'RegisteredModelPayload')).toHaveLength(1);
      expect(results.filter((r) => r.__typename === 'AlreadyExistsError')).toHaveLength(4);
      const winner = sources[results.findIndex((r) => r.__typename === 'RegisteredModelPayload')];
      for (const name of sources) expect((await model(name))?.name ?? null).toBe(name === winner ? null : name);
      expect((await api.modelState(target)).versions.nodes.map((v: any) => v.source)).toEqual([`s3://${winner}/1`]);
    });

    it('a version created while its model is deleted either lands before the delete or gets NotFoundError', async () => {
      const name = uniqueName('race-delete');
      await api.createModel(name, 1);
      const [created, deleted] = await Promise.all([
        api.mutate('createModelVersion', { name, source: 's3://late' }),
        api.mutate('deleteRegisteredModel', { name }),
      ]);
      expect(deleted.__typename).toBe('DeleteRegisteredModelPayload');
      expect(['ModelVersionPayload', 'NotFoundError']).toContain(created.__typename);
      expect(deleted.deletedVersions).toBe(created.__typename === 'ModelVersionPayload' ? 2 : 1);
      expect(await model(name)).toBeNull();
    });
  });

  describe('updateRegisteredModel', () => {
    it('sets, keeps (description omitted) and clears (null) the description, recording each change', async () => {
      const name = uniqueName('update');
      await api.createModel(name, 0, { description: 'first' });
      const created = await model(name);
      await sleep(5);

      const set = await api.ok('updateRegisteredModel', { name, description: 'second' });
      expect(set.registeredModel).toEqual({ ...created, description: 'second', updatedAt: expect.any(String) });
      expect(ms(set.registeredModel.updatedAt)).toBeGreaterThan(ms(created.updatedAt));
      expect(set.registeredModel.createdAt).toBe(created.createdAt);

      // Omitted: left as it is, nothing recorded, updatedAt unchanged.
      const kept = await api.unchanged([name], () => api.ok('updateRegisteredModel', { name }));
      expect(kept.registeredModel).toEqual(set.registeredModel);

      // The same value again: nothing changes either.
      const same = await api.unchanged([name], () => api.ok('updateRegisteredModel', { name, description: 'second' }));
      expect(same.registeredModel).toEqual(set.registeredModel);

      await sleep(5);
      const cleared = await api.ok('updateRegisteredModel', { name, description: null });
      expect(cleared.registeredModel.description).toBeNull();
      expect(ms(cleared.registeredModel.updatedAt)).toBeGreaterThan(ms(set.registeredModel.updatedAt));
      expect(await model(name)).toEqual(cleared.registeredModel);

      const events = (await api.eventsOf(name)).filter((e) => e.action === 'MODEL_UPDATED');
      expect(events.map((e) => [e.key, e.previousValue, e.newValue, e.version, e.alias])).toEqual([
        ['description', 'first', 'second', null, null],
        ['description', 'second', null, null, null],
      ]);
      expect(events[0].at).toBe(set.registeredModel.updatedAt);
    });

    it('NotFoundError naming the model when it does not exist', async () => {
      const name = uniqueName('ghost');
      const result = await api.unchanged([name], () => api.mutate('updateRegisteredModel', { name, description: 'x' }));
      expectError(result, 'NotFoundError', { message: [`"${name}"`] });
      expect(result.message).toMatch(/not found/);
    });

    it('ValidationError on description when it is too long, nothing written', async () => {
      const name = uniqueName('update-invalid');
      await api.createModel(name, 0, { description: 'keep' });
      const result = await api.unchanged([name], () => api.mutate('updateRegisteredModel', { name, description: 'd'.repeat(65_537) }));
      expectError(result, 'ValidationError', { field: 'description' });
    });
  });

  describe('renameRegisteredModel', () => {
    it('carries versions, tags, aliases and history to the new name', async () => {
      const oldName = uniqueName('rename-old');
      const newName = uniqueName('rename-new');
      await api.createModel(oldName, 2, { description: 'd', tags: [{ key: 'team', value: 'risk' }] });
      await api.ok('setModelAlias', { name: oldName, alias: 'champion', version: 2 });
      await api.ok('setModelVersionTag', { name: oldName, version: 1, key: 'stage', value: 'old' });
      const before = await api.modelState(oldName);
      await sleep(5);

      const result = await api.ok('renameRegisteredModel', { name: oldName, newName });
      const renamed = result.registeredModel;
      expect(renamed).toEqual({
        id: before.id,
        name: newName,
        description: 'd',
        createdAt: before.createdAt,
        updatedAt: expect.any(String),
        tags: [{ key: 'team', value: 'risk' }],
        aliases: [{ alias: 'champion', updatedAt: before.aliases[0].updatedAt, model: { name: newName }, version: { version: 2 } }],
        latestVersion: { version: 2 },
      });
      expect(ms(renamed.updatedAt)).toBeGreaterThan(ms(before.updatedAt));

      // The old name is gone; everything is reachable under the new one.
      expect(await model(oldName)).toBeNull();
      const after = await api.modelState(newName);
      expect(after.versions.nodes).toEqual(before.versions.nodes.map((v: any) => ({ ...v, model: { name: newName } })));
      const lookups = await api.data(
        `query L($name: String!) {
          modelVersion(name: $name, version: 1) { tags { key value } }
          registeredModel(name: $name) { versionByAlias(alias: "champion") { version aliases } }
          champion: resolveModelUri(uri: ${JSON.stringify(`models:/${newName}@champion`)}) { version }
        }`,
        { name: newName },
      );
      expect(lookups).toEqual({
        modelVersion: { tags: [{ key: 'stage', value: 'old' }] },
        registeredModel: { versionByAlias: { version: 2, aliases: ['champion'] } },
        champion: { version: 2 },
      });

      // History hangs on the model: events from before the rename stay on it, under their old name.
      const history = await api.data(
        `query H($name: String!) { registeredModel(name: $name) { history(first: 100) { nodes { ${EVENT_FIELDS} } } } }`,
        { name: newName },
      );
      const events = [...history.registeredModel.history.nodes].reverse();
      expect(events.map((e: any) => e.action)).toEqual([
        'MODEL_CREATED',
        'MODEL_TAG_SET',
        'VERSION_CREATED',
        'VERSION_CREATED',
        'ALIAS_SET',
        'VERSION_TAG_SET',
        'MODEL_RENAMED',
      ]);
      expect(events.slice(0, 6).every((e: any) => e.modelName === oldName)).toBe(true);
      expect(events.every((e: any) => e.model?.name === newName)).toBe(true);
      expect(events[6]).toMatchObject({ previousValue: oldName, newValue: newName, actor: null, version: null, alias: null });
      expect(events[6].at).toBe(renamed.updatedAt);
      // Query.auditEvents by the new name finds the events from before the rename too.
      expect((await api.eventsOf(newName)).map((e) => e.sequence)).toEqual(events.map((e: any) => e.sequence));

      // The old name is free again: a new model there starts at version 1 with an empty history.
      await api.createModel(oldName, 1);
      expect((await api.modelState(oldName)).versions.nodes.map((v: any) => v.version)).toEqual([1]);
      expect((await api.modelState(newName)).versions.nodes.map((v: any) => v.version)).toEqual([1, 2]);
    });

    it('AlreadyExistsError when the new name is taken; neither model changes', async () => {
      const a = uniqueName('rename-a');
      const b = uniqueName('rename-b');
      await api.createModel(a, 1);
      await api.createModel(b, 2);
      const result = await api.unchanged([a, b], () => api.mutate('renameRegisteredModel', { name: a, newName: b }));
      expectError(result, 'AlreadyExistsError', { message: [b] });
    });

    it('NotFoundError naming the model when it does not exist', async () => {
      const name = uniqueName('rename-ghost');
      const newName = uniqueName('rename-target');
      const result = await api.unchanged([name, newName], () => api.mutate('renameRegisteredModel', { name, newName }));
      expectError(result, 'NotFoundError', { message: [`"${name}"`] });
    });

    it.each([
      ['empty', ''],
      ['with "/"', 'a/b'],
      ['with ":"', 'a:b'],
      ['with a trailing space', 'abc '],
      ['of 257 characters', 'x'.repeat(257)],
    ])('ValidationError on newName when it is %s; nothing written', async (_what, newName) => {
      const name = uniqueName('rename-invalid');
      await api.createModel(name, 1);
      const result = await api.unchanged([name, newName], () => api.mutate('renameRegisteredModel', { name, newName }));
      expectError(result, 'ValidationError', { field: 'newName' });
    });
  });

  describe('deleteRegisteredModel', () => {
    it('deletes the model with its versions, tags and aliases; the name is free and starts again at 1', async () => {
      const name = uniqueName('delete');
      await api.createModel(name, 3, { tags: [{ key: 'team', value: 'risk' }] });
      await api.ok('deleteModelVersion', { name, version: 2 });
      await api.ok('setModelAlias', { name, alias: 'champion', version: 3 });
      const before = await api.modelState(name);

      const result = await api.ok('deleteRegisteredModel', { name });
      expect(result).toEqual({ __typename: 'DeleteRegisteredModelPayload', name, deletedVersions: 2 });

      const gone = await api.data(
        `query G($name: String!, $modelId: ID!, $versionId: ID!) {
          registeredModel(name: $name) { name }
          modelVersion(name: $name, version: 3) { version }
          modelVersions(name: $name) { totalCount nodes { version } }
          byUri: resolveModelUri(uri: ${JSON.stringify(`models:/${name}@champion`)}) { version }
          model: node(id: $modelId) { id }
          version: node(id: $versionId) { id }
          registeredModels(filter: { nameContains: $name }) { totalCount }
        }`,
        { name, modelId: before.id, versionId: before.versions.nodes[0].id },
      );
      expect(gone).toEqual({
        registeredModel: null,
        modelVersion: null,
        modelVersions: { totalCount: 0, nodes: [] },
        byUri: null,
        model: null,
        version: null,
        registeredModels: { totalCount: 0 },
      });

      // The history stays readable by name; its events no longer have a model.
      const oldEvents = await api.eventsOf(name);
      expect(oldEvents.map((e) => e.action)).toEqual([
        'MODEL_CREATED',
        'MODEL_TAG_SET',
        'VERSION_CREATED',
        'VERSION_CREATED',
        'VERSION_CREATED',
        'VERSION_DELETED',
        'ALIAS_SET',
        'MODEL_DELETED',
      ]);
      expect(oldEvents.at(-1)).toMatchObject({ modelName: name, model: null, newValue: '2', version: null, actor: null });
      expect(oldEvents.every((e) => e.model === null)).toBe(true);

      // A new model of that name starts at version 1, with only its own history.
      await api.createModel(name, 1);
      const reborn = await api.modelState(name);
      expect(reborn.id).not.toBe(before.id);
      expect(reborn.versions.nodes.map((v: any) => v.version)).toEqual([1]);
      expect(reborn.tags).toEqual([]);
      expect(reborn.aliases).toEqual([]);
      const ownHistory = await api.data(
        `query H($name: String!) { registeredModel(name: $name) { history { nodes { action sequence } } } }`,
        { name },
      );
      expect(ownHistory.registeredModel.history.nodes.map((e: any) => e.action)).toEqual(['VERSION_CREATED', 'MODEL_CREATED']);
      expect(ownHistory.registeredModel.history.nodes.every((e: any) => e.sequence > oldEvents.at(-1).sequence)).toBe(true);
      // By name, the old model's events and the new one's: the old ones still without a model.
      const all = await api.eventsOf(name);
      expect(all.map((e) => e.sequence)).toEqual([
        ...oldEvents.map((e) => e.sequence),
        ...ownHistory.registeredModel.history.nodes.map((e: any) => e.sequence).reverse(),
      ]);
      expect(all.slice(0, oldEvents.length).every((e) => e.model === null)).toBe(true);
      expect(all.slice(oldEvents.length).every((e) => e.model?.name === name)).toBe(true);
    });

    it('deletedVersions is 0 for a model without versions', async () => {
      const name = uniqueName('delete-empty');
      await api.createModel(name);
      expect(await api.ok('deleteRegisteredModel', { name })).toEqual({
        __typename: 'DeleteRegisteredModelPayload',
        name,
        deletedVersions: 0,
      });
    });

    it('NotFoundError naming the model for an unknown model and for a second delete', async () => {
      const name = uniqueName('delete-twice');
      await api.createModel(name);
      await api.ok('deleteRegisteredModel', { name });
      for (const target of [name, uniqueName('never')]) {
        const result = await api.unchanged([target], () => api.mutate('deleteRegisteredModel', { name: target }));
        expectError(result, 'NotFoundError', { message: [`"${target}"`] });
      }
    });
  });

  describe('lookups', () => {
    it('registeredModel(name) is exact and null for an unknown name', async () => {
      const name = uniqueName('Exact');
      await api.createModel(name);
      const data = await api.data(
        `query L($name: String!, $lower: String!, $prefix: String!, $unknown: String!) {
          exact: registeredModel(name: $name) { name }
          lower: registeredModel(name: $lower) { name }
          prefix: registeredModel(name: $prefix) { name }
          unknown: registeredModel(name: $unknown) { name }
        }`,
        { name, lower: name.toLowerCase(), prefix: name.slice(0, -1), unknown: uniqueName('unknown') },
      );
      expect(data).toEqual({ exact: { name }, lower: null, prefix: null, unknown: null });
    });

    it('tag(key) gives one value or null; version(version) one version or null', async () => {
      const name = uniqueName('fields');
      await api.createModel(name, 3, {
        tags: [
          { key: 'team', value: 'risk' },
          { key: 'empty', value: '' },
        ],
      });
      await api.ok('deleteModelVersion', { name, version: 2 });
      const data = await api.data(
        `query F($name: String!) {
          registeredModel(name: $name) {
            team: tag(key: "team") empty: tag(key: "empty") missing: tag(key: "nope") nul: tag(key: "te\\u0000am")
            v1: version(version: 1) { ${VERSION_FIELDS} }
            v2: version(version: 2) { version }
            v3: version(version: 3) { version source }
            v4: version(version: 4) { version }
            v0: version(version: 0) { version }
            neg: version(version: -1) { version }
          }
        }`,
        { name },
      );
      expect(data.registeredModel).toMatchObject({
        team: 'risk',
        empty: '',
        missing: null,
        nul: null,
        v1: { version: 1, source: `s3://${name}/1`, model: { name } },
        v2: null,
        v3: { version: 3, source: `s3://${name}/3` },
        v4: null,
        v0: null,
        neg: null,
      });
    });

    it('NUL characters in lookups give null / empty / NotFoundError, never a fault', async () => {
      const name = uniqueName('nul');
      await api.createModel(name, 1, { tags: [{ key: 'k', value: 'v' }] });
      await api.ok('setModelAlias', { name, alias: 'champion', version: 1 });
      const nul = `${name}\u0000`;
      const data = await api.data(
        `query N($nul: String!, $name: String!) {
          registeredModel(name: $nul) { name }
          modelVersion(name: $nul, version: 1) { version }
          modelVersions(name: $nul) { totalCount nodes { version } }
          byName: registeredModels(filter: { nameContains: $nul }) { totalCount nodes { name } }
          byTag: registeredModels(filter: { tags: [{ key: "k\\u0000" }] }) { totalCount }
          byTagValue: registeredModels(filter: { tags: [{ key: "k", value: "v\\u0000" }] }) { totalCount }
          byAlias: registeredModels(filter: { hasAlias: "champion\\u0000" }) { totalCount }
          versionsByRun: modelVersions(filter: { runId: "r\\u0000" }) { totalCount }
          versionsByTag: modelVersions(filter: { tags: [{ key: "\\u0000" }] }) { totalCount }
          events: auditEvents(filter: { modelName: $nul }) { nodes { sequence } }
          eventsByAlias: auditEvents(filter: { alias: "champion\\u0000" }) { nodes { sequence } }
          eventsByActor: auditEvents(filter: { actor: "\\u0000" }) { nodes { sequence } }
          uri: resolveModelUri(uri: "models:/a\\u0000b/1") { version }
          model: registeredModel(name: $name) {
            versionByAlias(alias: "champion\\u0000") { version }
            past: versionByAlias(alias: "champion\\u0000", at: "2100-01-01T00:00:00Z") { version }
            history(alias: "champion\\u0000") { nodes { sequence } }
            versions(filter: { runId: "\\u0000" }) { totalCount nodes { version } }
          }
        }`,
        { nul, name },
      );
      expect(data).toEqual({
        registeredModel: null,
        modelVersion: null,
        modelVersions: { totalCount: 0, nodes: [] },
        byName: { totalCount: 0, nodes: [] },
        byTag: { totalCount: 0 },
        byTagValue: { totalCount: 0 },
        byAlias: { totalCount: 0 },
        versionsByRun: { totalCount: 0 },
        versionsByTag: { totalCount: 0 },
        events: { nodes: [] },
        eventsByAlias: { nodes: [] },
        eventsByActor: { nodes: [] },
        uri: null,
        model: { versionByAlias: null, past: null, history: { nodes: [] }, versions: { totalCount: 0, nodes: [] } },
      });

      // Mutations naming things by a NUL-bearing string: NotFoundError, nothing written.
      const attempts: [string, Record<string, unknown>, string][] = [
        ['deleteRegisteredModelTag', { name, key: 'k\u0000' }, 'k'],
        ['deleteModelVersionTag', { name, version: 1, key: '\u0000' }, ''],
        ['deleteModelAlias', { name, alias: 'champion\u0000' }, 'champion'],
        ['deleteRegisteredModel', { name: nul }, name],
        ['updateRegisteredModel', { name: nul, description: 'x' }, name],
        ['createModelVersion', { name: nul, source: 's3://x' }, name],
        ['setModelAlias', { name: nul, alias: 'champion', version: 1 }, name],
      ];
      for (const [mutation, input] of attempts) {
        const result = await api.unchanged([name], () => api.mutate(mutation, input));
        expectError(result, 'NotFoundError');
      }
    });
  });
});

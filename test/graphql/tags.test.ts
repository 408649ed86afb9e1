// Tags on models and versions over GraphQL: set (add / overwrite / no-op) and delete.
import { describe, expect, it } from 'vitest';
import { describeEachDatabase } from '../support/databases.ts';
import { expectError, ms, sleep, uniqueName, useApi } from './helpers.ts';

describeEachDatabase('API: tags', (ctx) => {
  const api = useApi(ctx);

  describe('setRegisteredModelTag', () => {
    it('adds, overwrites and leaves an equal tag alone; the payload carries the model with all its tags', async () => {
      const name = uniqueName('model-tag');
      await api.createModel(name, 0, { description: 'd', tags: [{ key: 'team', value: 'risk' }] });
      const before = await api.modelState(name);
      await sleep(5);

      const added = await api.ok('setRegisteredModelTag', { name, key: 'approved', value: 'true' });
      expect(added.tag).toEqual({ key: 'approved', value: 'true' });
      expect(added.registeredModel).toEqual({
        ...(({ versions, history, ...m }) => m)(before),
        updatedAt: expect.any(String),
        tags: [
          { key: 'approved', value: 'true' },
          { key: 'team', value: 'risk' },
        ],
      });
      expect(ms(added.registeredModel.updatedAt)).toBeGreaterThan(ms(before.updatedAt));
      await sleep(5);

      const overwritten = await api.ok('setRegisteredModelTag', { name, key: 'team', value: 'fraud' });
      expect(overwritten.tag).toEqual({ key: 'team', value: 'fraud' });
      expect(overwritten.registeredModel.tags).toEqual([
        { key: 'approved', value: 'true' },
        { key: 'team', value: 'fraud' },
      ]);
      expect(ms(overwritten.registeredModel.updatedAt)).toBeGreaterThan(ms(added.registeredModel.updatedAt));

      // Same value again: nothing changes, nothing recorded, but the payload is the same.
      const same = await api.unchanged([name], () => api.ok('setRegisteredModelTag', { name, key: 'team', value: 'fraud' }));
      expect(same).toEqual(overwritten);

      const events = (await api.eventsOf(name)).filter((e) => e.action === 'MODEL_TAG_SET');
      expect(events.map((e) => [e.key, e.previousValue, e.newValue, e.version])).toEqual([
        ['team', null, 'risk', null],
        ['approved', null, 'true', null],
        ['team', 'risk', 'fraud', null],
      ]);
      expect(events[2].at).toBe(overwritten.registeredModel.updatedAt);

      const read = await api.data(
        `query T($name: String!) { registeredModel(name: $name) { team: tag(key: "team") approved: tag(key: "approved") none: tag(key: "none") } }`,
        { name },
      );
      expect(read.registeredModel).toEqual({ team: 'fraud', approved: 'true', none: null });
    });

    it.each([
      ['a b', 'a space'],
      ['x:y', 'a colon'],
      ['a/b/c', 'slashes between segments'],
      ['.hidden', 'a leading dot'],
      ['ñandú_1-2.3', 'Unicode letters, digits, _ - .'],
    ])('accepts the key %j (%s) and an empty value', async (key) => {
      const name = uniqueName('tag-ok');
      await api.createModel(name);
      const result = await api.ok('setRegisteredModelTag', { name, key, value: '' });
      expect(result.tag).toEqual({ key, value: '' });
      expect(result.registeredModel.tags).toEqual([{ key, value: '' }]);
    });

    it.each([
      ['an empty key', 'key', '', 'v'],
      ['a key with a doubled /', 'key', 'a//b', 'v'],
      ['a key with a leading /', 'key', '/a', 'v'],
      ['a key with a trailing /', 'key', 'a/', 'v'],
      ['the key ..', 'key', '..', 'v'],
      ['a key with a . segment', 'key', 'a/./b', 'v'],
      ['a key with !', 'key', 'bad!', 'v'],
      ['a key with a trailing newline', 'key', 'trailing\n', 'v'],
      ['a key of 251 characters', 'key', 'k'.repeat(251), 'v'],
      ['a value of 100,001 characters', 'value', 'ok', 'v'.repeat(100_001)],
      ['a value with NUL', 'value', 'ok', 'nul\u0000'],
    ])('ValidationError for %s; nothing written', async (_what, field, key, value) => {
      const name = uniqueName('tag-invalid');
      await api.createModel(name, 0, { tags: [{ key: 'ok', value: 'before' }] });
      const result = await api.unchanged([name], () => api.mutate('setRegisteredModelTag', { name, key, value }));
      expectError(result, 'ValidationError', { field });
    });

    it('NotFoundError naming the model when it does not exist', async () => {
      const name = uniqueName('tag-ghost');
      const result = await api.unchanged([name], () => api.mutate('setRegisteredModelTag', { name, key: 'k', value: 'v' }));
      expectError(result, 'NotFoundError', { message: [`"${name}"`] });
    });
  });

  describe('deleteRegisteredModelTag', () => {
    it('removes the tag and returns it, with the model as it is now', async () => {
      const name = uniqueName('model-untag');
      await api.createModel(name, 0, {
        tags: [
          { key: 'a', value: '1' },
          { key: 'b', value: '2' },
        ],
      });
      const before = await api.modelState(name);
      await sleep(5);
      const result = await api.ok('deleteRegisteredModelTag', { name, key: 'a' });
      expect(result.tag).toEqual({ key: 'a', value: '1' });
      expect(result.registeredModel.tags).toEqual([{ key: 'b', value: '2' }]);
      expect(ms(result.registeredModel.updatedAt)).toBeGreaterThan(ms(before.updatedAt));
      expect((await api.modelState(name)).tags).toEqual([{ key: 'b', value: '2' }]);
      const events = (await api.eventsOf(name)).filter((e) => e.action === 'MODEL_TAG_DELETED');
      expect(events.map((e) => [e.key, e.previousValue, e.newValue, e.version])).toEqual([['a', '1', null, null]]);
      expect(events[0].at).toBe(result.registeredModel.updatedAt);
    });

    it('NotFoundError naming the tag when it is not there (also for a NUL key), or the model', async () => {
      const name = uniqueName('untag-missing');
      await api.createModel(name, 0, { tags: [{ key: 'present', value: '1' }] });
      for (const key of ['absent', 'present\u0000', 'a//b']) {
        const result = await api.unchanged([name], () => api.mutate('deleteRegisteredModelTag', { name, key }));
        expectError(result, 'NotFoundError', { message: [key.replace(/\u0000/g, '').slice(0, 7), name] });
      }
      const ghost = uniqueName('untag-ghost');
      const result = await api.unchanged([ghost], () => api.mutate('deleteRegisteredModelTag', { name: ghost, key: 'present' }));
      expectError(result, 'NotFoundError', { message: [`"${ghost}"`] });
    });
  });

  describe('setModelVersionTag', () => {
    it('adds, overwrites and leaves an equal tag alone; moves the version and the model', async () => {
      const name = uniqueName('version-tag');
      await api.createModel(name, 2);
      const before = await api.modelState(name);
      const v2 = before.versions.nodes[1];
      await sleep(5);

      const added = await api.ok('setModelVersionTag', { name, version: 2, key: 'stage', value: 'candidate' });
      expect(added.tag).toEqual({ key: 'stage', value: 'candidate' });
      expect(added.modelVersion).toEqual({ ...v2, tags: [{ key: 'stage', value: 'candidate' }], updatedAt: expect.any(String) });
      expect(ms(added.modelVersion.updatedAt)).toBeGreaterThan(ms(v2.updatedAt));
      const model = await api.modelState(name);
      expect(model.updatedAt).toBe(added.modelVersion.updatedAt);
      // Version 1 is untouched.
      expect(model.versions.nodes[0]).toEqual(before.versions.nodes[0]);
      await sleep(5);

      const overwritten = await api.ok('setModelVersionTag', { name, version: 2, key: 'stage', value: 'production' });
      expect(overwritten.modelVersion.tags).toEqual([{ key: 'stage', value: 'production' }]);
      expect(ms(overwritten.modelVersion.updatedAt)).toBeGreaterThan(ms(added.modelVersion.updatedAt));

      const same = await api.unchanged([name], () => api.ok('setModelVersionTag', { name, version: 2, key: 'stage', value: 'production' }));
      expect(same).toEqual(overwritten);

      const events = (await api.eventsOf(name)).filter((e) => e.action === 'VERSION_TAG_SET');
      expect(events.map((e) => [e.version, e.key, e.previousValue, e.newValue])).toEqual([
        [2, 'stage', null, 'candidate'],
        [2, 'stage', 'candidate', 'production'],
      ]);
      const read = await api.data(
        `query T($name: String!) { modelVersion(name: $name, version: 2) { stage: tag(key: "stage") none: tag(key: "none") } }`,
        { name },
      );
      expect(read.modelVersion).toEqual({ stage: 'production', none: null });
    });

    it('NotFoundError naming the version (unknown or deleted) or the model', async () => {
      const name = uniqueName('vtag-missing');
      await api.createModel(name, 2);
      await api.ok('deleteModelVersion', { name, version: 2 });
      for (const version of [2, 7]) {
        const result = await api.unchanged([name], () => api.mutate('setModelVersionTag', { name, version, key: 'k', value: 'v' }));
        expectError(result, 'NotFoundError', { message: [`version ${version}`, `"${name}"`] });
      }
      const ghost = uniqueName('vtag-ghost');
      const result = await api.unchanged([ghost], () =>
        api.mutate('setModelVersionTag', { name: ghost, version: 1, key: 'k', value: 'v' }),
      );
      expectError(result, 'NotFoundError', { message: [`"${ghost}"`] });
    });

    it.each([
      ['key', 'a//b', 'v'],
      ['key', '', 'v'],
      ['value', 'k', 'v'.repeat(100_001)],
    ])('ValidationError on %s (key %j); nothing written', async (field, key, value) => {
      const name = uniqueName('vtag-invalid');
      await api.createModel(name, 1);
      const result = await api.unchanged([name], () => api.mutate('setModelVersionTag', { name, version: 1, key, value }));
      expectError(result, 'ValidationError', { field });
    });
  });

  describe('deleteModelVersionTag', () => {
    it('removes the tag and returns it; moves the version and the model', async () => {
      const name = uniqueName('version-untag');
      await api.createModel(name);
      await api.ok('createModelVersion', {
        name,
        source: 's3://x',
        tags: [
          { key: 'a', value: '1' },
          { key: 'b', value: '2' },
        ],
      });
      const before = (await api.modelState(name)).versions.nodes[0];
      await sleep(5);
      const result = await api.ok('deleteModelVersionTag', { name, version: 1, key: 'b' });
      expect(result.tag).toEqual({ key: 'b', value: '2' });
      expect(result.modelVersion).toEqual({ ...before, tags: [{ key: 'a', value: '1' }], updatedAt: expect.any(String) });
      expect(ms(result.modelVersion.updatedAt)).toBeGreaterThan(ms(before.updatedAt));
      expect((await api.modelState(name)).updatedAt).toBe(result.modelVersion.updatedAt);
      const events = (await api.eventsOf(name)).filter((e) => e.action === 'VERSION_TAG_DELETED');
      expect(events.map((e) => [e.version, e.key, e.previousValue, e.newValue])).toEqual([[1, 'b', '2', null]]);
    });

    it('NotFoundError naming the tag (also a NUL key), the version or the model', async () => {
      const name = uniqueName('vuntag-missing');
      await api.createModel(name);
      await api.ok('createModelVersion', { name, source: 's3://x', tags: [{ key: 'present', value: '1' }] });
      for (const key of ['absent', 'present\u0000']) {
        const result = await api.unchanged([name], () => api.mutate('deleteModelVersionTag', { name, version: 1, key }));
        expectError(result, 'NotFoundError', { message: [key.replace(/\u0000/g, ''), 'version 1', name] });
      }
      const noVersion = await api.unchanged([name], () => api.mutate('deleteModelVersionTag', { name, version: 2, key: 'present' }));
      expectError(noVersion, 'NotFoundError', { message: ['version 2', `"${name}"`] });
      const ghost = uniqueName('vuntag-ghost');
      const noModel = await api.unchanged([ghost], () => api.mutate('deleteModelVersionTag', { name: ghost, version: 1, key: 'present' }));
      expectError(noModel, 'NotFoundError', { message: [`"${ghost}"`] });
    });
  });
});

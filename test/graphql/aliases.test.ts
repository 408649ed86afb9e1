// Aliases over GraphQL: set (create / move / no-op), compare-and-set, delete, and where aliases show.
import { describe, expect, it } from 'vitest';
import { describeEachDatabase } from '../support/databases.ts';
import { MODEL_FIELDS, expectError, ms, sleep, uniqueName, useApi } from './helpers.ts';

describeEachDatabase('API: aliases', (ctx) => {
  const api = useApi(ctx);

  const aliasEvents = async (name: string) =>
    (await api.eventsOf(name))
      .filter((e) => e.action === 'ALIAS_SET' || e.action === 'ALIAS_DELETED')
      .map((e) => [e.action, e.alias, e.version, e.previousVersion]);

  describe('setModelAlias', () => {
    it('creates, moves, and leaves an alias that already points there (changed: false, nothing recorded)', async () => {
      const name = uniqueName('alias');
      await api.createModel(name, 3);
      const before = await api.modelState(name);
      await sleep(5);

      const created = await api.ok('setModelAlias', { name, alias: 'champion', version: 1 });
      expect(created).toEqual({
        __typename: 'SetModelAliasPayload',
        alias: {
          alias: 'champion',
          updatedAt: expect.any(String),
          model: { name, updatedAt: created.alias.updatedAt },
          version: { version: 1, aliases: ['champion'] },
        },
        previousVersion: null,
        changed: true,
      });
      expect(ms(created.alias.updatedAt)).toBeGreaterThan(ms(before.updatedAt));
      await sleep(5);

      const moved = await api.ok('setModelAlias', { name, alias: 'champion', version: 3 });
      expect(moved).toEqual({
        __typename: 'SetModelAliasPayload',
        alias: {
          alias: 'champion',
          updatedAt: expect.any(String),
          model: { name, updatedAt: moved.alias.updatedAt },
          version: { version: 3, aliases: ['champion'] },
        },
        previousVersion: { version: 1, aliases: [] },
        changed: true,
      });
      expect(ms(moved.alias.updatedAt)).toBeGreaterThan(ms(created.alias.updatedAt));

      const same = await api.unchanged([name], () => api.ok('setModelAlias', { name, alias: 'champion', version: 3 }));
      expect(same).toEqual({ ...moved, previousVersion: null, changed: false });

      expect(await aliasEvents(name)).toEqual([
        ['ALIAS_SET', 'champion', 1, null],
        ['ALIAS_SET', 'champion', 3, 1],
      ]);
      const events = await api.eventsOf(name);
      expect(events.at(-1)).toMatchObject({ at: moved.alias.updatedAt, key: null, previousValue: null, newValue: null, actor: null });
    });

    it('lets one version carry many aliases, sorted, and the same alias live on other models', async () => {
      const a = uniqueName('many-a');
      const b = uniqueName('many-b');
      await api.createModel(a, 2);
      await api.createModel(b, 1);
      for (const alias of ['staging', 'prod', 'canary']) await api.ok('setModelAlias', { name: a, alias, version: 2 });
      await api.ok('setModelAlias', { name: a, alias: 'baseline', version: 1 });
      await api.ok('setModelAlias', { name: b, alias: 'prod', version: 1 });
      const state = await api.modelState(a);
      expect(state.aliases.map((x: any) => [x.alias, x.version.version, x.model.name])).toEqual([
        ['baseline', 1, a],
        ['canary', 2, a],
        ['prod', 2, a],
        ['staging', 2, a],
      ]);
      expect(state.versions.nodes.map((v: any) => v.aliases)).toEqual([['baseline'], ['canary', 'prod', 'staging']]);
      expect((await api.modelState(b)).aliases.map((x: any) => [x.alias, x.version.version])).toEqual([['prod', 1]]);
    });

    it('shows aliases on ModelVersion.aliases everywhere a version appears', async () => {
      const name = uniqueName('everywhere');
      await api.createModel(name, 2, { tags: [{ key: 'everywhere', value: name }] });
      await api.ok('setModelAlias', { name, alias: 'prod', version: 2 });
      await api.ok('setModelAlias', { name, alias: 'champion', version: 2 });
      await api.ok('setModelAlias', { name, alias: 'old', version: 1 });
      const ids = await api.data(`query I($name: String!) { modelVersion(name: $name, version: 2) { id } }`, { name });
      const data = await api.data(
        `query E($name: String!, $uri: String!, $id: ID!) {
          modelVersion(name: $name, version: 2) { aliases }
          registeredModel(name: $name) {
            latestVersion { aliases }
            version(version: 2) { aliases }
            versionByAlias(alias: "prod") { aliases }
            aliases { version { aliases } }
            versions { nodes { version aliases } }
          }
          byName: modelVersions(name: $name) { nodes { version aliases } }
          all: modelVersions(first: 100) { nodes { version aliases model { name } } }
          filtered: modelVersions(filter: { status: READY }, first: 100) { nodes { version aliases model { name } } }
          registeredModels(filter: { tags: [{ key: "everywhere", value: $name }] }) { nodes { versions { nodes { version aliases } } latestVersion { aliases } } }
          resolveModelUri(uri: $uri) { aliases }
          node(id: $id) { ... on ModelVersion { aliases } }
        }`,
        { name, uri: `models:/${name}@prod`, id: ids.modelVersion.id },
      );
      const two = ['champion', 'prod'];
      const both = [
        { version: 2, aliases: two },
        { version: 1, aliases: ['old'] },
      ];
      const mine = (nodes: any[]) => nodes.filter((n) => n.model.name === name).map(({ version, aliases }) => ({ version, aliases }));
      expect(data.modelVersion.aliases).toEqual(two);
      expect(data.registeredModel).toEqual({
        latestVersion: { aliases: two },
        version: { aliases: two },
        versionByAlias: { aliases: two },
        aliases: [{ version: { aliases: two } }, { version: { aliases: ['old'] } }, { version: { aliases: two } }],
        versions: { nodes: both },
      });
      expect(data.byName.nodes).toEqual(both);
      expect(mine(data.all.nodes)).toEqual(both);
      expect(mine(data.filtered.nodes)).toEqual(both);
      expect(data.registeredModels.nodes).toEqual([{ versions: { nodes: both }, latestVersion: { aliases: two } }]);
      expect(data.resolveModelUri.aliases).toEqual(two);
      expect(data.node.aliases).toEqual(two);
    });

    it('compare-and-set: moves only when expectedVersion holds; ConflictError with currentVersion otherwise', async () => {
      const name = uniqueName('cas');
      await api.createModel(name, 3);

      // 0: only if it does not exist yet.
      const created = await api.ok('setModelAlias', { name, alias: 'prod', version: 1, expectedVersion: 0 });
      expect(created.changed).toBe(true);
      const exists = await api.unchanged([name], () =>
        api.mutate('setModelAlias', { name, alias: 'prod', version: 2, expectedVersion: 0 }),
      );
      expectError(exists, 'ConflictError', { currentVersion: 1, message: ['prod'] });

      // n: only if it points to n now.
      const wrong = await api.unchanged([name], () => api.mutate('setModelAlias', { name, alias: 'prod', version: 3, expectedVersion: 2 }));
      expectError(wrong, 'ConflictError', { currentVersion: 1 });
      const right = await api.ok('setModelAlias', { name, alias: 'prod', version: 2, expectedVersion: 1 });
      expect(right).toMatchObject({ changed: true, previousVersion: { version: 1 }, alias: { version: { version: 2 } } });

      // n for an alias that does not exist: currentVersion null.
      const missing = await api.unchanged([name], () =>
        api.mutate('setModelAlias', { name, alias: 'canary', version: 1, expectedVersion: 2 }),
      );
      expectError(missing, 'ConflictError', { currentVersion: null, message: ['canary'] });

      // Holding expectation, same target: no change.
      const noop = await api.unchanged([name], () => api.ok('setModelAlias', { name, alias: 'prod', version: 2, expectedVersion: 2 }));
      expect(noop.changed).toBe(false);

      expect(await aliasEvents(name)).toEqual([
        ['ALIAS_SET', 'prod', 1, null],
        ['ALIAS_SET', 'prod', 2, 1],
      ]);
    });

    it('concurrent creates with expectedVersion 0: one wins, the others see its version in ConflictError', async () => {
      const name = uniqueName('cas-race');
      await api.createModel(name, 6);
      const results = await Promise.all(
        Array.from({ length: 6 }, (_, i) => api.mutate('setModelAlias', { name, alias: 'prod', version: i + 1, expectedVersion: 0 })),
      );
      const winners = results.filter((r) => r.__typename === 'SetModelAliasPayload');
      expect(winners).toHaveLength(1);
      const won = winners[0].alias.version.version;
      const losers = results.filter((r) => r.__typename === 'ConflictError');
      expect(losers).toHaveLength(5);
      expect(losers.every((r) => r.currentVersion === won)).toBe(true);
      expect(await aliasEvents(name)).toEqual([['ALIAS_SET', 'prod', won, null]]);
    });

    it('an alias set while its version is deleted never outlives the version', async () => {
      const name = uniqueName('alias-delete-race');
      await api.createModel(name, 2);
      const [set, deleted] = await Promise.all([
        api.mutate('setModelAlias', { name, alias: 'prod', version: 2 }),
        api.mutate('deleteModelVersion', { name, version: 2 }),
      ]);
      expect(deleted.__typename).toBe('DeleteModelVersionPayload');
      const state = await api.modelState(name);
      expect(state.aliases).toEqual([]);
      expect(state.versions.nodes.map((v: any) => v.version)).toEqual([1]);
      if (set.__typename === 'SetModelAliasPayload') {
        expect(deleted.removedAliases).toEqual(['prod']);
        expect(await aliasEvents(name)).toEqual([
          ['ALIAS_SET', 'prod', 2, null],
          ['ALIAS_DELETED', 'prod', null, 2],
        ]);
      } else {
        expectError(set, 'NotFoundError', { message: ['version 2'] });
        expect(deleted.removedAliases).toEqual([]);
        expect(await aliasEvents(name)).toEqual([]);
      }
    });

    it.each([
      ['reserved: latest', 'latest'],
      ['reserved in any case: LATEST', 'LATEST'],
      ['reserved in any case: Latest', 'Latest'],
      ['version-like: v2', 'v2'],
      ['version-like: V2', 'V2'],
      ['version-like with a non-ASCII digit', 'v٣'],
      ['a dot', 'a.b'],
      ['a space', 'a b'],
      ['a slash', 'a/b'],
      ['an @', 'a@b'],
      ['empty', ''],
      ['a trailing newline', 'champion\n'],
      ['a NUL', 'nul\u0000'],
      ['256 characters', 'x'.repeat(256)],
      ['Unicode letters', 'ñandú'],
      ['a fullwidth look-alike of production', 'ｐｒｏｄｕｃｔｉｏｎ'],
      ['a Cyrillic look-alike of production', 'prоduction'],
    ])('ValidationError on alias: %s; nothing written', async (_what, alias) => {
      const name = uniqueName('alias-invalid');
      await api.createModel(name, 1);
      const result = await api.unchanged([name], () => api.mutate('setModelAlias', { name, alias, version: 1 }));
      expectError(result, 'ValidationError', { field: 'alias' });
    });

    it.each([
      ['digits only', '123'],
      ['v alone', 'v'],
      ['v, digits, letter', 'v1a'],
      ['version2', 'version2'],
      ['- and _', 'a-b_C'],
      ['255 characters', 'x'.repeat(255)],
    ])('accepts an alias of %s', async (_what, alias) => {
      const name = uniqueName('alias-ok');
      await api.createModel(name, 1);
      const result = await api.ok('setModelAlias', { name, alias, version: 1 });
      expect(result.alias.alias).toBe(alias);
      expect((await api.modelState(name)).aliases.map((a: any) => a.alias)).toEqual([alias]);
    });

    it('D5: aliases are unique whatever their case: a new alias differing only in case is refused, the existing one still moves', async () => {
      const name = uniqueName('alias-case');
      await api.createModel(name, 2);
      await api.ok('setModelAlias', { name, alias: 'production', version: 1 });
      for (const twin of ['PRODUCTION', 'Production']) {
        const result = await api.unchanged([name], () => api.mutate('setModelAlias', { name, alias: twin, version: 2 }));
        expectError(result, 'ValidationError', { field: 'alias' });
        expect(result.message).toContain('differs only in case from alias "production"');
      }
      expect((await api.ok('setModelAlias', { name, alias: 'production', version: 2 })).changed).toBe(true);
      expect((await api.modelState(name)).aliases.map((a: any) => a.alias)).toEqual(['production']);
      // Another model may use any case: uniqueness is per model.
      const other = uniqueName('alias-case-other');
      await api.createModel(other, 1);
      await api.ok('setModelAlias', { name: other, alias: 'PRODUCTION', version: 1 });
    });

    it('ValidationError on expectedVersion when it is negative; nothing written', async () => {
      const name = uniqueName('alias-negative');
      await api.createModel(name, 1);
      const result = await api.unchanged([name], () =>
        api.mutate('setModelAlias', { name, alias: 'prod', version: 1, expectedVersion: -1 }),
      );
      expectError(result, 'ValidationError', { field: 'expectedVersion' });
    });

    it('NotFoundError naming the version (unknown or deleted) or the model', async () => {
      const name = uniqueName('alias-missing');
      await api.createModel(name, 2);
      await api.ok('setModelAlias', { name, alias: 'prod', version: 1 });
      await api.ok('deleteModelVersion', { name, version: 2 });
      for (const version of [2, 3]) {
        const result = await api.unchanged([name], () => api.mutate('setModelAlias', { name, alias: 'prod', version }));
        expectError(result, 'NotFoundError', { message: [`version ${version}`, `"${name}"`] });
      }
      const ghost = uniqueName('alias-ghost');
      const result = await api.unchanged([ghost], () => api.mutate('setModelAlias', { name: ghost, alias: 'prod', version: 1 }));
      expectError(result, 'NotFoundError', { message: [`"${ghost}"`] });
    });
  });

  describe('deleteModelAlias', () => {
    it('removes the alias, returns the model as it is now and the version it pointed to', async () => {
      const name = uniqueName('unalias');
      await api.createModel(name, 2);
      await api.ok('setModelAlias', { name, alias: 'prod', version: 2 });
      await api.ok('setModelAlias', { name, alias: 'keep', version: 2 });
      const before = await api.modelState(name);
      await sleep(5);

      const result = await api.ok('deleteModelAlias', { name, alias: 'prod' });
      expect(result).toEqual({
        __typename: 'DeleteModelAliasPayload',
        alias: 'prod',
        registeredModel: {
          ...(({ versions, history, ...m }) => m)(before),
          updatedAt: expect.any(String),
          aliases: before.aliases.filter((a: any) => a.alias !== 'prod'),
        },
        previousVersion: { version: 2, aliases: ['keep'] },
      });
      expect(ms(result.registeredModel.updatedAt)).toBeGreaterThan(ms(before.updatedAt));
      const read = await api.data(
        `query R($name: String!) { registeredModel(name: $name) { prod: versionByAlias(alias: "prod") { version } keep: versionByAlias(alias: "keep") { version } } }`,
        { name },
      );
      expect(read.registeredModel).toEqual({ prod: null, keep: { version: 2 } });
      expect((await aliasEvents(name)).at(-1)).toEqual(['ALIAS_DELETED', 'prod', null, 2]);
      expect((await api.eventsOf(name)).at(-1).at).toBe(result.registeredModel.updatedAt);
    });

    it('NotFoundError naming the alias (unknown, already deleted, NUL) or the model', async () => {
      const name = uniqueName('unalias-missing');
      await api.createModel(name, 1);
      await api.ok('setModelAlias', { name, alias: 'gone', version: 1 });
      await api.ok('deleteModelAlias', { name, alias: 'gone' });
      await api.ok('setModelAlias', { name, alias: 'stays', version: 1 });
      for (const alias of ['gone', 'never', 'stays\u0000', 'latest']) {
        const result = await api.unchanged([name], () => api.mutate('deleteModelAlias', { name, alias }));
        expectError(result, 'NotFoundError', { message: [alias.replace(/\u0000/g, ''), name] });
      }
      const ghost = uniqueName('unalias-ghost');
      const result = await api.unchanged([ghost], () => api.mutate('deleteModelAlias', { name: ghost, alias: 'stays' }));
      expectError(result, 'NotFoundError', { message: [`"${ghost}"`] });
    });

    it('compare-and-set: deletes only when expectedVersion holds; ConflictError with currentVersion otherwise', async () => {
      const name = uniqueName('unalias-cas');
      await api.createModel(name, 2);
      await api.ok('setModelAlias', { name, alias: 'prod', version: 2 });

      const wrong = await api.unchanged([name], () => api.mutate('deleteModelAlias', { name, alias: 'prod', expectedVersion: 1 }));
      expectError(wrong, 'ConflictError', { currentVersion: 2, message: ['prod'] });
      const zero = await api.unchanged([name], () => api.mutate('deleteModelAlias', { name, alias: 'prod', expectedVersion: 0 }));
      expectError(zero, 'ConflictError', { currentVersion: 2 });
      const absent = await api.unchanged([name], () => api.mutate('deleteModelAlias', { name, alias: 'canary', expectedVersion: 1 }));
      expectError(absent, 'ConflictError', { currentVersion: null, message: ['canary'] });

      const right = await api.ok('deleteModelAlias', { name, alias: 'prod', expectedVersion: 2 });
      expect(right).toMatchObject({ alias: 'prod', previousVersion: { version: 2, aliases: [] }, registeredModel: { aliases: [] } });
      expect(await aliasEvents(name)).toEqual([
        ['ALIAS_SET', 'prod', 2, null],
        ['ALIAS_DELETED', 'prod', null, 2],
      ]);
    });

    it('a negative expectedVersion is rejected naming expectedVersion, not a server fault; nothing written', async () => {
      const name = uniqueName('unalias-negative');
      await api.createModel(name, 1);
      await api.ok('setModelAlias', { name, alias: 'prod', version: 1 });
      const response = await api.unchanged([name], () =>
        api.request(
          `mutation D($input: DeleteModelAliasInput!) {
            deleteModelAlias(input: $input) { __typename ... on Error { code message } }
          }`,
          { input: { name, alias: 'prod', expectedVersion: -1 } },
        ),
      );
      // Either a typed error (ValidationError if the union gains it) or a GraphQL error, but it must
      // say what is wrong: a masked "Unexpected error." (a server fault) is not acceptable.
      const typed = response.data?.deleteModelAlias;
      const message = typed?.message ?? response.errors?.[0]?.message;
      expect(message, JSON.stringify(response)).toMatch(/expectedVersion/);
      if (typed) expect(typed.__typename).not.toBe('DeleteModelAliasPayload');
    });
  });

  describe('updatedAt', () => {
    it("moves the model's updatedAt on alias changes, not the versions'", async () => {
      const name = uniqueName('alias-updated');
      await api.createModel(name, 2);
      const before = await api.modelState(name);
      await sleep(5);
      await api.ok('setModelAlias', { name, alias: 'prod', version: 1 });
      const afterSet = await api.modelState(name);
      expect(ms(afterSet.updatedAt)).toBeGreaterThan(ms(before.updatedAt));
      expect(afterSet.aliases[0].updatedAt).toBe(afterSet.updatedAt);
      expect(afterSet.versions.nodes.map((v: any) => v.updatedAt)).toEqual(before.versions.nodes.map((v: any) => v.updatedAt));
      await sleep(5);
      await api.ok('setModelAlias', { name, alias: 'prod', version: 2 });
      const afterMove = await api.modelState(name);
      expect(ms(afterMove.updatedAt)).toBeGreaterThan(ms(afterSet.updatedAt));
      expect(afterMove.aliases[0].updatedAt).toBe(afterMove.updatedAt);
      await sleep(5);
      await api.ok('deleteModelAlias', { name, alias: 'prod' });
      expect(ms((await api.modelState(name)).updatedAt)).toBeGreaterThan(ms(afterMove.updatedAt));
    });
  });

  describe('payload selections', () => {
    it('SetModelAliasPayload.alias.model is the whole model', async () => {
      const name = uniqueName('alias-model');
      await api.createModel(name, 1);
      const result = await api.ok(
        'setModelAlias',
        { name, alias: 'prod', version: 1 },
        `... on SetModelAliasPayload { alias { model { ${MODEL_FIELDS} } } }`,
      );
      const state = await api.modelState(name);
      expect(result.alias.model).toEqual((({ versions, history, ...m }) => m)(state));
    });
  });
});

// resolveModelUri over GraphQL: versions, aliases, latest, names with @, unknowns and malformed URIs.
import { beforeAll, describe, expect, it } from 'vitest';
import { describeEachDatabase } from '../support/databases.ts';
import { uniqueName, useApi } from './helpers.ts';

describeEachDatabase('API: resolveModelUri', (ctx) => {
  const api = useApi(ctx);

  const RESOLVE = `query R($uri: String!) { resolveModelUri(uri: $uri) { version source aliases model { name } } }`;
  const resolve = async (uri: string) => {
    const response = await api.request(RESOLVE, { uri });
    expect(response.errors, `${uri}: ${JSON.stringify(response.errors)}`).toBeUndefined();
    return response.data.resolveModelUri;
  };
  const versionOf = async (uri: string) => (await resolve(uri))?.version ?? null;

  const name = uniqueName('uri');
  const atName = uniqueName('team@fraud');
  const empty = uniqueName('uri-empty');
  beforeAll(async () => {
    await api.createModel(name, 3);
    await api.ok('deleteModelVersion', { name, version: 3 });
    await api.ok('setModelAlias', { name, alias: 'champion', version: 1 });
    await api.ok('setModelAlias', { name, alias: 'canary_EU-2', version: 2 });
    await api.createModel(atName, 2);
    await api.ok('setModelAlias', { name: atName, alias: 'prod', version: 1 });
    await api.createModel(empty);
  });

  describe('resolves', () => {
    it('models:/<name>/<version> to that version, null when the version does not exist', async () => {
      expect(await resolve(`models:/${name}/1`)).toEqual({
        version: 1,
        source: `s3://${name}/1`,
        aliases: ['champion'],
        model: { name },
      });
      expect(await versionOf(`models:/${name}/2`)).toBe(2);
      expect(await resolve(`models:/${name}/3`)).toBeNull(); // deleted
      expect(await resolve(`models:/${name}/4`)).toBeNull(); // never created
      expect(await resolve(`models:/${name}/2147483647`)).toBeNull();
    });

    it('models:/<name>@<alias> to where the alias points, null for an unknown alias', async () => {
      expect(await resolve(`models:/${name}@champion`)).toEqual({
        version: 1,
        source: `s3://${name}/1`,
        aliases: ['champion'],
        model: { name },
      });
      expect(await versionOf(`models:/${name}@canary_EU-2`)).toBe(2);
      expect(await resolve(`models:/${name}@Champion`)).toBeNull();
      expect(await resolve(`models:/${name}@unknown`)).toBeNull();
      expect(await resolve(`models:/${name}@v1`)).toBeNull();
    });

    it('models:/<name>/latest and @latest, in any case, to the highest existing version', async () => {
      for (const suffix of ['/latest', '/LATEST', '/Latest', '@latest', '@LATEST', '@lAtEsT']) {
        expect(await versionOf(`models:/${name}${suffix}`), suffix).toBe(2);
      }
      expect(await resolve(`models:/${empty}/latest`)).toBeNull();
      expect(await resolve(`models:/${empty}@latest`)).toBeNull();
    });

    it('names containing @: the URI splits on the last @', async () => {
      expect(await resolve(`models:/${atName}@prod`)).toEqual({
        version: 1,
        source: `s3://${atName}/1`,
        aliases: ['prod'],
        model: { name: atName },
      });
      expect(await versionOf(`models:/${atName}/2`)).toBe(2);
      expect(await versionOf(`models:/${atName}/latest`)).toBe(2);
      expect(await versionOf(`models:/${atName}@latest`)).toBe(2);
      // A name that ends with @.
      const trailing = `${uniqueName('ends')}@`;
      await api.createModel(trailing, 1);
      await api.ok('setModelAlias', { name: trailing, alias: 'prod', version: 1 });
      expect((await resolve(`models:/${trailing}@prod`))?.model).toEqual({ name: trailing });
      expect(await versionOf(`models:/${trailing}/1`)).toBe(1);
      expect(await resolve(`models:/${trailing.slice(0, -1)}@prod`)).toBeNull();
      // The part before the first @ is not a model.
      expect(await resolve(`models:/${atName.split('@')[0]}@${atName.split('@')[1]}`)).toBeNull();
    });

    it('follows changes: alias moves, new versions, renames, deletes', async () => {
      const m = uniqueName('uri-live');
      await api.createModel(m, 1);
      await api.ok('setModelAlias', { name: m, alias: 'prod', version: 1 });
      expect(await versionOf(`models:/${m}@prod`)).toBe(1);
      await api.ok('createModelVersion', { name: m, source: 's3://2' });
      expect(await versionOf(`models:/${m}/latest`)).toBe(2);
      await api.ok('setModelAlias', { name: m, alias: 'prod', version: 2 });
      expect(await versionOf(`models:/${m}@prod`)).toBe(2);
      const renamed = uniqueName('uri-renamed');
      await api.ok('renameRegisteredModel', { name: m, newName: renamed });
      expect(await resolve(`models:/${m}@prod`)).toBeNull();
      expect(await versionOf(`models:/${renamed}@prod`)).toBe(2);
      await api.ok('deleteModelAlias', { name: renamed, alias: 'prod' });
      expect(await resolve(`models:/${renamed}@prod`)).toBeNull();
      await api.ok('deleteRegisteredModel', { name: renamed });
      expect(await resolve(`models:/${renamed}/1`)).toBeNull();
      expect(await resolve(`models:/${renamed}/latest`)).toBeNull();
    });

    it('null for an unknown model, in every form', async () => {
      const ghost = uniqueName('uri-ghost');
      for (const uri of [`models:/${ghost}/1`, `models:/${ghost}@champion`, `models:/${ghost}/latest`, `models:/${ghost}@latest`]) {
        expect(await resolve(uri), uri).toBeNull();
      }
    });

    it('several URIs in one request each get their own answer', async () => {
      const data = await api.data(
        `query M($a: String!, $b: String!, $c: String!, $d: String!) {
          a: resolveModelUri(uri: $a) { version model { name } }
          b: resolveModelUri(uri: $b) { version model { name } }
          c: resolveModelUri(uri: $c) { version model { name } }
          d: resolveModelUri(uri: $d) { version model { name } }
        }`,
        { a: `models:/${name}@champion`, b: `models:/${atName}@prod`, c: `models:/${name}/latest`, d: `models:/${atName}/2` },
      );
      expect(data).toEqual({
        a: { version: 1, model: { name } },
        b: { version: 1, model: { name: atName } },
        c: { version: 2, model: { name } },
        d: { version: 2, model: { name: atName } },
      });
    });
  });

  describe('malformed URIs', () => {
    it.each([
      'models:/',
      `models:/${'x'}/`,
      'models:/name@',
      'models:/a/b/c',
      'models:/name',
      'models:/name/abc',
      'models:/name/-1',
      'models:/@champion',
      'models:/ /1',
      'runs:/abc/model',
      'name/1',
      'MODELS:/name/1',
      '',
    ])('%j is a GraphQL error, not a server fault', async (uri) => {
      const response = await api.request(RESOLVE, { uri });
      expect(response.errors?.length, JSON.stringify(response)).toBe(1);
      // A message for the client (the masked "Unexpected error." would mean a server fault).
      expect(response.errors![0].message).not.toMatch(/^Unexpected error/);
      expect(response.errors![0].path).toEqual(['resolveModelUri']);
      expect(response.data).toEqual({ resolveModelUri: null });
    });
  });
});

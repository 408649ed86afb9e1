import { describe, expect, it } from 'vitest';
import {
  MODEL_URI_FORMS,
  MalformedUriError,
  type ModelUri,
  downloadUri,
  parseModelUri,
  referencedVersion,
} from '../../src/registry/rules/uri.ts';
import { checkAlias, checkModelName } from '../../src/registry/rules/validation.ts';

function malformed(uri: string): MalformedUriError {
  try {
    parseModelUri(uri);
  } catch (error) {
    if (error instanceof MalformedUriError) return error;
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(uri)} to be malformed, but it parsed`);
}

describe('parseModelUri: accepted forms', () => {
  it.each<[string, ModelUri]>([
    ['models:/m/1', { name: 'm', kind: 'version', version: 1 }],
    ['models:/my-model/42', { name: 'my-model', kind: 'version', version: 42 }],
    ['models:/m/007', { name: 'm', kind: 'version', version: 7 }],
    ['models:/m/2147483647', { name: 'm', kind: 'version', version: 2147483647 }],
    ['models:/my model/3', { name: 'my model', kind: 'version', version: 3 }],
    ['models:/a@b/3', { name: 'a@b', kind: 'version', version: 3 }],
    ['models:/m@champion', { name: 'm', kind: 'alias', alias: 'champion' }],
    ['models:/ñandú@producción', { name: 'ñandú', kind: 'alias', alias: 'producción' }],
    ['models:/a@b@c', { name: 'a@b', kind: 'alias', alias: 'c' }],
    ['models:/@@a', { name: '@', kind: 'alias', alias: 'a' }],
    ['models:/m@v1', { name: 'm', kind: 'alias', alias: 'v1' }],
    ['models:/m/latest', { name: 'm', kind: 'latest' }],
    ['models:/m/LATEST', { name: 'm', kind: 'latest' }],
    ['models:/m/Latest', { name: 'm', kind: 'latest' }],
    ['models:/latest/latest', { name: 'latest', kind: 'latest' }],
    // `latest` is a reserved alias, so @latest can only mean the latest version (as in MLflow).
    ['models:/m@latest', { name: 'm', kind: 'latest' }],
    ['models:/m@LaTeSt', { name: 'm', kind: 'latest' }],
    ['models:/a@b@latest', { name: 'a@b', kind: 'latest' }],
  ])('%s', (uri, expected) => {
    expect(parseModelUri(uri)).toEqual(expected);
  });
});

describe('parseModelUri: malformed', () => {
  it.each([
    // The semantic notes' list.
    ['models:/', 'the model name is missing'],
    ['models:/name/', 'the version after "/" is missing'],
    ['models:/name@', 'the alias after "@" is missing'],
    ['models:/a/b/c', 'a model name cannot contain "/"'],
    ['name/1', 'it must start with "models:/"'],
    ['runs:/x/1', 'it must start with "models:/"'],
    // Versions that are not positive integers up to 2^31 - 1.
    ['models:/m/0', 'versions start at 1'],
    ['models:/m/00', 'versions start at 1'],
    ['models:/m/-1', 'neither a positive integer nor "latest"'],
    ['models:/m/+1', 'neither a positive integer nor "latest"'],
    ['models:/m/1.5', 'neither a positive integer nor "latest"'],
    ['models:/m/1e3', 'neither a positive integer nor "latest"'],
    ['models:/m/0x1', 'neither a positive integer nor "latest"'],
    ['models:/m/abc', 'the version "abc" is neither a positive integer nor "latest"'],
    ['models:/m/Production', 'neither a positive integer nor "latest"'], // MLflow's stages are not supported
    ['models:/m/ 1', 'neither a positive integer nor "latest"'],
    ['models:/m/1 ', 'neither a positive integer nor "latest"'],
    ['models:/m/1\n', 'neither a positive integer nor "latest"'],
    ['models:/m/\n1', 'neither a positive integer nor "latest"'],
    ['models:/m/١', 'neither a positive integer nor "latest"'], // only ASCII digits
    ['models:/m/latest1', 'neither a positive integer nor "latest"'],
    ['models:/m/2147483648', 'above the highest possible, 2147483647'],
    ['models:/m/99999999999999999999999999', 'above the highest possible'],
    // Empty names.
    ['models://1', 'the model name is missing'],
    ['models:/@a', 'the model name is missing'],
    ['models:/ /1', 'the model name is missing'],
    ['models:/ @a', 'the model name is missing'],
    ['models:/@', 'the model name is missing'],
    ['models:/m@ ', 'the alias after "@" is missing'],
    // Nothing after the name.
    ['models:/m', 'it names no version, alias or "latest"'],
    ['models:/m/1/', 'a model name cannot contain "/"'],
    ['models:/m//1', 'a model name cannot contain "/"'],
    ['models:/a/b@c', 'neither a positive integer nor "latest"'],
    // The scheme is exact and lowercase.
    ['', 'it must start with "models:/"'],
    ['MODELS:/m/1', 'it must start with "models:/"'],
    ['Models:/m/1', 'it must start with "models:/"'],
    ['models:m/1', 'it must start with "models:/"'],
    ['models/m/1', 'it must start with "models:/"'],
    [' models:/m/1', 'it must start with "models:/"'],
    ['model:/m/1', 'it must start with "models:/"'],
  ])('%j: %s', (uri, reason) => {
    const error = malformed(uri);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('MalformedUriError');
    expect(error.uri).toBe(uri);
    expect(error.reason).toContain(reason);
    expect(error.message).toContain(JSON.stringify(uri));
    expect(error.message).toContain(reason);
    expect(error.message).toContain(MODEL_URI_FORMS);
  });

  it('shows the accepted forms', () => {
    expect(malformed('models:/').message).toBe(
      'malformed model URI "models:/": the model name is missing; ' +
        'expected models:/<name>/<version>, models:/<name>@<alias> or models:/<name>/latest',
    );
  });
});

describe('parseModelUri: every valid name and alias round-trips', () => {
  const names = ['m', 'a@b', '@', 'x@y@z', 'a b', 'ñandú', '😀', 'latest', 'v1', 'n'.repeat(256)];
  const aliases = ['champion', 'Canary_B-2', '123', 'v', 'v1a', '-', 'a'.repeat(255)];

  it.each(names)('name %j', (name) => {
    expect(() => checkModelName(name)).not.toThrow();
    for (const alias of aliases) {
      expect(() => checkAlias(alias)).not.toThrow();
      expect(parseModelUri(`models:/${name}@${alias}`)).toEqual({ name, kind: 'alias', alias });
    }
    expect(parseModelUri(`models:/${name}/17`)).toEqual({ name, kind: 'version', version: 17 });
    expect(parseModelUri(`models:/${name}/latest`)).toEqual({ name, kind: 'latest' });
  });
});

describe('referencedVersion: the sources whose artifacts are another version', () => {
  it.each<[string, { name: string; version: number } | null]>([
    ['models:/m/3', { name: 'm', version: 3 }],
    ['models:/a@b/12', { name: 'a@b', version: 12 }],
    // MLflow 3 LoggedModels, runs, aliases, latest, stage names and plain locations stay as they are.
    ['models:/m-0123456789abcdef', null],
    ['runs:/abc/model', null],
    ['models:/m@champion', null],
    ['models:/m/latest', null],
    ['models:/m/Production', null],
    ['s3://bucket/m/1', null],
  ])('%s', (source, expected) => {
    expect(referencedVersion(source)).toEqual(expected);
  });

  it('downloadUri is the storage location, else the source', () => {
    expect(downloadUri({ source: 'models:/m/1', storageLocation: 's3://b/1' })).toBe('s3://b/1');
    expect(downloadUri({ source: 'runs:/abc/model', storageLocation: null })).toBe('runs:/abc/model');
  });
});

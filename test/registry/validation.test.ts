import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/registry/rules/errors.ts';
import {
  LIMITS,
  checkAlias,
  checkDescription,
  checkModelName,
  checkRunId,
  checkRunLink,
  checkSource,
  checkStatusMessage,
  checkTagKey,
  checkTagValue,
  checkTags,
  codePointLength,
  isStorableText,
  pageSize,
} from '../../src/registry/rules/validation.ts';

/** The ValidationError `fn` throws; fails the test if it throws nothing or something else. */
function rejection(fn: () => void): ValidationError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ValidationError) return error;
    throw error;
  }
  throw new Error('expected a ValidationError, but the check passed');
}

function expectRejected(fn: () => void, field: string, message?: string | RegExp): ValidationError {
  const error = rejection(fn);
  expect(error.code).toBe('INVALID_ARGUMENT');
  expect(error.field).toBe(field);
  // Every message names the field at fault first.
  expect(error.message.startsWith(`${field} `)).toBe(true);
  if (typeof message === 'string') expect(error.message).toContain(message);
  else if (message) expect(error.message).toMatch(message);
  return error;
}

// A letter outside the Basic Multilingual Plane (U+1D400, category Lu): 2 UTF-16 units, 1 character,
// and valid in every field, tag keys and aliases included.
const ASTRAL_LETTER = '𝐀';
const EMOJI = '😀';

describe('LIMITS', () => {
  it('holds every limit of the semantic notes', () => {
    expect(LIMITS).toEqual({
      modelNameMin: 1,
      modelNameMax: 256,
      tagKeyMin: 1,
      tagKeyMax: 250,
      tagValueMax: 100_000,
      aliasMin: 1,
      aliasMax: 255,
      descriptionMax: 65_536,
      sourceMin: 1,
      sourceMax: 4096,
      runIdMax: 256,
      runLinkMax: 4096,
      statusMessageMax: 4096,
      pageSizeDefault: 20,
      pageSizeMin: 1,
      pageSizeMax: 100,
      versionMax: 2 ** 31 - 1,
      idempotencyKeyMin: 1,
      idempotencyKeyMax: 256,
      tagsPerInputMax: 100,
      tagsPerOwnerMax: 1000,
      tagFiltersMax: 20,
    });
  });

  it('cannot be changed at run time', () => {
    expect(Object.isFrozen(LIMITS)).toBe(true);
  });
});

describe('codePointLength', () => {
  it.each([
    ['', 0],
    ['abc', 3],
    ['ñandú', 5],
    [EMOJI, 1],
    [`a${EMOJI}b`, 3],
    [ASTRAL_LETTER.repeat(3), 3],
    ['👍🏽', 2], // thumbs up + skin tone modifier: two code points, as PostgreSQL counts
    ['\uD800', 1], // an unpaired surrogate counts once
    ['\uDE00\uD83D', 2], // a low surrogate before a high one is not a pair
  ])('%j has %i characters', (value, length) => {
    expect(codePointLength(value)).toBe(length);
  });
});

describe('isStorableText', () => {
  it.each(['', 'abc', EMOJI, 'line\nbreak\ttab', '\u0001', 'ñandú'])('accepts %j', (value) => {
    expect(isStorableText(value)).toBe(true);
  });
  it.each(['\u0000', 'a\u0000b', 'abc\u0000', '\uD800', 'a\uDC00', '\uDE00\uD83D'])('rejects %j', (value) => {
    expect(isStorableText(value)).toBe(false);
  });
});

// ---------------------------------------------------------------------------------------------
// The rules every string check shares: length in code points, NUL and unpaired surrogates, field.

interface TextCheck {
  check: (value: string, field?: string) => void;
  field: string;
  min: number;
  max: number;
  optional: boolean;
  /** Letters outside ASCII are refused, so there are no astral letters to count. */
  asciiOnly?: boolean;
}

const textChecks: Record<string, TextCheck> = {
  checkModelName: { check: checkModelName, field: 'name', min: 1, max: 256, optional: false },
  checkTagKey: { check: checkTagKey, field: 'key', min: 1, max: 250, optional: false },
  checkTagValue: { check: checkTagValue, field: 'value', min: 0, max: 100_000, optional: false },
  // ASCII only (F16), so its length in code points is its length in UTF-16 units.
  checkAlias: { check: checkAlias, field: 'alias', min: 1, max: 255, optional: false, asciiOnly: true },
  checkDescription: { check: checkDescription, field: 'description', min: 0, max: 65_536, optional: true },
  checkSource: { check: checkSource, field: 'source', min: 1, max: 4096, optional: false },
  checkRunId: { check: checkRunId, field: 'runId', min: 0, max: 256, optional: true },
  checkRunLink: { check: checkRunLink, field: 'runLink', min: 0, max: 4096, optional: true },
  checkStatusMessage: { check: checkStatusMessage, field: 'statusMessage', min: 0, max: 4096, optional: true },
};

describe.each(Object.entries(textChecks))('%s', (_, { check, field, min, max, optional, asciiOnly }) => {
  it(`accepts exactly ${max} characters`, () => {
    expect(() => check('a'.repeat(max))).not.toThrow();
  });

  it(`rejects ${max + 1} characters, naming the field and the limit`, () => {
    const error = expectRejected(() => check('a'.repeat(max + 1)), field);
    const expected =
      min > 0
        ? `${field} must be between ${min} and ${max} characters (got ${max + 1})`
        : `${field} must be at most ${max} characters (got ${max + 1})`;
    expect(error.message).toBe(expected);
  });

  it.skipIf(asciiOnly === true)('counts code points, not UTF-16 units', () => {
    expect(ASTRAL_LETTER.repeat(max).length).toBe(2 * max);
    expect(() => check(ASTRAL_LETTER.repeat(max))).not.toThrow();
    expectRejected(() => check(ASTRAL_LETTER.repeat(max + 1)), field, `(got ${max + 1})`);
  });

  if (min > 0) {
    it('rejects the empty string', () => {
      const error = expectRejected(() => check(''), field);
      expect(error.message).toBe(`${field} must be between ${min} and ${max} characters (got 0)`);
    });
  } else {
    it('accepts the empty string', () => {
      expect(() => check('')).not.toThrow();
    });
  }

  it('rejects U+0000, naming the field', () => {
    expectRejected(() => check('a\u0000b'), field, 'NUL character (U+0000)');
    expectRejected(() => check('\u0000'), field, 'U+0000');
  });

  it('rejects an unpaired surrogate', () => {
    expectRejected(() => check('a\uD800b'), field, 'unpaired UTF-16 surrogate (U+D800)');
    expectRejected(() => check('a\uDC00'), field, 'U+DC00');
  });

  it('reports the field name it is given', () => {
    expectRejected(() => check('a'.repeat(max + 1), 'input.other'), 'input.other');
    expectRejected(() => check('\u0000', 'input.other'), 'input.other');
  });

  if (optional) {
    it('accepts null and undefined', () => {
      const optionalCheck = check as (value: string | null | undefined) => void;
      expect(() => optionalCheck(null)).not.toThrow();
      expect(() => optionalCheck(undefined)).not.toThrow();
    });
  } else {
    it('rejects null and undefined, and anything but a string', () => {
      const untyped = check as (value: unknown) => void;
      expectRejected(() => untyped(null), field, `${field} must be a string`);
      expectRejected(() => untyped(undefined), field, `${field} must be a string`);
      expectRejected(() => untyped(42), field, `${field} must be a string`);
    });
  }
});

// ---------------------------------------------------------------------------------------------

describe('checkModelName', () => {
  it.each([
    'my-model',
    'Model_2.final',
    'a',
    'a b c',
    'a@b',
    'a@b@c',
    '@',
    'Ñandú modelo',
    '模型',
    EMOJI,
    'tab-free\u00a0inside', // no-break space inside is fine
    'x'.repeat(256),
  ])('accepts %j', (name) => {
    expect(() => checkModelName(name)).not.toThrow();
  });

  it.each([
    ['a/b', '"/" (U+002F), which would break models:/ URIs'],
    ['/a', '"/"'],
    ['a:b', '":" (U+003A), which would break models:/ URIs'],
    ['models:/x', '":"'],
  ])('rejects %j: %s', (name, message) => {
    expectRejected(() => checkModelName(name), 'name', message);
  });

  it.each([
    ['a\tb', 'U+0009'],
    ['a\nb', 'U+000A'],
    ['a\rb', 'U+000D'],
    ['\u001Fa', 'U+001F'],
    ['a\u007Fb', 'U+007F'],
    ['a\u0085b', 'U+0085'], // C1 controls are Cc too
    ['a\u009Fb', 'U+009F'],
  ])('rejects the control character in %j (%s)', (name, code) => {
    expectRejected(() => checkModelName(name), 'name', `must not contain the control character ${code}`);
  });

  it.each([' a', 'a ', '  ', '\u00a0a', 'a\u3000', '\u2003a', 'a\u2028', '\ufeffa'])(
    'rejects leading or trailing white space in %j',
    (name) => {
      expectRejected(() => checkModelName(name), 'name', 'name must not start or end with white space');
    },
  );

  it('reports a rename under its own field', () => {
    expectRejected(() => checkModelName('a/b', 'newName'), 'newName', 'newName must not contain "/"');
  });
});

describe('checkTagKey', () => {
  // The semantic notes' examples, MLflow's own good names, and Unicode letters and digits.
  it.each([
    'a/b/c',
    '.a',
    'x:y',
    'a b',
    'ñ/ü',
    'a',
    'Ab-5_',
    'a.b.c',
    'b.',
    'a..a/._./o_O/.e.',
    'a/b.',
    'a.a',
    'a..b', // ".." inside a segment is not a ".." segment
    ' ',
    ' a ',
    'mlflow.source.git:commit',
    'ключ',
    '键/值',
    '١٢٣', // Arabic-Indic digits (Nd)
    '½', // a numeric character (No), which Python's \w accepts
    'x'.repeat(250),
  ])('accepts %j', (key) => {
    expect(() => checkTagKey(key)).not.toThrow();
  });

  // normpath changes these, or MLflow's path_not_unique rejects them (".", "..", leading "/").
  it.each(['.', '..', '/a', 'a/', 'a//b', 'a/./b', 'a/../b', './a', '../a', 'a/..', 'a/.', '//a', '/', '..a', '...', '.. /a'])(
    'rejects the non-normalised path %j',
    (key) => {
      expectRejected(() => checkTagKey(key), 'key', `key must be a normalised relative path`);
    },
  );

  it('rejects the empty key by its length', () => {
    expectRejected(() => checkTagKey(''), 'key', 'key must be between 1 and 250 characters (got 0)');
  });

  it.each([
    ['a!b', '"!" (U+0021)'],
    ['a@b', '"@" (U+0040)'],
    ['a,b', '"," (U+002C)'],
    ['a#b', '"#" (U+0023)'],
    ['a\\b', '"\\" (U+005C)'],
    [EMOJI, '"😀" (U+1F600)'],
    ['key\n', 'U+000A'], // MLflow's `$` lets a trailing newline through; we do not
    ['a\tb', 'U+0009'],
    ['a\u200Bb', 'U+200B'], // zero-width space (Cf)
    ['a\u00a0b', 'U+00A0'], // only the plain space is allowed
    ['e\u0301', 'U+0301'], // a combining mark: not in Python's \w, so not in MLflow's keys either
  ])('rejects %j, naming the character %s', (key, found) => {
    const error = expectRejected(() => checkTagKey(key), 'key', `(found ${found})`);
    expect(error.message).toContain('may contain only letters, digits, "_", "-", ".", ":", "/" and spaces');
  });

  it('accepts the precomposed form of a letter whose decomposed form it rejects', () => {
    expect(() => checkTagKey('\u00e9')).not.toThrow();
    expect(() => checkTagKey('e\u0301')).toThrow(ValidationError);
  });
});

describe('checkTagValue', () => {
  it.each(['', ' ', 'multi\nline\ttext', '{"json": [1, 2]}', EMOJI, '\u0001'])('accepts %j', (value) => {
    expect(() => checkTagValue(value)).not.toThrow();
  });
});

describe('checkTags', () => {
  it('accepts null, undefined, no tags and distinct keys', () => {
    expect(() => checkTags(null)).not.toThrow();
    expect(() => checkTags(undefined)).not.toThrow();
    expect(() => checkTags([])).not.toThrow();
    expect(() =>
      checkTags([
        { key: 'a', value: '' },
        { key: 'A', value: 'case differs' },
        { key: 'a/b', value: 'x' },
      ]),
    ).not.toThrow();
  });

  it('names the entry whose key is invalid', () => {
    const tags = [
      { key: 'ok', value: '1' },
      { key: 'fine', value: '2' },
      { key: 'a//b', value: '3' },
    ];
    expectRejected(() => checkTags(tags), 'tags[2].key', 'tags[2].key must be a normalised relative path');
  });

  it('names the entry whose value is invalid', () => {
    const tags = [
      { key: 'a', value: '1' },
      { key: 'b', value: 'x'.repeat(100_001) },
    ];
    expectRejected(() => checkTags(tags), 'tags[1].value', 'tags[1].value must be at most 100000 characters (got 100001)');
    expectRejected(() => checkTags([{ key: 'a', value: 'a\u0000' }]), 'tags[0].value', 'U+0000');
  });

  it('rejects a key given twice on the later entry', () => {
    const tags = [
      { key: 'a', value: '1' },
      { key: 'b', value: '2' },
      { key: 'c', value: '3' },
      { key: 'a', value: '4' },
    ];
    expectRejected(() => checkTags(tags), 'tags[3].key', 'tags[3].key repeats the key "a" of tags[0].key');
  });

  it('checks entries in order: the first fault is reported', () => {
    const tags = [
      { key: 'a', value: '1' },
      { key: 'bad!', value: '2' },
      { key: 'a', value: '3' },
    ];
    expectRejected(() => checkTags(tags), 'tags[1].key');
  });

  it('uses the field name it is given', () => {
    expectRejected(() => checkTags([{ key: '', value: '' }], 'input.tags'), 'input.tags[0].key');
    expectRejected(
      () =>
        checkTags(
          [
            { key: 'k', value: '' },
            { key: 'k', value: '' },
          ],
          'input.tags',
        ),
      'input.tags[1].key',
      'of input.tags[0].key',
    );
  });
});

describe('checkAlias', () => {
  it.each([
    'champion',
    '123',
    'v',
    'V',
    'v1a',
    'va',
    'vv1',
    '1v',
    'v-1',
    'v_1',
    'version1',
    'latest1',
    'latest-x',
    'my_alias',
    'a-b',
    '-',
    '_',
    'x'.repeat(255),
  ])('accepts %j', (alias) => {
    expect(() => checkAlias(alias)).not.toThrow();
  });

  it.each(['latest', 'LATEST', 'Latest', 'lAtEsT', 'v1', 'V12', 'v0', 'V1', 'v007', 'v2147483648'])(
    'rejects the reserved alias %j',
    (alias) => {
      const error = expectRejected(() => checkAlias(alias), 'alias', `alias ${JSON.stringify(alias)} is reserved`);
      expect(error.message).toContain('"latest" (in any case) and "v" followed by digits');
    },
  );

  it.each([
    ['champion\n', 'U+000A'], // no trailing-newline hole
    ['\nchampion', 'U+000A'],
    ['a b', 'U+0020'],
    ['a.b', '"." (U+002E)'],
    ['a/b', '"/" (U+002F)'],
    ['a@b', '"@" (U+0040)'],
    ['a:b', '":" (U+003A)'],
    ['e\u0301', 'U+0301'],
    [EMOJI, '"😀" (U+1F600)'],
    // F16: look-alikes of protected aliases (fullwidth, Cyrillic о), and other scripts' letters and digits.
    ['ｐｒｏｄｕｃｔｉｏｎ', '"ｐ" (U+FF50)'],
    ['prоduction', '"о" (U+043E)'],
    ['Ω', '"Ω" (U+03A9)'],
    ['v١٢', '"١" (U+0661)'],
  ])('rejects %j, naming the character %s', (alias, found) => {
    expectRejected(() => checkAlias(alias), 'alias', `alias may contain only ASCII letters, digits, "_" and "-" (found ${found})`);
  });

  it('gives the message of the examples', () => {
    expect(rejection(() => checkAlias('a'.repeat(300))).message).toBe('alias must be between 1 and 255 characters (got 300)');
  });
});

describe('optional text fields', () => {
  it('accept free text with line breaks and any printable character', () => {
    const text = 'Line one\nLine two\ttabbed: 100% ✓ 😀';
    expect(() => checkDescription(text)).not.toThrow();
    expect(() => checkStatusMessage(text)).not.toThrow();
    expect(() => checkRunLink('https://mlflow.example/#/experiments/1/runs/abc?x=1')).not.toThrow();
    expect(() => checkRunId('0123456789abcdef0123456789abcdef')).not.toThrow();
    expect(() => checkSource('s3://bucket/path/to/model')).not.toThrow();
  });
});

describe('pageSize', () => {
  it.each([
    [null, 20],
    [undefined, 20],
    [1, 1],
    [20, 20],
    [99, 99],
    [100, 100],
  ])('gives %j -> %i', (first, size) => {
    expect(pageSize(first)).toBe(size);
  });

  it.each([
    [0, 'first must be between 1 and 100 (got 0)'],
    [-1, 'first must be between 1 and 100 (got -1)'],
    [101, 'first must be between 1 and 100 (got 101)'],
    [1000, 'first must be between 1 and 100 (got 1000)'],
    [1.5, 'first must be an integer between 1 and 100 (got 1.5)'],
    [Number.NaN, 'first must be an integer between 1 and 100 (got NaN)'],
    [Number.POSITIVE_INFINITY, 'first must be an integer between 1 and 100 (got Infinity)'],
  ])('rejects %j with a RangeError', (first, message) => {
    let thrown: unknown;
    try {
      pageSize(first);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(RangeError);
    expect(thrown).not.toBeInstanceOf(ValidationError);
    expect((thrown as RangeError).message).toBe(message);
  });
});

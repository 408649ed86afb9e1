// Every input limit and rule of the registry, in one place (MLflow's rules where we keep them; the
// README's API sections say where we are stricter). Each check throws a ValidationError naming the input field at fault, with a
// message that says what is wrong and what the limit is; the callers run the checks before they
// write anything.
//
// Conventions that hold for every check:
// - "characters" are Unicode code points, as PostgreSQL's varchar(n) and Python's len() count them,
//   not UTF-16 code units: an emoji is 1 character, not 2.
// - No string that reaches the database may contain U+0000 (PostgreSQL text cannot store it) or an
//   unpaired UTF-16 surrogate (it has no UTF-8 form: the drivers would silently store U+FFFD
//   instead, so the stored text would differ from the input, and a lookup by one string could
//   find a row stored under another).
// - "Letters and digits" are Unicode categories L and N plus `_`: exactly the characters Python's
//   `\w` matches in a str pattern (MLflow's regexes use it; checked over all code points, the two
//   differ only where Python's Unicode tables are older). Combining marks (category M) are not in
//   Python's `\w`, so as in MLflow a decomposed "é" (e + U+0301) is rejected where the
//   precomposed "é" (U+00E9) is accepted; we do not normalise input.

import { ValidationError } from './errors.ts';

/** Every input limit, in characters (Unicode code points) unless said otherwise. */
export const LIMITS = Object.freeze({
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
  /** Page sizes (`first`): a count of items. */
  pageSizeDefault: 20,
  pageSizeMin: 1,
  pageSizeMax: 100,
  /** The highest version number (a PostgreSQL integer column, 2^31 - 1). */
  versionMax: 2_147_483_647,
  /** An idempotency key: 1-256 characters (any UUID or request id fits). */
  idempotencyKeyMin: 1,
  idempotencyKeyMax: 256,
  /**
   * Tags one create input may carry (MLflow's batch limit is 100 tags per request): the write
   * holds the model's lock while it stores them.
   */
  tagsPerInputMax: 100,
  /**
   * Tags one model or one version may hold in total (set one by one past the per-input cap):
   * they are read back whole with the model or version.
   */
  tagsPerOwnerMax: 1000,
  /** Tag filters in one filter: each is its own subquery, and planning grows faster than their number. */
  tagFiltersMax: 20,
} as const);

// ---------------------------------------------------------------------------------------------
// Helpers

/** The length of `value` in Unicode code points (an unpaired surrogate counts as one). */
export function codePointLength(value: string): number {
  let n = 0;
  for (let i = 0; i < value.length; i++, n++) {
    const unit = value.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < value.length) {
      const next = value.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
    }
  }
  return n;
}

// With the u flag, a surrogate range only matches surrogates that are not part of a pair.
const UNSTORABLE = /[\u0000\uD800-\uDFFF]/u;

/**
 * Whether `value` can be stored in (and so sent to) PostgreSQL unchanged: false when it contains
 * U+0000 or an unpaired surrogate. No such string is ever stored, so a lookup by one can answer
 * "not found" without asking the database.
 */
export function isStorableText(value: string): boolean {
  return !UNSTORABLE.test(value);
}

const VISIBLE = /^[\p{L}\p{N}\p{P}\p{S}]$/u;

/** `"!"` for a visible character, `U+0009` for anything else (controls, spaces, marks, ...). */
function describeChar(char: string): string {
  const hex = `U+${char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
  return VISIBLE.test(char) ? `"${char}" (${hex})` : hex;
}

function requireString(value: unknown, field: string): asserts value is string {
  if (typeof value !== 'string') throw new ValidationError(field, `${field} must be a string`);
}

function checkStorable(value: string, field: string): void {
  const found = UNSTORABLE.exec(value);
  if (!found) return;
  throw new ValidationError(
    field,
    found[0] === '\u0000'
      ? `${field} must not contain the NUL character (U+0000)`
      : `${field} must not contain an unpaired UTF-16 surrogate (${describeChar(found[0])})`,
  );
}

/** Type, storability and length (in code points) between `min` and `max`. */
function checkText(value: unknown, field: string, min: number, max: number): asserts value is string {
  requireString(value, field);
  checkStorable(value, field);
  const length = codePointLength(value);
  if (length < min || length > max) {
    throw new ValidationError(
      field,
      min > 0
        ? `${field} must be between ${min} and ${max} characters (got ${length})`
        : `${field} must be at most ${max} characters (got ${length})`,
    );
  }
}

function checkOptionalText(value: string | null | undefined, field: string, max: number): void {
  if (value === null || value === undefined) return;
  checkText(value, field, 0, max);
}

// ---------------------------------------------------------------------------------------------
// Model names

const NAME_FORBIDDEN = /[/:\p{Cc}]/u;
const EDGE_SPACE = /^\s|\s$/u;

/**
 * A registered model's name: 1-256 characters; no `/` or `:` (so `models:/` URIs parse), no
 * control characters (Unicode Cc), no leading or trailing white space. `@` is allowed: URIs split
 * on the last `@`.
 */
export function checkModelName(value: string, field = 'name'): void {
  checkText(value, field, LIMITS.modelNameMin, LIMITS.modelNameMax);
  const forbidden = NAME_FORBIDDEN.exec(value);
  if (forbidden) {
    const why =
      forbidden[0] === '/' || forbidden[0] === ':'
        ? `${describeChar(forbidden[0])}, which would break models:/ URIs`
        : `the control character ${describeChar(forbidden[0])}`;
    throw new ValidationError(field, `${field} must not contain ${why}`);
  }
  if (EDGE_SPACE.test(value)) {
    throw new ValidationError(field, `${field} must not start or end with white space`);
  }
}

// ---------------------------------------------------------------------------------------------
// Tags

const TAG_KEY_BAD_CHAR = /[^\p{L}\p{N}_/.\- :]/u;

/**
 * MLflow's `path_not_unique` (mlflow/utils/validation.py), without Python: a key fails when
 * `posixpath.normpath(key) != key`, or the normalised key is `.`, starts with `..` or starts with
 * `/`. For a non-empty key that is the same as: some `/`-separated segment is empty (leading,
 * trailing or doubled `/`), `.` or `..`, or the key starts with `..` (so MLflow also rejects
 * `..a`, which normpath leaves alone).
 */
function isUniquePath(key: string): boolean {
  if (key.startsWith('..')) return false;
  return key.split('/').every((segment) => segment !== '' && segment !== '.' && segment !== '..');
}

/**
 * A tag key: 1-250 characters of letters, digits, `_`, `-`, `.`, space, `:` and `/`, and a
 * normalised relative path (no leading, trailing or doubled `/`, no `.` or `..` segments, not
 * starting with `..`): as in MLflow, but without its trailing-newline hole.
 */
export function checkTagKey(value: string, field = 'key'): void {
  checkText(value, field, LIMITS.tagKeyMin, LIMITS.tagKeyMax);
  const bad = TAG_KEY_BAD_CHAR.exec(value);
  if (bad) {
    throw new ValidationError(
      field,
      `${field} may contain only letters, digits, "_", "-", ".", ":", "/" and spaces (found ${describeChar(bad[0])})`,
    );
  }
  if (!isUniquePath(value)) {
    throw new ValidationError(
      field,
      `${field} must be a normalised relative path: no leading, trailing or doubled "/", ` +
        `no "." or ".." segments, and not starting with ".." (got ${JSON.stringify(value)})`,
    );
  }
}

/** A tag value: at most 100,000 characters; `""` is allowed, null is not. */
export function checkTagValue(value: string, field = 'value'): void {
  checkText(value, field, 0, LIMITS.tagValueMax);
}

/**
 * A list of tags given in one input: each key and value checked (fields `tags[2].key`,
 * `tags[2].value`), and no key given twice (the later entry's key is at fault).
 */
export function checkTags(tags: ReadonlyArray<{ key: string; value: string }> | null | undefined, field = 'tags'): void {
  if (tags === null || tags === undefined) return;
  if (tags.length > LIMITS.tagsPerInputMax) {
    throw new ValidationError(
      field,
      `${field} may hold at most ${LIMITS.tagsPerInputMax} tags (got ${tags.length}); set the rest with setModelTag / setModelVersionTag`,
    );
  }
  const firstIndex = new Map<string, number>();
  tags.forEach((tag, i) => {
    const keyField = `${field}[${i}].key`;
    checkTagKey(tag.key, keyField);
    const earlier = firstIndex.get(tag.key);
    if (earlier !== undefined) {
      throw new ValidationError(
        keyField,
        `${keyField} repeats the key ${JSON.stringify(tag.key)} of ${field}[${earlier}].key; give each key once`,
      );
    }
    firstIndex.set(tag.key, i);
    checkTagValue(tag.value, `${field}[${i}].value`);
  });
}

/** Before a tag with a new key is added to an owner (model or version) that holds `count` tags. */
export function checkTagRoom(count: number, owner: string, field = 'key'): void {
  if (count >= LIMITS.tagsPerOwnerMax) {
    throw new ValidationError(
      field,
      `${owner} already holds ${count} tags (at most ${LIMITS.tagsPerOwnerMax}); delete one before adding another`,
    );
  }
}

/** The tag filters of one listing filter: at most LIMITS.tagFiltersMax. */
export function checkTagFilters(tags: readonly unknown[] | null | undefined, field = 'filter.tags'): void {
  if (tags != null && tags.length > LIMITS.tagFiltersMax) {
    throw new ValidationError(field, `${field} may hold at most ${LIMITS.tagFiltersMax} tag filters (got ${tags.length})`);
  }
}

/**
 * An enum list (actions): each value once, so never more than the enum has values (`known`);
 * a longer list repeats values and is refused rather than sent to the database as it is.
 */
export function checkEnumList<T extends string>(
  values: readonly T[] | null | undefined,
  known: readonly string[],
  field = 'actions',
): T[] | null | undefined {
  if (values == null) return values;
  if (values.length > known.length) {
    throw new ValidationError(field, `${field} may hold at most ${known.length} values, each once (got ${values.length})`);
  }
  return [...new Set(values)];
}

// ---------------------------------------------------------------------------------------------
// Aliases

// ASCII only (MLflow allows any Unicode letter): `ｐｒｏｄｕｃｔｉｏｎ` or a Cyrillic `о` would look like
// a protected alias in most fonts and resolve elsewhere (security review F16).
const ALIAS_BAD_CHAR = /[^A-Za-z0-9_-]/u;
// Python's `\d`, which MLflow's reserved-alias regex uses, is any decimal digit (Unicode Nd).
const VERSION_LIKE = /^[vV]\p{Nd}+$/u;

/**
 * An alias: 1-255 letters, digits, `_` and `-`; `latest` (in any case) and `v` followed by digits
 * (`v1`, `V12`) are reserved, since URIs and people read them as versions.
 */
export function checkAlias(value: string, field = 'alias'): void {
  checkText(value, field, LIMITS.aliasMin, LIMITS.aliasMax);
  const bad = ALIAS_BAD_CHAR.exec(value);
  if (bad) {
    throw new ValidationError(field, `${field} may contain only ASCII letters, digits, "_" and "-" (found ${describeChar(bad[0])})`);
  }
  if (value.toLowerCase() === 'latest' || VERSION_LIKE.test(value)) {
    throw new ValidationError(
      field,
      `${field} ${JSON.stringify(value)} is reserved: "latest" (in any case) and "v" followed by digits ` +
        `(such as v1) cannot be aliases`,
    );
  }
}

// ---------------------------------------------------------------------------------------------
// Free text and references

/** A description: at most 65,536 characters; null or undefined means none. */
export function checkDescription(value: string | null | undefined, field = 'description'): void {
  checkOptionalText(value, field, LIMITS.descriptionMax);
}

/** A version's source (where its artifacts are): required, 1-4,096 characters. */
export function checkSource(value: string, field = 'source'): void {
  checkText(value, field, LIMITS.sourceMin, LIMITS.sourceMax);
}

/** The run a version came from: at most 256 characters; optional. */
export function checkRunId(value: string | null | undefined, field = 'runId'): void {
  checkOptionalText(value, field, LIMITS.runIdMax);
}

/** A link to that run: at most 4,096 characters; optional. */
export function checkRunLink(value: string | null | undefined, field = 'runLink'): void {
  checkOptionalText(value, field, LIMITS.runLinkMax);
}

/** A version's status message: at most 4,096 characters; optional. */
export function checkStatusMessage(value: string | null | undefined, field = 'statusMessage'): void {
  checkOptionalText(value, field, LIMITS.statusMessageMax);
}

// ---------------------------------------------------------------------------------------------
// Paging

/**
 * The page size for a `first` argument: the default (20) when it is not given, else it must be an
 * integer from 1 to 100. Throws a plain RangeError: the GraphQL layer turns it into a GraphQL error.
 */
export function pageSize(first: number | null | undefined): number {
  if (first === null || first === undefined) return LIMITS.pageSizeDefault;
  if (!Number.isInteger(first) || first < LIMITS.pageSizeMin || first > LIMITS.pageSizeMax) {
    const what = Number.isInteger(first) ? '' : 'an integer ';
    throw new RangeError(`first must be ${what}between ${LIMITS.pageSizeMin} and ${LIMITS.pageSizeMax} (got ${first})`);
  }
  return first;
}

/** An idempotency key: 1-256 characters, no control characters. */
export function checkIdempotencyKey(value: string, field = 'idempotencyKey'): void {
  checkText(value, field, LIMITS.idempotencyKeyMin, LIMITS.idempotencyKeyMax);
  const control = /\p{Cc}/u.exec(value);
  if (control) throw new ValidationError(field, `${field} must not contain the control character ${describeChar(control[0])}`);
}

// `models:/` URIs, as MLflow users write them (resolved by the `resolveModelUri` query):
//   models:/<name>/<version>   a version number: decimal digits, 1 to 2^31 - 1 (leading zeros allowed)
//   models:/<name>@<alias>     split on the LAST `@`, so names may contain `@`
//   models:/<name>/latest      the highest existing version; `latest` in any case
// `models:/<name>@latest` (any case) also means the latest version, as in MLflow since PR #17146:
// `latest` is a reserved alias, so it can never name a real alias.
// Only the structure is checked here: a name or alias that cannot exist parses, and resolving it
// answers "not found".

import { LIMITS } from './validation.ts';

export type ModelUri =
  | { name: string; kind: 'version'; version: number }
  | { name: string; kind: 'alias'; alias: string }
  | { name: string; kind: 'latest' };

export const MODEL_URI_SCHEME = 'models:/';

export const MODEL_URI_FORMS = 'models:/<name>/<version>, models:/<name>@<alias> or models:/<name>/latest';

export class MalformedUriError extends Error {
  constructor(
    readonly uri: string,
    /** What is wrong, without the URI or the accepted forms. */
    readonly reason: string,
  ) {
    super(`malformed model URI ${JSON.stringify(uri)}: ${reason}; expected ${MODEL_URI_FORMS}`);
    this.name = 'MalformedUriError';
  }
}

const DIGITS = /^[0-9]+$/;

/** Parses a `models:/` URI; throws MalformedUriError when it is not one of the accepted forms. */
export function parseModelUri(uri: string): ModelUri {
  const fail = (reason: string): never => {
    throw new MalformedUriError(uri, reason);
  };
  // Exact and case-sensitive (Python's urlparse, which MLflow uses, would also take `MODELS:/`).
  if (!uri.startsWith(MODEL_URI_SCHEME)) fail(`it must start with "${MODEL_URI_SCHEME}"`);
  const rest = uri.slice(MODEL_URI_SCHEME.length);
  const checkName = (name: string): void => {
    if (name.trim() === '') fail('the model name is missing');
  };

  const parts = rest.split('/');
  if (parts.length > 2) fail('a model name cannot contain "/", and only one "/<version>" may follow it');
  if (parts.length === 2) {
    const [name, suffix] = parts;
    checkName(name);
    if (suffix === '') fail('the version after "/" is missing');
    if (suffix.toLowerCase() === 'latest') return { name, kind: 'latest' };
    if (!DIGITS.test(suffix)) fail(`the version ${JSON.stringify(suffix)} is neither a positive integer nor "latest"`);
    const version = Number(suffix);
    if (version < 1) fail(`the version ${JSON.stringify(suffix)} is not positive: versions start at 1`);
    if (version > LIMITS.versionMax) fail(`the version ${suffix} is above the highest possible, ${LIMITS.versionMax}`);
    return { name, kind: 'version', version };
  }

  const at = rest.lastIndexOf('@');
  if (at < 0) {
    checkName(rest);
    fail('it names no version, alias or "latest" after the model name');
  }
  const name = rest.slice(0, at);
  const alias = rest.slice(at + 1);
  checkName(name);
  if (alias.trim() === '') fail('the alias after "@" is missing');
  if (alias.toLowerCase() === 'latest') return { name, kind: 'latest' };
  return { name, kind: 'alias', alias };
}

/**
 * The version a `models:/<name>/<version>` source refers to, whose artifacts a new version reuses
 * (MLflow's copy_model_version sends such a source); null for every other source, which is where
 * the artifacts are itself (`runs:/`, `models:/m-<id>` LoggedModels, `s3://`, ...).
 */
export function referencedVersion(source: string): { name: string; version: number } | null {
  let uri: ModelUri;
  try {
    uri = parseModelUri(source);
  } catch (error) {
    if (error instanceof MalformedUriError) return null;
    throw error;
  }
  return uri.kind === 'version' ? { name: uri.name, version: uri.version } : null;
}

/** Where a version's artifacts are: MLflow's get-download-uri. */
export function downloadUri(version: { source: string; storageLocation: string | null }): string {
  return version.storageLocation ?? version.source;
}

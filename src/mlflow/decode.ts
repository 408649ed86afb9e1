// Request decoding as MLflow's `_get_request_message` does it (mlflow/server/handlers.py): a GET
// reads the query string, or the JSON body when there is no query string; POST, PATCH and DELETE
// read the JSON body only (the Python client and the UI send DELETE with a body) and ignore the
// query string; a POST must say Content-Type application/json. On top of that, MLflow's type checks:
// `version` must be a JSON string holding an integer, `tags` a list.
import { MlflowError, invalidParameter, missingParameter } from './errors.ts';

export type Params = Record<string, unknown>;

/** A request as the transport hands it over: the body already read (GET bodies included, which fetch's Request refuses). */
export interface MlflowRequest {
  method: string;
  url: URL;
  headers: Headers;
  body: string;
}

/** The repeated fields of the routes here (search's order_by, get-latest-versions' stages). */
const REPEATED_FIELDS: ReadonlySet<string> = new Set(['order_by', 'stages']);

export function decodeParams(request: MlflowRequest): Params {
  const { url } = request;
  if (request.method === 'GET' && url.search.length > 1) {
    // MLflow reads scalar fields with args.get (the first value) and repeated ones with getlist.
    const params: Params = {};
    for (const [key, value] of url.searchParams) {
      if (REPEATED_FIELDS.has(key)) params[key] = [...((params[key] as string[] | undefined) ?? []), value];
      else if (!(key in params)) params[key] = value;
    }
    return params;
  }
  if (request.method === 'POST' && !isJson(request.headers.get('content-type'))) {
    throw new MlflowError('INVALID_PARAMETER_VALUE', "Bad Request. Content-Type must be one of ['application/json'].");
  }
  const text = request.body;
  if (text.trim() === '') return {};
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new MlflowError('BAD_REQUEST', 'The request body is not valid JSON.');
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new MlflowError('BAD_REQUEST', 'The request body must be a JSON object.');
  }
  return body as Params;
}

/** application/json, with parameters such as `; charset=utf-8` allowed (mlflow/server/validation.py). */
function isJson(contentType: string | null): boolean {
  return contentType?.split(';')[0].trim().toLowerCase() === 'application/json';
}

/** A required string: absent, null and "" are all "missing", as in MLflow's `_assert_required`. */
export function requiredString(params: Params, name: string): string {
  const value = params[name];
  if (value === undefined || value === null || value === '') throw missingParameter(name);
  if (typeof value !== 'string') throw invalidParameter(name, value);
  return value;
}

export function optionalString(params: Params, name: string): string | undefined {
  const value = params[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw invalidParameter(name, value);
  return value;
}

/** `version`: a JSON string holding an integer ({"version": 1} is refused, as MLflow refuses it). */
export function versionParam(params: Params): number {
  const text = requiredString(params, 'version');
  const number = /^\s*[+-]?\d+\s*$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(number)) {
    throw new MlflowError('INVALID_PARAMETER_VALUE', `Parameter 'version' must be an integer, got '${text}'.`);
  }
  return number;
}

/** `tags`: a list of {key, value}; a missing value is "", as MLflow stores an unset proto string. */
export function tagsParam(params: Params): { key: string; value: string }[] | undefined {
  const value = params.tags;
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw invalidParameter('tags', value);
  return value.map((tag) => {
    if (tag === null || typeof tag !== 'object' || Array.isArray(tag)) throw invalidParameter('tags', value);
    const entry = tag as Params;
    return { key: requiredString(entry, 'key'), value: optionalString(entry, 'value') ?? '' };
  });
}

/** Optional text the registry stores as absent when empty (run_id, run_link: the client sends ""). */
export function optionalText(params: Params, name: string): string | null {
  const value = optionalString(params, name);
  return value === undefined || value === '' ? null : value;
}

/** A repeated string field: absent is empty; a JSON body may send one string or a list of them. */
export function stringList(params: Params, name: string): string[] {
  const value = params[name];
  if (value === undefined || value === null) return [];
  const list = Array.isArray(value) ? value : [value];
  for (const item of list) if (typeof item !== 'string') throw invalidParameter(name, value);
  return list as string[];
}

/** A proto bool: absent is false, anything but a JSON boolean is refused. */
export function optionalBool(params: Params, name: string): boolean {
  const value = params[name];
  if (value === undefined || value === null) return false;
  if (typeof value !== 'boolean') throw invalidParameter(name, value);
  return value;
}

/** max_results: a number, or the query string's text of one (parseMaxResults checks it). */
export function optionalNumberOrText(params: Params, name: string): string | number | undefined {
  const value = params[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' && typeof value !== 'number') throw invalidParameter(name, value);
  return value;
}

// Reads an MLflow Model Registry over MLflow's REST API, which works against any MLflow, hosted ones
// included: all models (with tags and aliases), all live versions in one unfiltered paged scan, and
// the download URI of the versions whose source MLflow resolved elsewhere. REST cannot see deleted
// versions, so version high-water marks are the highest live ones (the database reader knows better).
import type { RegistrySnapshot } from '../../registry/imports/snapshot.ts';
import {
  type MlflowAliasRow,
  type MlflowModelRow,
  MlflowSourceError,
  type MlflowTagRow,
  type MlflowVersionRow,
  PROMPT_TAG,
  snapshotOfRows,
} from './mlflow-rows.ts';

export interface MlflowRestOptions {
  /** The tracking server, e.g. `http://mlflow:5000` (a path prefix such as `https://host/mlflow` is kept). */
  url: string;
  /** Sent as `Authorization: Bearer`, like MLFLOW_TRACKING_TOKEN. */
  token?: string;
  /** Sent as `Authorization: Basic`, like MLFLOW_TRACKING_USERNAME and _PASSWORD (which win over a token, as in MLflow). */
  username?: string;
  password?: string;
  /** Also read prompts (tagged `mlflow.prompt.is_prompt` = 'true'), which MLflow's searches leave out by default. */
  includePrompts?: boolean;
  fetch?: typeof fetch;
  onProgress?: (line: string) => void;
}

/** MLflow's largest page for registered-models/search; model-versions/search takes far more. */
const MODEL_PAGE_SIZE = 1000;
const VERSION_PAGE_SIZE = 10_000;
const PROMPT_FILTER = `tags.\`${PROMPT_TAG}\` = 'true'`;
/** What MLflow's own client retries (mlflow/utils/request_utils.py), fewer times: the reader only GETs. */
const RETRIED_STATUSES = new Set([408, 429, 500, 502, 503, 504]);
const RETRY_DELAYS_MS = [250, 1000];
const REQUEST_TIMEOUT_MS = 120_000;
/** How many get-download-uri requests are in flight at once. */
const DOWNLOAD_URI_CONCURRENCY = 8;

export const REST_HIGH_WATER_WARNING =
  "Version numbers continue from each model's highest live version: MLflow's REST API does not show deleted versions, " +
  'so a deleted top version number may be handed out again. Import from the database (--from-db) for exact values.';

type Json = Record<string, unknown>;
type Query = Record<string, string | undefined>;

function authorization(options: MlflowRestOptions): string | undefined {
  if ((options.username === undefined) !== (options.password === undefined)) {
    throw new MlflowSourceError('MLflow Basic authentication needs both a username and a password');
  }
  if (options.username !== undefined) return `Basic ${Buffer.from(`${options.username}:${options.password}`).toString('base64')}`;
  return options.token ? `Bearer ${options.token}` : undefined;
}

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

/** One GET of `api/2.0/mlflow/<endpoint>`, answered as JSON by MLflow, or a MlflowSourceError saying why not. */
function mlflowGetter(options: MlflowRestOptions) {
  if (!/^https?:\/\/[^/]/i.test(options.url))
    throw new MlflowSourceError(`MLflow's address must be an http:// or https:// URL, not ${JSON.stringify(options.url)}`);
  const base = options.url.replace(/\/+$/, '');
  const doFetch = options.fetch ?? fetch;
  const auth = authorization(options);
  const headers: Record<string, string> = { accept: 'application/json', ...(auth ? { authorization: auth } : {}) };
  return async function get(endpoint: string, query: Query): Promise<Json> {
    const url = new URL(`${base}/api/2.0/mlflow/${endpoint}`);
    for (const [key, value] of Object.entries(query)) if (value !== undefined) url.searchParams.set(key, value);
    const where = `MLflow at ${options.url}`;
    const what = `GET ${endpoint}`;
    for (let attempt = 0; ; attempt++) {
      let response: Response;
      let text: string;
      try {
        response = await doFetch(url, { headers, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
        text = await response.text();
      } catch (error) {
        const cause = (error as { cause?: { message?: string } }).cause?.message ?? (error as Error).message;
        throw new MlflowSourceError(`${where} cannot be reached (${what}): ${cause}`);
      }
      if (RETRIED_STATUSES.has(response.status) && attempt < RETRY_DELAYS_MS.length) {
        await sleep(RETRY_DELAYS_MS[attempt]);
        continue;
      }
      let body: unknown;
      let notJson: Error | undefined;
      try {
        body = JSON.parse(text);
      } catch (error) {
        notJson = error as Error;
      }
      const json = typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Json) : undefined;
      // MLflow's auth app refuses in plain text, its handlers in JSON: both are MLflow saying no.
      const refused = response.status === 401 || response.status === 403;
      if (!response.ok && (json || refused)) {
        const code = typeof json?.error_code === 'string' ? json.error_code : response.statusText || 'an error';
        const message = typeof json?.message === 'string' ? json.message : text.trim().slice(0, 200);
        const hint = refused ? ' (check the token, or the username and password)' : '';
        throw new MlflowSourceError(`${where} answered ${response.status} ${code} to ${what}: ${message}${hint}`);
      }
      if (notJson) {
        const type = response.headers.get('content-type') ?? 'no Content-Type';
        if (response.ok && type.includes('json'))
          throw new MlflowSourceError(`${where} answered malformed JSON to ${what}: ${notJson.message}`);
        throw new MlflowSourceError(
          `${where} did not answer like MLflow to ${what}: HTTP ${response.status}, ${type}, ${JSON.stringify(text.slice(0, 120))}. ` +
            'Is this the address of an MLflow tracking server?',
        );
      }
      if (!json) throw new MlflowSourceError(`${where} answered ${what} with JSON that is not an object`);
      return json;
    }
  };
}

type Getter = ReturnType<typeof mlflowGetter>;

/** The pieces of an answer the reader relies on, checked so that a wrong shape says where it is. */
class Shape {
  constructor(readonly where: string) {}
  fail(what: string): never {
    throw new MlflowSourceError(`${this.where}: ${what}`);
  }
  list(json: Json, key: string): Json[] {
    const value = json[key];
    if (value === undefined) return []; // MLflow omits empty lists
    if (!Array.isArray(value) || value.some((v) => typeof v !== 'object' || v === null)) this.fail(`${key} is not a list of objects`);
    return value as Json[];
  }
  text(json: Json, key: string): string | null {
    const value = json[key];
    if (value === undefined || value === null) return null;
    if (typeof value !== 'string') this.fail(`${key} is ${JSON.stringify(value)}, not a string`);
    return value;
  }
  requiredText(json: Json, key: string): string {
    return this.text(json, key) ?? this.fail(`${key} is missing`);
  }
  /** Timestamps are numbers, or numeric strings (protobuf's int64), which MLflow's client accepts too. */
  millis(json: Json, key: string): number | null {
    const value = json[key];
    if (value === undefined || value === null) return null;
    const ms = Number(value);
    if ((typeof value !== 'number' && typeof value !== 'string') || !Number.isSafeInteger(ms))
      this.fail(`${key} is ${JSON.stringify(value)}`);
    return ms;
  }
  /** `version` is a string on MLflow's wire. */
  versionNumber(json: Json, key: string): number {
    const value = json[key];
    const version = Number(value);
    if ((typeof value !== 'string' && typeof value !== 'number') || !Number.isSafeInteger(version) || version < 1) {
      this.fail(`${key} is ${JSON.stringify(value)}, not a version number`);
    }
    return version;
  }
}

/** Every page of a search: `next_page_token` until there is none. */
async function searchAll(get: Getter, endpoint: string, listKey: string, query: Query, onPage: (read: number) => void): Promise<Json[]> {
  const all: Json[] = [];
  const seenTokens = new Set<string>();
  let pageToken: string | undefined;
  for (;;) {
    const page = await get(endpoint, { ...query, page_token: pageToken });
    all.push(...new Shape(`GET ${endpoint}`).list(page, listKey));
    onPage(all.length);
    const next = page.next_page_token;
    if (next === undefined || next === null || next === '') return all;
    if (typeof next !== 'string' || seenTokens.has(next)) {
      throw new MlflowSourceError(`GET ${endpoint}: next_page_token ${JSON.stringify(next)} does not move on; stopped paging`);
    }
    seenTokens.add(next);
    pageToken = next;
  }
}

function tagRows(shape: Shape, owner: Json, name: string, version: number | null): MlflowTagRow[] {
  // A tag whose value is NULL in MLflow's database arrives without `value`.
  return shape.list(owner, 'tags').map((tag) => ({ name, version, key: shape.requiredText(tag, 'key'), value: shape.text(tag, 'value') }));
}

/** The registry, read whole over MLflow's REST API at `options.url`. */
export async function readMlflowRest(options: MlflowRestOptions): Promise<RegistrySnapshot> {
  const get = mlflowGetter(options);
  const progress = options.onProgress ?? (() => {});
  const filters: (string | undefined)[] = options.includePrompts ? [undefined, PROMPT_FILTER] : [undefined];

  const models: MlflowModelRow[] = [];
  const versions: MlflowVersionRow[] = [];
  const tags: MlflowTagRow[] = [];
  const aliases: MlflowAliasRow[] = [];
  for (const filter of filters) {
    const kind = filter ? 'prompts' : 'registered models';
    const found = await searchAll(
      get,
      'registered-models/search',
      'registered_models',
      { max_results: String(MODEL_PAGE_SIZE), filter },
      (n) => progress(`${kind}: ${n} read`),
    );
    for (const entry of found) {
      const shape = new Shape('GET registered-models/search');
      const name = shape.requiredText(entry, 'name');
      models.push({
        name,
        creationTime: shape.millis(entry, 'creation_timestamp'),
        lastUpdatedTime: shape.millis(entry, 'last_updated_timestamp'),
        description: shape.text(entry, 'description'),
      });
      tags.push(...tagRows(shape, entry, name, null));
      for (const alias of shape.list(entry, 'aliases')) {
        aliases.push({ name, alias: shape.requiredText(alias, 'alias'), version: shape.versionNumber(alias, 'version') });
      }
    }
  }
  for (const filter of filters) {
    const kind = filter ? 'prompt versions' : 'model versions';
    const found = await searchAll(get, 'model-versions/search', 'model_versions', { max_results: String(VERSION_PAGE_SIZE), filter }, (n) =>
      progress(`${kind}: ${n} read`),
    );
    for (const entry of found) {
      const shape = new Shape('GET model-versions/search');
      const name = shape.requiredText(entry, 'name');
      const version = shape.versionNumber(entry, 'version');
      versions.push({
        name,
        version,
        creationTime: shape.millis(entry, 'creation_timestamp'),
        lastUpdatedTime: shape.millis(entry, 'last_updated_timestamp'),
        description: shape.text(entry, 'description'),
        currentStage: shape.text(entry, 'current_stage'),
        source: shape.text(entry, 'source'),
        storageLocation: null,
        runId: shape.text(entry, 'run_id'),
        runLink: shape.text(entry, 'run_link'),
        status: shape.text(entry, 'status'),
        statusMessage: shape.text(entry, 'status_message'),
      });
      tags.push(...tagRows(shape, entry, name, version));
    }
  }

  await resolveStorageLocations(get, versions, progress);
  return snapshotOfRows(
    { models, versions, tags, aliases },
    { origin: `MLflow at ${options.url}`, includePrompts: options.includePrompts, warnings: [REST_HIGH_WATER_WARNING] },
  );
}

/**
 * MLflow resolves a `models:/` source (another registered version, or an MLflow 3 logged model) to
 * where its artifacts are, and only get-download-uri tells; every other source is its own location.
 */
async function resolveStorageLocations(get: Getter, versions: MlflowVersionRow[], progress: (line: string) => void): Promise<void> {
  const resolved = versions.filter((v) => v.source?.startsWith('models:/'));
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < resolved.length) {
      const version = resolved[next++];
      const answer = await get('model-versions/get-download-uri', { name: version.name, version: String(version.version) });
      version.storageLocation = new Shape('GET model-versions/get-download-uri').requiredText(answer, 'artifact_uri');
      progress(`download URIs: ${++done}/${resolved.length}`);
    }
  };
  await Promise.all(Array.from({ length: Math.min(DOWNLOAD_URI_CONCURRENCY, resolved.length) }, worker));
}

// A stand-in for MLflow 3.6's tracking server, serving the reads the importer makes from an
// MlflowData description, in the shapes of the recorded traffic (../fixtures/mlflow/): offset page
// tokens as base64 of Python's `{"offset": N}`, max_results honoured and bounded as MLflow bounds
// it, empty lists and a model's empty description omitted, versions as strings, prompts hidden from
// both searches unless the filter asks for them, aliases only in model search results (dangling ones
// included, as MLflow lists them). Deleted versions are invisible, as over MLflow's REST.
//
//   const mlflow = await startMlflowStandIn(data, { token: 's3cret', maxPageSize: 2 });
//   ... readMlflowRest({ url: mlflow.url, token: 's3cret' }) ...; await mlflow.close();
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PROMPT_TAG } from '../../src/mlflow/import/mlflow-rows.ts';
import { type MlflowData, type MlflowDataModel, type MlflowDataVersion, liveVersions, storageLocationOf } from './mlflow-data.ts';

export type StandInEndpoint = 'registered-models/search' | 'model-versions/search' | 'model-versions/get-download-uri';

export interface StandInFault {
  endpoint: StandInEndpoint;
  /** Which call to that endpoint (1 is the first) answers wrongly; every call when left out. */
  call?: number;
  /** A 500 INTERNAL_ERROR, a 200 whose JSON is cut short, or a 200 HTML page (a proxy's login page, say). */
  answer: 'internal-error' | 'malformed-json' | 'html';
}

export interface StandInRequest {
  endpoint: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  /** How many times this endpoint has been called, this call included. */
  call: number;
}

export interface StandInOptions {
  /** Requires `Authorization: Bearer <token>`; 401 UNAUTHENTICATED otherwise. */
  token?: string;
  /** Requires `Authorization: Basic` with these; 401 UNAUTHENTICATED otherwise. */
  basic?: { username: string; password: string };
  /** Pages no longer than this whatever max_results asks for, so that small data spans several pages. */
  maxPageSize?: number;
  faults?: StandInFault[];
  /** Called before each answer; it may change `data` (another writer, between two pages). */
  onRequest?: (request: StandInRequest) => void;
}

export interface MlflowStandIn {
  url: string;
  /** Every request, in order. */
  requests: StandInRequest[];
  close(): Promise<void>;
}

type Json = Record<string, unknown>;

// The filters the importer and MLflow's client send about prompts; the stand-in knows no others.
const HIDE_PROMPTS = /^tags?\.`mlflow\.prompt\.is_prompt`\s*!=\s*'true'$/;
const ONLY_PROMPTS = /^tags?\.`mlflow\.prompt\.is_prompt`\s*=\s*'true'$/;

class MlflowFailure extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: string,
    message: string,
  ) {
    super(message);
  }
}

const isPrompt = (tags: Record<string, string | null> | undefined) => tags?.[PROMPT_TAG] === 'true';

const nonEmpty = (key: string, list: readonly unknown[]): Json => (list.length > 0 ? { [key]: list } : {});

// A NULL tag value is an unset proto field: MLflow's JSON leaves `value` out.
const tagsJson = (tags: Record<string, string | null> | undefined) =>
  nonEmpty(
    'tags',
    Object.entries(tags ?? {}).map(([key, value]) => (value === null ? { key } : { key, value })),
  );

function versionJson(model: MlflowDataModel, v: MlflowDataVersion): Json {
  return {
    name: model.name,
    version: String(v.version),
    creation_timestamp: v.createdAt,
    last_updated_timestamp: v.updatedAt,
    current_stage: v.stage ?? 'None',
    description: v.description ?? '',
    source: v.source,
    run_id: v.runId ?? '',
    status: v.status ?? 'READY',
    ...(v.statusMessage ? { status_message: v.statusMessage } : {}),
    ...tagsJson(v.tags),
    run_link: v.runLink ?? '',
  };
}

function modelJson(model: MlflowDataModel): Json {
  const latest = new Map<string, MlflowDataVersion>();
  for (const v of liveVersions(model)) {
    const stage = v.stage ?? 'None';
    if ((latest.get(stage)?.version ?? 0) < v.version) latest.set(stage, v);
  }
  return {
    name: model.name,
    creation_timestamp: model.createdAt,
    last_updated_timestamp: model.updatedAt,
    ...(model.description ? { description: model.description } : {}),
    ...nonEmpty(
      'latest_versions',
      [...latest.values()].sort((a, b) => a.version - b.version).map((v) => versionJson(model, v)),
    ),
    ...tagsJson(model.tags),
    ...nonEmpty(
      'aliases',
      Object.entries(model.aliases ?? {}).map(([alias, version]) => ({ alias, version: String(version) })),
    ),
  };
}

/** Which entities a search filter keeps: MLflow hides prompts unless the filter asks for them. */
function promptFilter(filter: string | null): (tags: Record<string, string | null> | undefined) => boolean {
  const text = filter?.trim() ?? '';
  if (text === '' || HIDE_PROMPTS.test(text)) return (tags) => !isPrompt(tags);
  if (ONLY_PROMPTS.test(text)) return isPrompt;
  throw new MlflowFailure(400, 'INVALID_PARAMETER_VALUE', `The MLflow stand-in does not implement the filter ${JSON.stringify(text)}`);
}

const pageToken = (offset: number) => Buffer.from(`{"offset": ${offset}}`).toString('base64');

function offsetOf(token: string | null): number {
  if (!token) return 0;
  try {
    const offset = JSON.parse(Buffer.from(token, 'base64').toString('utf8')).offset;
    if (Number.isSafeInteger(offset) && offset >= 0) return offset;
  } catch {}
  throw new MlflowFailure(400, 'INVALID_PARAMETER_VALUE', 'Invalid page token, could not base64-decode');
}

function maxResults(query: URLSearchParams, byDefault: number, limit: number): number {
  const raw = query.get('max_results');
  if (raw === null) return byDefault;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 1 || value > limit) {
    throw new MlflowFailure(400, 'INVALID_PARAMETER_VALUE', `Invalid value "${raw}" for parameter 'max_results' supplied.`);
  }
  return value;
}

export async function startMlflowStandIn(data: MlflowData, options: StandInOptions = {}): Promise<MlflowStandIn> {
  const requests: StandInRequest[] = [];
  const calls = new Map<string, number>();

  function page(query: URLSearchParams, all: Json[], listKey: string, byDefault: number, limit: number): Json {
    const size = Math.min(maxResults(query, byDefault, limit), options.maxPageSize ?? Number.POSITIVE_INFINITY);
    const offset = offsetOf(query.get('page_token'));
    const rows = all.slice(offset, offset + size);
    return { ...nonEmpty(listKey, rows), ...(offset + size < all.length ? { next_page_token: pageToken(offset + size) } : {}) };
  }

  const answers: Record<StandInEndpoint, (query: URLSearchParams) => Json> = {
    'registered-models/search': (query) => {
      const keep = promptFilter(query.get('filter'));
      const models = data.models.filter((m) => keep(m.tags)).sort((a, b) => (a.name < b.name ? -1 : 1));
      return page(query, models.map(modelJson), 'registered_models', 100, 1000);
    },
    'model-versions/search': (query) => {
      const keep = promptFilter(query.get('filter'));
      const versions = data.models.flatMap((m) => liveVersions(m).map((v) => ({ m, v }))).filter(({ v }) => keep(v.tags));
      // MLflow's default order: last_updated_timestamp DESC, name ASC, version_number DESC.
      versions.sort(
        (a, b) => b.v.updatedAt - a.v.updatedAt || (a.m.name < b.m.name ? -1 : a.m.name > b.m.name ? 1 : 0) || b.v.version - a.v.version,
      );
      return page(
        query,
        versions.map(({ m, v }) => versionJson(m, v)),
        'model_versions',
        200_000,
        200_000,
      );
    },
    'model-versions/get-download-uri': (query) => {
      const name = query.get('name');
      const number = Number(query.get('version'));
      const version = liveVersions(data.models.find((m) => m.name === name) ?? { name: '', createdAt: 0, updatedAt: 0 }).find(
        (v) => v.version === number,
      );
      if (!version)
        throw new MlflowFailure(404, 'RESOURCE_DOES_NOT_EXIST', `Model Version (name=${name}, version=${query.get('version')}) not found`);
      return { artifact_uri: storageLocationOf(version) };
    },
  };

  function authorized(headers: IncomingHttpHeaders): boolean {
    const expected = options.token
      ? `Bearer ${options.token}`
      : options.basic
        ? `Basic ${Buffer.from(`${options.basic.username}:${options.basic.password}`).toString('base64')}`
        : undefined;
    return expected === undefined || headers.authorization === expected;
  }

  const send = (res: ServerResponse, status: number, type: string, body: string) =>
    res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) }).end(body);

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://stand-in');
    const endpoint = url.pathname.replace(/^\/api\/2\.0\/mlflow\//, '');
    const call = (calls.get(endpoint) ?? 0) + 1;
    calls.set(endpoint, call);
    const request = { endpoint, query: url.searchParams, headers: req.headers, call };
    requests.push(request);
    const answer = req.method === 'GET' ? answers[endpoint as StandInEndpoint] : undefined;
    if (!answer) return send(res, 404, 'text/html; charset=utf-8', '<!doctype html>\n<title>404 Not Found</title>\n<h1>Not Found</h1>');
    if (!authorized(req.headers)) {
      return send(res, 401, 'application/json', JSON.stringify({ error_code: 'UNAUTHENTICATED', message: 'You are not authenticated.' }));
    }
    try {
      options.onRequest?.(request);
      const body = JSON.stringify(answer(url.searchParams));
      const fault = options.faults?.find((f) => f.endpoint === endpoint && (f.call === undefined || f.call === call));
      if (fault?.answer === 'internal-error') {
        return send(res, 500, 'application/json', JSON.stringify({ error_code: 'INTERNAL_ERROR', message: 'Injected fault' }));
      }
      if (fault?.answer === 'malformed-json') return send(res, 200, 'application/json', body.slice(0, Math.ceil(body.length / 2)));
      if (fault?.answer === 'html') return send(res, 200, 'text/html; charset=utf-8', '<!doctype html><title>Sign in</title>');
      send(res, 200, 'application/json', body);
    } catch (error) {
      if (!(error instanceof MlflowFailure)) throw error;
      send(res, error.status, 'application/json', JSON.stringify({ error_code: error.errorCode, message: error.message }));
    }
  });
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((closed, failed) => {
        server.closeAllConnections();
        server.close((error) => (error ? failed(error) : closed()));
      }),
  };
}

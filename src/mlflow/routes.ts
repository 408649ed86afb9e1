// The Model Registry routes of MLflow 3.6 this server answers (rows of §1.2 in
// /work/shared/notes/mlflow-rest-api.md), each one registry command or read with the caller's
// Access, and MLflow's answer. Paths are after /api/2.0/mlflow (and /ajax-api/2.0/mlflow).
//
// Creates are safe against the client's resends (retry-guard.ts): each runs under a key, the
// `Idempotency-Key` header's when sent, otherwise one released once the answer was handed over.
import type { Access } from '../auth/access.ts';
import type { Registry } from '../registry/registry.ts';
import type { RequestGuard } from './retry-guard.ts';
import type { RegistryReads } from '../registry/reads.ts';
import { AlreadyExistsError } from '../registry/rules/errors.ts';
import { parseStage } from '../registry/rules/stages.ts';
import { downloadUri } from '../registry/rules/uri.ts';
import {
  type Params,
  optionalBool,
  optionalNumberOrText,
  optionalString,
  optionalText,
  requiredString,
  stringList,
  tagsParam,
  versionParam,
} from './decode.ts';
import { aliasNotFound, modelAlreadyExists, modelNotFound, versionNotFound } from './errors.ts';
import { type SearchParams, parseModelSearch, parseVersionSearch } from './search-filter.ts';
import { renderModel, renderModels, renderVersion, renderVersions, renderVersionsWithoutAliases } from './shapes.ts';

export interface RouteContext {
  access: Access;
  registry: Registry;
  reads: RegistryReads;
  params: Params;
  /** The key and lifetime a create runs under: the `Idempotency-Key` header's, or one guarding against resends (retry-guard.ts). */
  idempotency: RequestGuard['idempotency'];
}

export type RouteHandler = (ctx: RouteContext) => Promise<Record<string, unknown>>;

export type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';

export interface Route {
  method: Method;
  path: string;
  handle: RouteHandler;
}

/** Routes someone else is adding; until then they answer MLflow's 404 ENDPOINT_NOT_FOUND like any unknown route. */
export const PENDING_ROUTES: readonly { method: Method; path: string; todo: string }[] = [];

/** A write MLflow answers with `{}`. */
function noPayload(method: Method, path: string, run: (ctx: RouteContext) => Promise<unknown>): Route {
  return {
    method,
    path,
    async handle(ctx) {
      await run(ctx);
      return {};
    },
  };
}

async function visibleModel(reads: RegistryReads, name: string) {
  const model = await reads.model(name);
  if (!model) throw modelNotFound(name);
  return model;
}

/** Model create and rename meet a taken name; MLflow names it in its own words. */
async function namingModel<T>(name: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw error instanceof AlreadyExistsError ? modelAlreadyExists(name) : error;
  }
}

/** search's parameters, type-checked (their values are checked by parseModelSearch / parseVersionSearch). */
function searchParams(params: Params): SearchParams {
  return {
    filter: optionalString(params, 'filter'),
    max_results: optionalNumberOrText(params, 'max_results'),
    order_by: stringList(params, 'order_by'),
    page_token: optionalString(params, 'page_token'),
  };
}

/** `next_page_token` only when another page exists, as MLflow. */
function pageToken(token: string | null): Record<string, unknown> {
  return token === null ? {} : { next_page_token: token };
}

/** MLflow's get-latest-versions: the highest version per asked stage (every stage without any), with aliases. */
async function latestVersions({ reads, params }: RouteContext): Promise<Record<string, unknown>> {
  const name = requiredString(params, 'name');
  const stages = stringList(params, 'stages').map((s) => parseStage(s, 'stages'));
  const model = await visibleModel(reads, name);
  const versions = await reads.latestVersionsByStage(model.id, stages);
  return nonEmpty('model_versions', await renderVersions(reads, versions, model.name));
}

function nonEmpty(key: string, list: readonly unknown[]): Record<string, unknown> {
  return list.length > 0 ? { [key]: list } : {};
}

export const ROUTES: readonly Route[] = [
  {
    method: 'POST',
    path: '/registered-models/create',
    async handle({ access, registry, reads, params, idempotency }) {
      const name = requiredString(params, 'name');
      const model = { name, description: optionalString(params, 'description') ?? null, tags: tagsParam(params) ?? null };
      const guarded = await idempotency('createRegisteredModel', model);
      const { registeredModel } = await namingModel(name, () => registry.createRegisteredModel(access, { ...model, ...guarded }));
      return { registered_model: await renderModel(reads, registeredModel) };
    },
  },
  {
    method: 'GET',
    path: '/registered-models/get',
    async handle({ reads, params }) {
      const model = await visibleModel(reads, requiredString(params, 'name'));
      return { registered_model: await renderModel(reads, model) };
    },
  },
  {
    method: 'PATCH',
    path: '/registered-models/update',
    async handle({ access, registry, reads, params }) {
      const { registeredModel } = await registry.updateRegisteredModel(access, {
        name: requiredString(params, 'name'),
        description: optionalString(params, 'description'),
      });
      return { registered_model: await renderModel(reads, registeredModel) };
    },
  },
  {
    method: 'POST',
    path: '/registered-models/rename',
    async handle({ access, registry, reads, params }) {
      const name = requiredString(params, 'name');
      const newName = requiredString(params, 'new_name');
      const { registeredModel } = await namingModel(newName, () => registry.renameRegisteredModel(access, { name, newName }));
      return { registered_model: await renderModel(reads, registeredModel) };
    },
  },
  noPayload('DELETE', '/registered-models/delete', ({ access, registry, params }) =>
    registry.deleteRegisteredModel(access, { name: requiredString(params, 'name') }),
  ),
  {
    method: 'GET',
    path: '/registered-models/search',
    async handle({ reads, params }) {
      const page = await reads.searchModels(parseModelSearch(searchParams(params)));
      return { ...nonEmpty('registered_models', await renderModels(reads, page.rows)), ...pageToken(page.nextPageToken) };
    },
  },
  { method: 'POST', path: '/registered-models/get-latest-versions', handle: latestVersions },
  { method: 'GET', path: '/registered-models/get-latest-versions', handle: latestVersions },
  noPayload('POST', '/registered-models/set-tag', ({ access, registry, params }) =>
    registry.setRegisteredModelTag(access, {
      name: requiredString(params, 'name'),
      key: requiredString(params, 'key'),
      value: optionalString(params, 'value') ?? '',
    }),
  ),
  noPayload('DELETE', '/registered-models/delete-tag', ({ access, registry, params }) =>
    registry.deleteRegisteredModelTag(access, { name: requiredString(params, 'name'), key: requiredString(params, 'key') }),
  ),
  noPayload('POST', '/registered-models/alias', ({ access, registry, params }) =>
    registry.setModelAlias(access, {
      name: requiredString(params, 'name'),
      alias: requiredString(params, 'alias'),
      version: versionParam(params),
    }),
  ),
  noPayload('DELETE', '/registered-models/alias', ({ access, registry, params }) =>
    registry.deleteModelAlias(access, { name: requiredString(params, 'name'), alias: requiredString(params, 'alias') }),
  ),
  {
    method: 'GET',
    path: '/registered-models/alias',
    async handle({ reads, params }) {
      const name = requiredString(params, 'name');
      const alias = requiredString(params, 'alias');
      await visibleModel(reads, name);
      const found = await reads.alias(name, alias);
      const [version] = found ? await reads.versionsByIds([found.versionId]) : [];
      if (!version) throw aliasNotFound(alias);
      return { model_version: await renderVersion(reads, version, name) };
    },
  },
  {
    method: 'POST',
    path: '/model-versions/create',
    async handle({ access, registry, reads, params, idempotency }) {
      // model_id (MLflow 3's LoggedModel) is accepted and not kept: MLflow never returns it either,
      // and the source (`models:/m-…`) stays as sent, for the tracking server to resolve.
      optionalString(params, 'model_id');
      const version = {
        name: requiredString(params, 'name'),
        source: requiredString(params, 'source'),
        runId: optionalText(params, 'run_id'),
        runLink: optionalText(params, 'run_link'),
        description: optionalString(params, 'description') ?? null,
        tags: tagsParam(params) ?? null,
      };
      const guarded = await idempotency('createModelVersion', version);
      const { modelVersion, registeredModel } = await registry.createModelVersion(access, { ...version, ...guarded });
      return { model_version: await renderVersion(reads, modelVersion, registeredModel.name) };
    },
  },
  {
    method: 'GET',
    path: '/model-versions/get',
    async handle({ reads, params }) {
      const name = requiredString(params, 'name');
      const number = versionParam(params);
      const version = await reads.version(name, number);
      if (!version) throw versionNotFound(name, number);
      return { model_version: await renderVersion(reads, version, name) };
    },
  },
  {
    method: 'PATCH',
    path: '/model-versions/update',
    async handle({ access, registry, reads, params }) {
      const { modelVersion, registeredModel } = await registry.updateModelVersion(access, {
        name: requiredString(params, 'name'),
        version: versionParam(params),
        description: optionalString(params, 'description'),
      });
      return { model_version: await renderVersion(reads, modelVersion, registeredModel.name) };
    },
  },
  {
    method: 'POST',
    path: '/model-versions/transition-stage',
    async handle({ access, registry, reads, params }) {
      const { modelVersion, registeredModel } = await registry.transitionModelVersionStage(access, {
        name: requiredString(params, 'name'),
        version: versionParam(params),
        stage: requiredString(params, 'stage'),
        archiveExistingVersions: optionalBool(params, 'archive_existing_versions'),
      });
      return { model_version: await renderVersion(reads, modelVersion, registeredModel.name) };
    },
  },
  {
    method: 'GET',
    path: '/model-versions/search',
    async handle({ reads, params }) {
      const page = await reads.searchVersions(parseVersionSearch(searchParams(params)));
      return { ...nonEmpty('model_versions', await renderVersionsWithoutAliases(reads, page.rows)), ...pageToken(page.nextPageToken) };
    },
  },
  {
    method: 'GET',
    path: '/model-versions/get-download-uri',
    async handle({ reads, params }) {
      const name = requiredString(params, 'name');
      const number = versionParam(params);
      const version = await reads.version(name, number);
      if (!version) throw versionNotFound(name, number);
      return { artifact_uri: downloadUri(version) };
    },
  },
  noPayload('DELETE', '/model-versions/delete', ({ access, registry, params }) =>
    registry.deleteModelVersion(access, { name: requiredString(params, 'name'), version: versionParam(params) }),
  ),
  noPayload('POST', '/model-versions/set-tag', ({ access, registry, params }) =>
    registry.setModelVersionTag(access, {
      name: requiredString(params, 'name'),
      version: versionParam(params),
      key: requiredString(params, 'key'),
      value: optionalString(params, 'value') ?? '',
    }),
  ),
  noPayload('DELETE', '/model-versions/delete-tag', ({ access, registry, params }) =>
    registry.deleteModelVersionTag(access, {
      name: requiredString(params, 'name'),
      version: versionParam(params),
      key: requiredString(params, 'key'),
    }),
  ),
];

// The answer-equivalence check: servers that answer differently are not doing the same work, and
// comparing their throughput would mean nothing. The same holds between an MLflow-REST workload and
// its GraphQL twin: their answers, in each API's own shape, must carry the same data.
import { isDeepStrictEqual } from 'node:util';
import { type SeedOptions, modelName } from '../scripts/lib/seed-data.ts';
import type { ServerProcess } from './children.ts';
import { httpRequest, searchFragments, versionInput } from './load.ts';
import { serversOf } from './measure.ts';
import { POSTGRAPHILE } from './postgraphile.ts';
import {
  type BenchRequest,
  type GraphQLBody,
  type MlflowRequest,
  WORKLOAD_SPECS,
  type WorkloadName,
  aliasLookupBody,
  aliasMoveBody,
  dashboardBody,
  mlflowAliasLookup,
  mlflowAliasMove,
  mlflowModelSearch,
  mlflowVersionCreate,
  modelSearchBody,
  versionCreateBody,
} from './workloads.ts';

type Json = Record<string, unknown>;

/** The object at `path` inside a parsed answer (the checks compare what they find, so a missing one fails there). */
function at(json: unknown, ...path: string[]): Json {
  return path.reduce<unknown>((value, key) => (value as Json | null | undefined)?.[key], json) as Json;
}

/** The answer, in our shape when the server speaks another dialect (PostGraphile); `text` is what it sent. */
async function send(server: ServerProcess, request: BenchRequest): Promise<{ text: string; json: Json }> {
  const { method, path, body } = httpRequest(request, new URL(server.url).pathname, server.dialect);
  const url = new URL(path, server.url);
  const response = await fetch(url, { method, headers: { 'content-type': 'application/json' }, body });
  const text = await response.text();
  if (response.status !== 200) {
    const hint = request.protocol === 'mlflow' ? ' (leave the mlflow-* workloads out with --workloads for a server without them)' : '';
    throw new Error(`${server.name}: ${method} ${url.pathname} answered ${response.status}${hint}: ${text.slice(0, 500)}`);
  }
  const json = JSON.parse(text) as Json;
  if (server.dialect && request.protocol === 'graphql') return { text, json: server.dialect.toOurs(request.body, json) };
  return { text, json };
}

const graphql = (body: GraphQLBody): BenchRequest => ({ protocol: 'graphql', body });

/** The parsed answer to a GraphQL body or an MLflow request. */
async function answer(server: ServerProcess, request: GraphQLBody | MlflowRequest): Promise<Json> {
  return (await send(server, 'query' in request ? graphql(request) : { protocol: 'mlflow', ...request })).json;
}

/** Every server answers `request` with the same JSON, compared parsed (the raw server's JSON has PostgreSQL's spacing). */
async function sameEverywhere(servers: ServerProcess[], request: BenchRequest, label: string): Promise<string> {
  const answers = await Promise.all(servers.map((s) => send(s, request)));
  for (let i = 1; i < answers.length; i++) {
    if (!isDeepStrictEqual(answers[i].json, answers[0].json)) {
      throw new Error(
        `${servers[i].name} and ${servers[0].name} answer ${label} differently:\n` +
          `${JSON.stringify(answers[0].json).slice(0, 400)}\n${JSON.stringify(answers[i].json).slice(0, 400)}`,
      );
    }
  }
  return answers[0].text;
}

function same(server: ServerProcess, what: string, mlflow: unknown, graphqlTwin: unknown): void {
  if (!isDeepStrictEqual(mlflow, graphqlTwin)) {
    throw new Error(
      `${server.name}: ${what}: MLflow and GraphQL answers differ:\n` +
        `${JSON.stringify(mlflow).slice(0, 400)}\n${JSON.stringify(graphqlTwin).slice(0, 400)}`,
    );
  }
}

// --- one shape for both APIs' data ------------------------------------------------------------

interface Tag {
  key: string;
  value: string;
}
const sortedTags = (tags: Tag[] | undefined) => [...(tags ?? [])].sort((a, b) => a.key.localeCompare(b.key));
const ms = (iso: string) => Date.parse(iso);

/** A version as MLflow renders it (version as a string, "" for unset text, MLflow's stage spelling). */
function mlflowVersion(v: Json) {
  return {
    version: Number(v.version),
    source: v.source,
    status: v.status,
    stage: String(v.current_stage).toUpperCase(),
    description: v.description || null,
    runId: v.run_id || null,
    runLink: v.run_link || null,
    createdAt: v.creation_timestamp,
    updatedAt: v.last_updated_timestamp,
    tags: sortedTags(v.tags as Tag[]),
  };
}

function graphqlVersion(v: Json) {
  return {
    version: v.version,
    source: v.source,
    status: v.status,
    stage: v.stage,
    description: v.description,
    runId: v.runId,
    runLink: v.runLink,
    createdAt: ms(v.createdAt as string),
    updatedAt: ms(v.updatedAt as string),
    tags: sortedTags(v.tags as Tag[]),
  };
}

/** MLflow's latest_versions is the highest version of each stage; the seeded versions are all in one stage. */
function mlflowModel(m: Json) {
  const latest = (m.latest_versions as Json[] | undefined) ?? [];
  return {
    name: m.name,
    description: m.description ?? null,
    createdAt: m.creation_timestamp,
    updatedAt: m.last_updated_timestamp,
    tags: sortedTags(m.tags as Tag[]),
    aliases: ((m.aliases as Json[] | undefined) ?? []).map((a) => ({ alias: a.alias, version: Number(a.version) })),
    latestVersion: latest.length ? mlflowVersion(latest[latest.length - 1]) : null,
  };
}

function graphqlModel(m: Json) {
  return {
    name: m.name,
    description: m.description,
    createdAt: ms(m.createdAt as string),
    updatedAt: ms(m.updatedAt as string),
    tags: sortedTags(m.tags as Tag[]),
    aliases: (m.aliases as Json[]).map((a) => ({ alias: a.alias, version: (a.version as Json).version })),
    latestVersion: m.latestVersion ? graphqlVersion(m.latestVersion as Json) : null,
  };
}

// --- the checks -------------------------------------------------------------------------------

/** What each MLflow workload must match in its twin, on one server; the writes leave the data as they found it, but for the versions created. */
const TWIN_CHECKS: Partial<Record<WorkloadName, (server: ServerProcess, seed: SeedOptions) => Promise<void>>> = {
  'mlflow-alias-lookup': async (server, seed) => {
    const name = modelName(seed, 0);
    const rest = at(await answer(server, mlflowAliasLookup(name)), 'model_version');
    const twin = at(await answer(server, aliasLookupBody(name)), 'data', 'registeredModel', 'versionByAlias');
    same(server, `champion of ${name}`, { version: Number(rest.version), source: rest.source }, twin);
  },
  'mlflow-model-search': async (server, seed) => {
    const fragments = searchFragments(seed);
    const fragment = fragments[1 % fragments.length];
    const rest = at(await answer(server, mlflowModelSearch(fragment)), 'registered_models') as unknown as Json[];
    const twin = at(await answer(server, modelSearchBody(fragment)), 'data', 'registeredModels', 'nodes') as unknown as Json[];
    same(server, `models named *${fragment}*`, rest.map(mlflowModel), twin.map(graphqlModel));
  },
  // Each API moves champion, the other API reads where it went: away from the newest version and back.
  'mlflow-alias-move': async (server, seed) => {
    const name = modelName(seed, 0);
    await answer(server, mlflowAliasMove(name, seed.versions - 2));
    const lookup = at(await answer(server, aliasLookupBody(name)), 'data', 'registeredModel', 'versionByAlias');
    same(server, `champion of ${name} after an MLflow move`, seed.versions - 2, lookup.version);
    const moved = at(await answer(server, aliasMoveBody(name, seed.versions)), 'data', 'setModelAlias');
    const rest = at(await answer(server, mlflowAliasLookup(name)), 'model_version');
    same(
      server,
      `champion of ${name} after a GraphQL move`,
      { changed: true, version: seed.versions },
      { changed: moved.changed, version: Number(rest.version) },
    );
  },
  // The same input through both: consecutive versions that differ in nothing but number and time.
  'mlflow-version-create': async (server, seed) => {
    const input = versionInput(modelName(seed, 0), -1);
    const rest = mlflowVersion(at(await answer(server, mlflowVersionCreate(input)), 'model_version'));
    const twin = graphqlVersion(at(await answer(server, versionCreateBody(input)), 'data', 'createModelVersion', 'modelVersion'));
    const untimed = <T extends { createdAt: unknown; updatedAt: unknown }>({ createdAt: _c, updatedAt: _u, ...other }: T) => other;
    same(server, `a version created in ${input.name}`, { ...untimed(rest), version: rest.version + 1 }, untimed(twin));
  },
};

/**
 * PostGraphile's move, a plain update of model_alias, moves the alias our server and the raw one
 * then find there: away from the newest version and back, leaving the data as it was.
 */
async function checkPostgraphileMove(postgraphile: ServerProcess, servers: ServerProcess[], seed: SeedOptions): Promise<void> {
  const name = modelName(seed, 0);
  const others = servers.filter((s) => s !== postgraphile && s.data === 'postgres');
  for (const version of [seed.versions - 2, seed.versions]) {
    const moved = at(await answer(postgraphile, aliasMoveBody(name, version)), 'data', 'setModelAlias', 'alias');
    if (!isDeepStrictEqual(moved, { alias: 'champion', version: { version } })) {
      throw new Error(`${POSTGRAPHILE}: its move of champion of ${name} to ${version} answered ${JSON.stringify(moved)}`);
    }
    for (const server of others) {
      const lookup = at(await answer(server, aliasLookupBody(name)), 'data', 'registeredModel', 'versionByAlias');
      if (lookup.version !== version) {
        throw new Error(`${server.name} finds champion of ${name} at ${lookup.version} after PostGraphile moved it to ${version}`);
      }
    }
  }
}

/**
 * Before any timing: every server answers the reads of the selected workloads alike (the dashboard
 * and the alias lookups always), and each MLflow workload matches its GraphQL twin on every server.
 */
export async function checkSameAnswers(
  servers: ServerProcess[],
  seed: SeedOptions,
  workloads: WorkloadName[],
): Promise<{ dashboardBytes: number }> {
  const dashboard = await sameEverywhere(servers, graphql(dashboardBody()), 'Dashboard');
  for (const name of [modelName(seed, 0), 'no-such-model']) await sameEverywhere(servers, graphql(aliasLookupBody(name)), 'AliasLookup');
  const fragment = searchFragments(seed)[0];
  const reads: Partial<Record<WorkloadName, BenchRequest>> = {
    'model-search': graphql(modelSearchBody(fragment)),
    'mlflow-model-search': { protocol: 'mlflow', ...mlflowModelSearch(fragment) },
    'mlflow-alias-lookup': { protocol: 'mlflow', ...mlflowAliasLookup(modelName(seed, 0)) },
  };
  for (const workload of workloads) {
    const read = reads[workload];
    if (read) await sameEverywhere(serversOf(workload, servers), read, workload);
  }
  const postgraphile = servers.find((s) => s.name === POSTGRAPHILE);
  if (postgraphile && workloads.includes('alias-move')) await checkPostgraphileMove(postgraphile, servers, seed);
  for (const workload of workloads) {
    const check = TWIN_CHECKS[workload];
    if (check && WORKLOAD_SPECS[workload].twin) for (const server of serversOf(workload, servers)) await check(server, seed);
  }
  return { dashboardBytes: Buffer.byteLength(dashboard) };
}

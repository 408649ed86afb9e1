// The workloads of the bench, as the requests a client sends. Every server under test receives the
// same requests; the raw baseline serves only the GraphQL workloads it implements (it dispatches on
// operationName and ignores the query text). The MLflow-REST workloads go to our front door under
// /api/2.0/mlflow/, each next to its GraphQL twin: the same data read or written.

export const DASHBOARD_MODELS = 100;
export const DASHBOARD_VERSIONS = 10;
/** Models per page of the model search, in both its MLflow and GraphQL forms. */
export const SEARCH_MODELS = 100;

export const DASHBOARD_QUERY = /* GraphQL */ `query Dashboard($models: Int!, $versions: Int!) {
  registeredModels(first: $models) {
    nodes {
      name
      description
      tags { key value }
      versions(first: $versions) {
        nodes { version status source createdAt tags { key value } aliases }
      }
    }
  }
}`;

export const ALIAS_LOOKUP_QUERY = /* GraphQL */ `query AliasLookup($name: String!) {
  registeredModel(name: $name) {
    versionByAlias(alias: "champion") { version source }
  }
}`;

export const ALIAS_MOVE_MUTATION = /* GraphQL */ `mutation AliasMove($name: String!, $version: Int!) {
  setModelAlias(input: { name: $name, alias: "champion", version: $version }) {
    __typename
    ... on SetModelAliasPayload { changed alias { alias version { version } } }
    ... on Error { code message }
  }
}`;

/** The fields of a version MLflow's answers carry (registered-models/search's latest_versions, model-versions/create). */
const VERSION_FIELDS = 'version source status stage description runId runLink createdAt updatedAt tags { key value }';

/** The data of MLflow's registered-models/search: each model with its tags, aliases and latest version. */
export const MODEL_SEARCH_QUERY = /* GraphQL */ `query ModelSearch($first: Int!, $name: String!) {
  registeredModels(first: $first, filter: { nameContains: $name }) {
    nodes {
      name description createdAt updatedAt
      tags { key value }
      aliases { alias version { version } }
      latestVersion { ${VERSION_FIELDS} }
    }
  }
}`;

export const VERSION_CREATE_MUTATION = /* GraphQL */ `mutation VersionCreate($name: String!, $source: String!, $tags: [TagInput!]) {
  createModelVersion(input: { name: $name, source: $source, tags: $tags }) {
    __typename
    ... on ModelVersionPayload { modelVersion { ${VERSION_FIELDS} aliases } }
    ... on Error { code message }
  }
}`;

export type WorkloadName =
  | 'dashboard'
  | 'alias-lookup'
  | 'mlflow-alias-lookup'
  | 'alias-move'
  | 'mlflow-alias-move'
  | 'model-search'
  | 'mlflow-model-search'
  | 'version-create'
  | 'mlflow-version-create';

export interface Workload {
  protocol: 'graphql' | 'mlflow';
  /** The raw baseline implements it (bench/raw-server.ts). */
  raw: boolean;
  /** An MLflow-REST workload's GraphQL twin, measured in the same run. */
  twin?: WorkloadName;
  /** Whether a response is a success: anything else counts as an error. */
  succeeded(status: number, body: string): boolean;
}

const graphqlOk = (status: number, body: string) => status === 200 && !body.includes('"errors"');
const mlflowOk = (status: number, body: string) => status === 200 && !body.includes('"error_code"');

/** In this order by default: the version creates last, so that the other workloads see the seeded data. */
export const WORKLOAD_SPECS: Record<WorkloadName, Workload> = {
  dashboard: { protocol: 'graphql', raw: true, succeeded: graphqlOk },
  'alias-lookup': { protocol: 'graphql', raw: true, succeeded: graphqlOk },
  'mlflow-alias-lookup': { protocol: 'mlflow', raw: false, twin: 'alias-lookup', succeeded: mlflowOk },
  // A move that changed nothing counts as a failure; MLflow's answer is `{}`, so only its status says.
  'alias-move': { protocol: 'graphql', raw: true, succeeded: (s, b) => graphqlOk(s, b) && b.includes('"changed":true') },
  'mlflow-alias-move': { protocol: 'mlflow', raw: false, twin: 'alias-move', succeeded: mlflowOk },
  'model-search': { protocol: 'graphql', raw: false, succeeded: graphqlOk },
  'mlflow-model-search': { protocol: 'mlflow', raw: false, twin: 'model-search', succeeded: mlflowOk },
  'version-create': {
    protocol: 'graphql',
    raw: false,
    succeeded: (s, b) => graphqlOk(s, b) && b.includes('"__typename":"ModelVersionPayload"'),
  },
  'mlflow-version-create': { protocol: 'mlflow', raw: false, twin: 'version-create', succeeded: mlflowOk },
};

export const WORKLOADS = Object.keys(WORKLOAD_SPECS) as WorkloadName[];

/** The selected workloads in measuring groups: an MLflow workload joins its GraphQL twin's when both are selected. */
export function workloadGroups(selected: WorkloadName[]): WorkloadName[][] {
  const groups: WorkloadName[][] = [];
  for (const workload of selected) {
    const twin = WORKLOAD_SPECS[workload].twin;
    const group = groups.find((g) => g.some((w) => w === twin || WORKLOAD_SPECS[w].twin === workload));
    if (group) group.push(workload);
    else groups.push([workload]);
  }
  return groups;
}

export interface GraphQLBody {
  query: string;
  operationName: string;
  variables: Record<string, unknown>;
}

/** A request of an MLflow-REST workload: a path under the server's origin, JSON body for POST. */
export interface MlflowRequest {
  method: 'GET' | 'POST';
  path: string;
  body?: Record<string, unknown>;
}

export type BenchRequest = { protocol: 'graphql'; body: GraphQLBody } | ({ protocol: 'mlflow' } & MlflowRequest);

export const MLFLOW_PREFIX = '/api/2.0/mlflow';

export function dashboardBody(models = DASHBOARD_MODELS, versions = DASHBOARD_VERSIONS): GraphQLBody {
  return { query: DASHBOARD_QUERY, operationName: 'Dashboard', variables: { models, versions } };
}

export function aliasLookupBody(name: string): GraphQLBody {
  return { query: ALIAS_LOOKUP_QUERY, operationName: 'AliasLookup', variables: { name } };
}

export function aliasMoveBody(name: string, version: number): GraphQLBody {
  return { query: ALIAS_MOVE_MUTATION, operationName: 'AliasMove', variables: { name, version } };
}

export function modelSearchBody(name: string): GraphQLBody {
  return { query: MODEL_SEARCH_QUERY, operationName: 'ModelSearch', variables: { first: SEARCH_MODELS, name } };
}

export interface VersionInput {
  name: string;
  source: string;
  tags: { key: string; value: string }[];
}

export function versionCreateBody(input: VersionInput): GraphQLBody {
  return { query: VERSION_CREATE_MUTATION, operationName: 'VersionCreate', variables: { ...input } };
}

export function mlflowAliasLookup(name: string): MlflowRequest {
  return { method: 'GET', path: `${MLFLOW_PREFIX}/registered-models/alias?${new URLSearchParams({ name, alias: 'champion' })}` };
}

/** MLflow's client sends the version as a string. */
export function mlflowAliasMove(name: string, version: number): MlflowRequest {
  return { method: 'POST', path: `${MLFLOW_PREFIX}/registered-models/alias`, body: { name, alias: 'champion', version: String(version) } };
}

/** The same predicate as GraphQL's nameContains (case-insensitive substring), as MLflow's UI search box sends it. */
export function mlflowModelSearch(name: string): MlflowRequest {
  const query = new URLSearchParams({ max_results: String(SEARCH_MODELS), filter: `name ILIKE '%${name}%'` });
  return { method: 'GET', path: `${MLFLOW_PREFIX}/registered-models/search?${query}` };
}

export function mlflowVersionCreate(input: VersionInput): MlflowRequest {
  return { method: 'POST', path: `${MLFLOW_PREFIX}/model-versions/create`, body: { ...input } };
}

// The three workloads of the bench, as the requests a client sends. Both servers under test receive
// the same bodies; the raw baseline dispatches on operationName and ignores the query text.

export const DASHBOARD_MODELS = 100;
export const DASHBOARD_VERSIONS = 10;

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

export type WorkloadName = 'dashboard' | 'alias-lookup' | 'alias-move';
export const WORKLOADS: WorkloadName[] = ['dashboard', 'alias-lookup', 'alias-move'];

export interface GraphQLBody {
  query: string;
  operationName: string;
  variables: Record<string, unknown>;
}

export function dashboardBody(models = DASHBOARD_MODELS, versions = DASHBOARD_VERSIONS): GraphQLBody {
  return { query: DASHBOARD_QUERY, operationName: 'Dashboard', variables: { models, versions } };
}

export function aliasLookupBody(name: string): GraphQLBody {
  return { query: ALIAS_LOOKUP_QUERY, operationName: 'AliasLookup', variables: { name } };
}

export function aliasMoveBody(name: string, version: number): GraphQLBody {
  return { query: ALIAS_MOVE_MUTATION, operationName: 'AliasMove', variables: { name, version } };
}

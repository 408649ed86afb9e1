// PostGraphile's side of the three original workloads: the queries a client of the schema
// PostGraphile 5's amber preset generates for our database would send for the same data, and the
// mapping of its answers onto our shape, so that the answer check compares data, not spellings.
//
// - dashboard: allRegisteredModels(first, orderBy: NAME_ASC), each with its tags and its newest
//   versions (modelVersionsByModelId(first, orderBy: VERSION_DESC)) with their tags and aliases;
// - alias lookup: registered_model's name has a unique index, not a unique constraint, so amber
//   makes no registeredModelByName: allRegisteredModels(condition: {name}) -> modelAliasesByModelId
//   (condition: {alias: "champion"}) -> modelVersionByVersionId { version source };
// - alias move: its generated CRUD mutation updateModelAliasByModelIdAndAlias with a patch of
//   versionId, a plain UPDATE of model_alias. The mutation takes ids, so the client knows them
//   (loaded once from the database before the run). Ours also writes registered_model.updated_at
//   and the ALIAS_SET audit event, in the same statement.
import type pg from 'pg';
import type { WorkloadName, GraphQLBody } from './workloads.ts';

export const POSTGRAPHILE = 'postgraphile';

export const PG_DASHBOARD_QUERY = /* GraphQL */ `query Dashboard($models: Int!, $versions: Int!) {
  allRegisteredModels(first: $models, orderBy: NAME_ASC) {
    nodes {
      name
      description
      registeredModelTagsByModelId(orderBy: KEY_ASC) { nodes { key value } }
      modelVersionsByModelId(first: $versions, orderBy: VERSION_DESC) {
        nodes {
          version status source createdAt
          modelVersionTagsByVersionId(orderBy: KEY_ASC) { nodes { key value } }
          modelAliasesByVersionId(orderBy: ALIAS_ASC) { nodes { alias } }
        }
      }
    }
  }
}`;

export const PG_ALIAS_LOOKUP_QUERY = /* GraphQL */ `query AliasLookup($name: String!) {
  allRegisteredModels(condition: { name: $name }) {
    nodes {
      modelAliasesByModelId(condition: { alias: "champion" }) {
        nodes { modelVersionByVersionId { version source } }
      }
    }
  }
}`;

export const PG_ALIAS_MOVE_MUTATION = /* GraphQL */ `mutation AliasMove($modelId: Int!, $versionId: Int!) {
  updateModelAliasByModelIdAndAlias(input: { modelId: $modelId, alias: "champion", modelAliasPatch: { versionId: $versionId } }) {
    modelAlias { alias modelVersionByVersionId { version } }
  }
}`;

/** How a server with another schema is sent our workloads' requests and how its answers read in our shape. */
export interface Dialect {
  request(body: GraphQLBody): GraphQLBody;
  /** Its parsed answer to `body` in the shape of ours (an answer with errors is returned as it is). */
  toOurs(body: GraphQLBody, json: Json): Json;
  succeeded(workload: WorkloadName, status: number, body: string): boolean;
}

type Json = Record<string, unknown>;
type Nodes<T> = { nodes: T[] };
interface Tag {
  key: string;
  value: string;
}
interface PgVersion {
  version: number;
  status: string;
  source: string;
  createdAt: string;
  modelVersionTagsByVersionId: Nodes<Tag>;
  modelAliasesByVersionId: Nodes<{ alias: string }>;
}
interface PgModel {
  name: string;
  description: string | null;
  registeredModelTagsByModelId: Nodes<Tag>;
  modelVersionsByModelId: Nodes<PgVersion>;
}

/** The ids PostGraphile's CRUD mutation takes, by model name and version number. */
export type RegistryIds = Map<string, { modelId: number; versionIds: Map<number, number> }>;

export async function loadIds(client: pg.Client): Promise<RegistryIds> {
  const { rows } = await client.query<{ name: string; model_id: number; version: number; version_id: number }>(
    'SELECT m.name, m.id AS model_id, v.version, v.id AS version_id FROM registered_model m JOIN model_version v ON v.model_id = m.id',
  );
  const ids: RegistryIds = new Map();
  for (const row of rows) {
    const model = ids.get(row.name) ?? { modelId: row.model_id, versionIds: new Map<number, number>() };
    model.versionIds.set(row.version, row.version_id);
    ids.set(row.name, model);
  }
  return ids;
}

const tags = (tags: Nodes<Tag>) => tags.nodes.map(({ key, value }) => ({ key, value }));

export function postgraphileDialect(ids: RegistryIds): Dialect {
  return {
    request(body) {
      switch (body.operationName) {
        case 'Dashboard':
          return { ...body, query: PG_DASHBOARD_QUERY };
        case 'AliasLookup':
          return { ...body, query: PG_ALIAS_LOOKUP_QUERY };
        case 'AliasMove': {
          const { name, version } = body.variables as { name: string; version: number };
          const model = ids.get(name);
          const versionId = model?.versionIds.get(version);
          if (!model || versionId === undefined) throw new Error(`postgraphile: no ids for version ${version} of ${name}`);
          return { query: PG_ALIAS_MOVE_MUTATION, operationName: 'AliasMove', variables: { modelId: model.modelId, versionId } };
        }
        default:
          throw new Error(`postgraphile serves only the dashboard, alias lookup and alias move (not ${body.operationName})`);
      }
    },
    toOurs(body, json) {
      const data = json.data as Json | null | undefined;
      if (json.errors || !data) return json;
      switch (body.operationName) {
        case 'Dashboard': {
          const models = (data.allRegisteredModels as Nodes<PgModel>).nodes;
          const nodes = models.map((m) => ({
            name: m.name,
            description: m.description,
            tags: tags(m.registeredModelTagsByModelId),
            versions: {
              nodes: m.modelVersionsByModelId.nodes.map((v) => ({
                version: v.version,
                status: v.status,
                source: v.source,
                // PostGraphile renders timestamptz as PostgreSQL does (+00:00); ours in ISO UTC.
                createdAt: new Date(v.createdAt).toISOString(),
                tags: tags(v.modelVersionTagsByVersionId),
                aliases: v.modelAliasesByVersionId.nodes.map((a) => a.alias),
              })),
            },
          }));
          return { data: { registeredModels: { nodes } } };
        }
        case 'AliasLookup': {
          const [model] = (data.allRegisteredModels as Nodes<{ modelAliasesByModelId: Nodes<{ modelVersionByVersionId: Json }> }>).nodes;
          const version = model?.modelAliasesByModelId.nodes[0]?.modelVersionByVersionId ?? null;
          return { data: { registeredModel: model ? { versionByAlias: version } : null } };
        }
        case 'AliasMove': {
          const moved = (data.updateModelAliasByModelIdAndAlias as { modelAlias: { alias: string; modelVersionByVersionId: Json } })
            .modelAlias;
          return { data: { setModelAlias: { alias: { alias: moved.alias, version: moved.modelVersionByVersionId } } } };
        }
        default:
          return json;
      }
    },
    succeeded(workload, status, body) {
      if (status !== 200 || body.includes('"errors"')) return false;
      // An update that found no row answers modelAlias: null.
      return workload !== 'alias-move' || body.includes('"modelAlias":{');
    },
  };
}

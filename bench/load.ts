// Load generation: autocannon over loopback, with requests that vary as a client's would.
import autocannon from 'autocannon';
import { type SeedOptions, modelName } from '../scripts/lib/seed-data.ts';
import type { Data, ServerProcess } from './children.ts';
import type { Dialect } from './postgraphile.ts';
import {
  type BenchRequest,
  type GraphQLBody,
  SEARCH_MODELS,
  type VersionInput,
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

/**
 * The name fragments the model searches cycle over: each matches one block of SEARCH_MODELS
 * consecutive models (`model-01` matches model-0100 to model-0199 of 1,000).
 */
export function searchFragments(seed: SeedOptions): string[] {
  const blocks = Math.max(1, Math.floor(seed.models / SEARCH_MODELS));
  return Array.from({ length: blocks }, (_, b) => modelName(seed, b * SEARCH_MODELS).slice(0, -String(SEARCH_MODELS - 1).length));
}

/** The version a create registers: the same input in GraphQL and MLflow. */
export function versionInput(name: string, n: number): VersionInput {
  return {
    name,
    source: `s3://registry-artifacts/${name}/bench/${n}/model`,
    tags: [
      { key: 'framework', value: 'pytorch' },
      { key: 'dataset', value: `s3://datasets/bench/${n}/train.parquet` },
    ],
  };
}

/**
 * Produces each request of a workload. A workload and its MLflow twin share the counters, and
 * alias moves keep state across servers and protocols.
 */
export class RequestSource {
  private lookupNext = 0;
  private moveNext = 0;
  private searchNext = 0;
  private createNext = 0;
  private readonly fragments: string[];
  /** Where champion is for each model of each database, so that each move is a real change. */
  private readonly champion = new Map<Data, Map<number, number>>();

  constructor(private readonly seed: SeedOptions) {
    this.fragments = searchFragments(seed);
  }

  request(workload: WorkloadName, data: Data): BenchRequest {
    const graphql = (body: GraphQLBody): BenchRequest => ({ protocol: 'graphql', body });
    const name = (next: number) => modelName(this.seed, next % this.seed.models);
    switch (workload) {
      case 'dashboard':
        return graphql(dashboardBody());
      case 'alias-lookup':
        return graphql(aliasLookupBody(name(this.lookupNext++)));
      case 'mlflow-alias-lookup':
        return { protocol: 'mlflow', ...mlflowAliasLookup(name(this.lookupNext++)) };
      case 'alias-move':
      case 'mlflow-alias-move': {
        const [model, version] = this.nextMove(data);
        return workload === 'alias-move'
          ? graphql(aliasMoveBody(model, version))
          : { protocol: 'mlflow', ...mlflowAliasMove(model, version) };
      }
      case 'model-search':
      case 'mlflow-model-search': {
        const fragment = this.fragments[this.searchNext++ % this.fragments.length];
        return workload === 'model-search' ? graphql(modelSearchBody(fragment)) : { protocol: 'mlflow', ...mlflowModelSearch(fragment) };
      }
      case 'version-create':
      case 'mlflow-version-create': {
        const n = this.createNext++;
        const input = versionInput(name(n), n);
        return workload === 'version-create' ? graphql(versionCreateBody(input)) : { protocol: 'mlflow', ...mlflowVersionCreate(input) };
      }
    }
  }

  /** The next model and the other of its two newest-but-one versions from where champion is. */
  private nextMove(data: Data): [string, number] {
    const index = this.moveNext++ % this.seed.models;
    const newest = this.seed.versions;
    const champion = this.champion.get(data) ?? new Map<number, number>();
    this.champion.set(data, champion);
    const target = (champion.get(index) ?? newest) === newest ? newest - 2 : newest;
    champion.set(index, target);
    return [modelName(this.seed, index), target];
  }
}

/** The HTTP request autocannon sends for one of ours: GraphQL goes to the server's endpoint, in its dialect if it has one. */
export function httpRequest(
  request: BenchRequest,
  graphqlPath: string,
  dialect?: Dialect,
): { method: 'GET' | 'POST'; path: string; body?: string } {
  if (request.protocol === 'graphql') {
    return { method: 'POST', path: graphqlPath, body: JSON.stringify(dialect ? dialect.request(request.body) : request.body) };
  }
  return { method: request.method, path: request.path, body: request.body && JSON.stringify(request.body) };
}

export interface LoadResult {
  requests: number;
  seconds: number;
  p50: number;
  p99: number;
  errors: number;
}

export async function load(
  server: ServerProcess,
  connections: number,
  seconds: number,
  workload: WorkloadName,
  source: RequestSource,
): Promise<LoadResult> {
  const url = server.url;
  const graphqlPath = new URL(url).pathname;
  const { dialect } = server;
  const succeeded = dialect
    ? (status: number, body: string) => dialect.succeeded(workload, status, body)
    : WORKLOAD_SPECS[workload].succeeded;
  let failures = 0;
  const result = await autocannon({
    url,
    connections,
    duration: seconds,
    requests: [
      {
        method: 'POST',
        path: graphqlPath,
        headers: { 'content-type': 'application/json' },
        setupRequest: (request) => ({ ...request, ...httpRequest(source.request(workload, server.data), graphqlPath, dialect) }),
        onResponse: (status, body) => {
          if (!succeeded(status, body)) failures++;
        },
      },
    ],
  });
  return {
    requests: result.requests.total,
    seconds: result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: failures + result.errors + result.timeouts,
  };
}

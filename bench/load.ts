// Load generation: autocannon over loopback, with request bodies that vary as a client's would.
import autocannon from 'autocannon';
import { type SeedOptions, modelName } from '../scripts/lib/seed-data.ts';
import type { Data, ServerProcess } from './children.ts';
import { type GraphQLBody, type WorkloadName, aliasLookupBody, aliasMoveBody, dashboardBody } from './workloads.ts';

/** Produces the body of each request of a workload; alias moves keep state across servers. */
export class RequestSource {
  private lookupNext = 0;
  private moveNext = 0;
  /** Where champion is for each model of each database, so that each move is a real change. */
  private readonly champion = new Map<Data, Map<number, number>>();

  constructor(private readonly seed: SeedOptions) {}

  body(workload: WorkloadName, data: Data): GraphQLBody {
    if (workload === 'dashboard') return dashboardBody();
    if (workload === 'alias-lookup') {
      return aliasLookupBody(modelName(this.seed, this.lookupNext++ % this.seed.models));
    }
    const index = this.moveNext++ % this.seed.models;
    const newest = this.seed.versions;
    const champion = this.champion.get(data) ?? new Map<number, number>();
    this.champion.set(data, champion);
    const target = (champion.get(index) ?? newest) === newest ? newest - 2 : newest;
    champion.set(index, target);
    return aliasMoveBody(modelName(this.seed, index), target);
  }
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
  let failures = 0;
  const result = await autocannon({
    url,
    connections,
    duration: seconds,
    requests: [
      {
        method: 'POST',
        path: new URL(url).pathname,
        headers: { 'content-type': 'application/json' },
        setupRequest: (request) => ({ ...request, body: JSON.stringify(source.body(workload, server.data)) }),
        // A move that changed nothing, or any error in the body, counts as a failure.
        onResponse: (status, body) => {
          if (status !== 200 || body.includes('"errors"') || (workload === 'alias-move' && !body.includes('"changed":true'))) {
            failures++;
          }
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

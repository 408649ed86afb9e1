// Per-request state: the database, who is asking, and DataLoaders that batch every nested field.
// A plain object: yoga copies the context's own properties into its per-request context.
import type { ModelVersion, PrismaClient, RegisteredModel } from '../generated/prisma/client.ts';
import { type Actor, type Tx, inTransaction } from '../registry/context.ts';
import { type Loaders, createLoaders } from './loaders.ts';

export interface GraphQLContext {
  readonly prisma: PrismaClient;
  readonly actor: Actor;
  loaders: Loaders;
  /**
   * Runs one registry write in its own transaction. Afterwards the loaders start empty, so the
   * payload (and any later operation of the same request) reads what was just committed.
   */
  write<T>(work: (tx: Tx, actor: Actor) => Promise<T>): Promise<T>;
}

/**
 * The rows a write returns (its model, its version) answer the payload's lookups as of the commit,
 * even if a concurrent request deletes them before the response is built.
 */
function primeFromResult(loaders: Loaders, result: unknown): void {
  if (typeof result !== 'object' || result === null) return;
  for (const value of [result, ...Object.values(result)]) {
    if (typeof value !== 'object' || value === null) continue;
    if ('lastVersion' in value) loaders.primeModels([value as RegisteredModel]);
    else if ('source' in value) loaders.primeVersions([value as ModelVersion]);
  }
}

export function createContext(prisma: PrismaClient, actor: Actor): GraphQLContext {
  return {
    prisma,
    actor,
    loaders: createLoaders(prisma),
    async write(work) {
      let result: Awaited<ReturnType<typeof work>>;
      try {
        result = await inTransaction(this.prisma, (tx) => work(tx, this.actor));
      } finally {
        this.loaders = createLoaders(this.prisma);
      }
      primeFromResult(this.loaders, result);
      return result;
    },
  };
}

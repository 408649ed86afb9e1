// Per-request state: the registry's commands, who is asking, and DataLoaders that batch every
// nested field. A plain object: yoga copies the context's own properties into its per-request context.
import type { Access } from '../auth/access.ts';
import type { ModelVersion, RegisteredModel } from '../generated/prisma/client.ts';
import type { RegistryEventFeed } from '../events/feed.ts';
import type { RegistryReads } from '../registry/reads.ts';
import type { Registry } from '../registry/registry.ts';
import { type Loaders, createLoaders } from './loaders.ts';

export interface GraphQLContext {
  readonly registry: Registry;
  /** The live history stream (subscriptions). */
  readonly feed: RegistryEventFeed;
  /** What this request may do (src/auth): commands check it; reads filter by it. */
  readonly access: Access;
  /** This request's reads, within its access (src/registry/reads.ts). */
  readonly reads: RegistryReads;
  loaders: Loaders;
  /**
   * Runs one registry command. Afterwards the loaders start empty, so the payload (and any later
   * operation of the same request) reads what was just committed.
   */
  write<T>(command: () => Promise<T>): Promise<T>;
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

export function createContext({ registry, feed }: Pick<GraphQLContext, 'registry' | 'feed'>, access: Access): GraphQLContext {
  const reads = registry.reads(access);
  return {
    registry,
    feed,
    access,
    reads,
    loaders: createLoaders(reads),
    async write(command) {
      let result: Awaited<ReturnType<typeof command>>;
      try {
        result = await command();
      } finally {
        this.loaders = createLoaders(this.reads);
      }
      primeFromResult(this.loaders, result);
      return result;
    },
  };
}

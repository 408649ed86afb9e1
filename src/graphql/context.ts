// Per-request state: the database, who is asking, and DataLoaders that batch every nested field.
// A plain object: yoga copies the context's own properties into its per-request context.
import type { PrismaClient } from '../generated/prisma/client.ts';
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

export function createContext(prisma: PrismaClient, actor: Actor): GraphQLContext {
  return {
    prisma,
    actor,
    loaders: createLoaders(prisma),
    async write(work) {
      try {
        return await inTransaction(this.prisma, (tx) => work(tx, this.actor));
      } finally {
        this.loaders = createLoaders(this.prisma);
      }
    },
  };
}

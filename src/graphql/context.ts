// Per-request state: the database, who is asking, and DataLoaders that batch every nested field.
// A plain object: yoga copies the context's own properties into its per-request context.
import { Access } from '../auth/access.ts';
import { DEFAULT_PROTECTED_ALIASES, ProtectedAliasPolicy } from '../auth/protected-aliases.ts';
import type { ModelVersion, PrismaClient, RegisteredModel } from '../generated/prisma/client.ts';
import { type Actor, type Tx, inTransaction } from '../registry/context.ts';
import { type Loaders, createLoaders } from './loaders.ts';

export interface GraphQLContext {
  readonly prisma: PrismaClient;
  readonly actor: Actor;
  /** What this request may do (src/auth); the resolvers check it before reading or writing. */
  readonly access: Access;
  /** How long an idempotency key answers retries, in ms. */
  readonly idempotencyTtlMs: number;
  /** Called after a token was revoked here, so this replica forgets cached lookups. */
  readonly onTokenRevoked: () => void;
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

export interface RequestSecurity {
  access: Access;
  idempotencyTtlMs: number;
  onTokenRevoked?: () => void;
}

const UNRESTRICTED: RequestSecurity = {
  access: Access.unrestricted(ProtectedAliasPolicy.parse(DEFAULT_PROTECTED_ALIASES)),
  idempotencyTtlMs: 24 * 3_600_000,
};

/** `security` defaults to anonymous with every right (REGISTRY_AUTH=off without a token). */
export function createContext(prisma: PrismaClient, actor: Actor, security: RequestSecurity = UNRESTRICTED): GraphQLContext {
  return {
    prisma,
    actor,
    access: security.access,
    idempotencyTtlMs: security.idempotencyTtlMs,
    onTokenRevoked: security.onTokenRevoked ?? (() => {}),
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

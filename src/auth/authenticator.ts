// Turns a request's Authorization header into an Access. Tokens are looked up in the database
// (by hash) on every request, so a revoked or expired token stops working at once on every
// replica; AUTH_CACHE_MS (default 0, at most 5 s) lets a replica reuse a lookup that briefly.
import type { AuthMode } from '../config.ts';
import type { ApiToken, PrismaClient } from '../generated/prisma/client.ts';
import { setTokenLastUsed, tokenByHash } from '../store/tokens.ts';
import { Access } from './access.ts';
import { unauthenticated } from './errors.ts';
import type { ProtectedAliasPolicy } from './protected-aliases.ts';
import { hashSecret, isActive, scopeOf } from './tokens.ts';

export interface AuthSettings {
  /** required: every request needs a token. off: requests without one may do everything. */
  mode: AuthMode;
  protectedAliases: ProtectedAliasPolicy;
  /** How long a token lookup may be reused, in ms (0: never). */
  cacheMs?: number;
}

/** lastUsedAt is refreshed at most this often per token, so reads do not turn into writes. */
const LAST_USED_RESOLUTION_MS = 60_000;

const INVALID = 'the bearer token is invalid, revoked or expired';

export class Authenticator {
  private readonly cache = new Map<string, { token: ApiToken; until: number }>();

  constructor(
    private readonly prisma: PrismaClient,
    readonly settings: AuthSettings,
    private readonly clock: () => number = Date.now,
  ) {}

  async authenticate(authorization: string | null): Promise<Access> {
    if (authorization === null || authorization.trim() === '') {
      if (this.settings.mode === 'off') return Access.unrestricted(this.settings.protectedAliases);
      throw unauthenticated('this registry needs a token: send the header "Authorization: Bearer <token>"');
    }
    const match = /^Bearer +(\S+) *$/i.exec(authorization);
    if (!match) throw unauthenticated('the Authorization header must be "Bearer <token>"');
    const token = await this.lookup(hashSecret(match[1]));
    const now = this.clock();
    if (!token || !isActive(token, new Date(now))) throw unauthenticated(INVALID);
    if (token.lastUsedAt === null || now - token.lastUsedAt.getTime() >= LAST_USED_RESOLUTION_MS) {
      token.lastUsedAt = new Date(now);
      // Best effort: bookkeeping must not fail the request.
      await setTokenLastUsed(this.prisma, token.id, token.lastUsedAt).catch(() => {});
    }
    return new Access(token.name, token.role, scopeOf(token), token.promote, this.settings.protectedAliases);
  }

  /** Forgets cached lookups (after a revoke on this replica). */
  forget(): void {
    this.cache.clear();
  }

  private async lookup(hash: string): Promise<ApiToken | null> {
    const cacheMs = this.settings.cacheMs ?? 0;
    const now = this.clock();
    if (cacheMs > 0) {
      const hit = this.cache.get(hash);
      if (hit && hit.until > now) return hit.token;
    }
    const token = await tokenByHash(this.prisma, hash);
    if (cacheMs > 0 && token) {
      if (this.cache.size > 10_000) this.cache.clear();
      this.cache.set(hash, { token, until: now + cacheMs });
    }
    return token;
  }
}

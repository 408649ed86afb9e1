// API tokens (the rules are src/auth/tokens.ts). Every statement takes a client or a transaction:
// the token CLI runs them outside any transaction.
import type { ApiToken, PrismaClient } from '../generated/prisma/client.ts';

/** A client or a transaction: anything with the token table. */
export type TokenStore = Pick<PrismaClient, 'apiToken'>;

export type NewToken = Pick<
  ApiToken,
  'name' | 'tokenHash' | 'role' | 'modelPatterns' | 'promote' | 'createdAt' | 'createdBy' | 'expiresAt'
>;

export function insertToken(db: TokenStore, token: NewToken): Promise<ApiToken> {
  return db.apiToken.create({ data: token });
}

export function findToken(db: TokenStore, name: string): Promise<ApiToken | null> {
  return db.apiToken.findUnique({ where: { name } });
}

export function listTokens(db: TokenStore): Promise<ApiToken[]> {
  return db.apiToken.findMany({ orderBy: { name: 'asc' } });
}

export function setTokenRevoked(db: TokenStore, name: string, revokedAt: Date): Promise<ApiToken> {
  return db.apiToken.update({ where: { name }, data: { revokedAt } });
}

/** Admin tokens neither revoked nor expired at `now`. */
export function countActiveAdmins(db: TokenStore, now: Date): Promise<number> {
  return db.apiToken.count({ where: { role: 'ADMIN', revokedAt: null, OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] } });
}

/** Every authenticated request's first statement. */
export function tokenByHash(db: TokenStore, tokenHash: string): Promise<ApiToken | null> {
  return db.apiToken.findUnique({ where: { tokenHash } });
}

export async function setTokenLastUsed(db: TokenStore, id: number, lastUsedAt: Date): Promise<void> {
  await db.apiToken.update({ where: { id }, data: { lastUsedAt } });
}

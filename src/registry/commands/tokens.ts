// API token commands for admins: create (the secret is shown once), revoke, list. The token rules
// themselves (hashing, names, scopes) are src/auth/tokens.ts, shared with the token CLI.
import type { ApiToken } from '../../generated/prisma/client.ts';
import {
  type TokenSpec,
  createApiToken as insertToken,
  listApiTokens as readTokens,
  revokeApiToken as revokeToken,
} from '../../auth/tokens.ts';
import type { Access } from '../../auth/access.ts';
import type { PrismaClient } from '../../generated/prisma/client.ts';
import type { Write } from '../write.ts';

export function createApiToken({ tx, access }: Write, input: TokenSpec): Promise<{ token: ApiToken; secret: string }> {
  access.requireRole('ADMIN', 'createApiToken');
  return insertToken(tx, input, access.actor, access);
}

export async function revokeApiToken({ tx, access }: Write, input: { name: string }): Promise<{ token: ApiToken }> {
  access.requireRole('ADMIN', 'revokeApiToken');
  return { token: await revokeToken(tx, input.name, access) };
}

/** Every token a (scoped) admin may manage, by name. */
export function listApiTokens(prisma: PrismaClient, access: Access): Promise<ApiToken[]> {
  access.requireRole('ADMIN', 'apiTokens');
  return readTokens(prisma, access);
}

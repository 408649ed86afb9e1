// API tokens: opaque random secrets handed out once; the database keeps only their SHA-256, so a
// leaked database (or backup) holds no usable token. Shared by the CLI and the GraphQL mutations.
import { createHash, randomBytes } from 'node:crypto';
import type { ApiToken } from '../generated/prisma/client.ts';
import { isUniqueViolation } from '../registry/write.ts';
import { AlreadyExistsError, NotFoundError, ValidationError } from '../registry/rules/errors.ts';
import { type NamePattern, parseNamePattern } from '../registry/rules/name-patterns.ts';
import { isStorableText } from '../registry/rules/validation.ts';
import * as store from '../store/tokens.ts';
import type { TokenStore } from '../store/tokens.ts';
import type { Access, Role } from './access.ts';

/** Prefix of every secret: recognisable in logs and by secret scanners. */
export const TOKEN_PREFIX = 'mrt_';
export const TOKEN_NAME_MAX = 100;
export const TOKEN_PATTERNS_MAX = 50;

export const ROLES: readonly Role[] = ['READER', 'WRITER', 'ADMIN'];

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

function newSecret(): string {
  return TOKEN_PREFIX + randomBytes(32).toString('base64url');
}

const TOKEN_NAME = /^[A-Za-z0-9][A-Za-z0-9._@-]*$/;

export function checkTokenName(name: string, field = 'name'): void {
  if (typeof name !== 'string' || name.length > TOKEN_NAME_MAX || !TOKEN_NAME.test(name)) {
    throw new ValidationError(
      field,
      `${field} must be 1-${TOKEN_NAME_MAX} letters, digits, ".", "_", "@" or "-", starting with a letter or digit ` +
        `(got ${JSON.stringify(name)})`,
    );
  }
}

export function parseScope(patterns: readonly string[] | null | undefined, field = 'models'): NamePattern[] | null {
  if (patterns == null) return null;
  if (patterns.length === 0 || patterns.length > TOKEN_PATTERNS_MAX) {
    throw new ValidationError(field, `${field} must list 1-${TOKEN_PATTERNS_MAX} model-name patterns, or be omitted for every model`);
  }
  return patterns.map((p, i) => parseNamePattern(p, `${field}[${i}]`));
}

/** The scope stored with a token (one pattern per line; null: every model). */
export function scopeOf(token: Pick<ApiToken, 'modelPatterns'>): NamePattern[] | null {
  return token.modelPatterns === null ? null : token.modelPatterns.split('\n').map((p) => parseNamePattern(p));
}

export interface TokenSpec {
  name: string;
  role: Role;
  /** Model-name patterns; null or omitted: every model. */
  models?: readonly string[] | null;
  promote?: boolean | null;
  expiresAt?: Date | null;
}

/**
 * Durations for `--expires` and `expiresIn`: a number and a unit, `90d`, `12h`, `30m`.
 * Returns milliseconds; throws a ValidationError otherwise.
 */
export function parseDuration(text: string, field = 'expires'): number {
  const match = /^(\d{1,6})([dhm])$/.exec(text.trim());
  const unit = match ? { d: 86_400_000, h: 3_600_000, m: 60_000 }[match[2] as 'd' | 'h' | 'm'] : 0;
  if (!match || Number(match[1]) === 0) {
    throw new ValidationError(field, `${field} must be a duration such as 90d, 12h or 30m (got ${JSON.stringify(text)})`);
  }
  return Number(match[1]) * unit;
}

/**
 * `grantor`: the request issuing it (its grants are checked, see Access.requireGrant); omitted
 * for the CLI, an operator tool with the database's full power.
 */
export async function createApiToken(
  prisma: TokenStore,
  spec: TokenSpec,
  createdBy: string | null,
  grantor?: Access,
): Promise<{ token: ApiToken; secret: string }> {
  checkTokenName(spec.name);
  if (!ROLES.includes(spec.role)) throw new ValidationError('role', `role must be one of ${ROLES.join(', ')}`);
  const scope = parseScope(spec.models);
  grantor?.requireGrant(spec.role, scope, spec.promote ?? false);
  if (spec.expiresAt != null && !(spec.expiresAt.getTime() > Date.now())) {
    throw new ValidationError('expiresAt', 'expiresAt must be in the future');
  }
  const secret = newSecret();
  try {
    const token = await store.insertToken(prisma, {
      name: spec.name,
      tokenHash: hashSecret(secret),
      role: spec.role,
      modelPatterns: scope === null ? null : scope.map((p) => p.text).join('\n'),
      promote: spec.promote ?? false,
      createdAt: new Date(),
      createdBy,
      expiresAt: spec.expiresAt ?? null,
    });
    return { token, secret };
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw new AlreadyExistsError(
        `a token named "${spec.name}" exists (revoked tokens keep their names, so the audit trail stays unambiguous); choose another name`,
      );
    }
    throw error;
  }
}

/** A scoped admin sees and revokes only tokens whose models are within its own. */
export function canManageToken(access: Access | undefined, token: Pick<ApiToken, 'modelPatterns'>): boolean {
  return access === undefined || access.covers(scopeOf(token));
}

/** Every token (`viewer` given: those it may manage), by name. */
export async function listApiTokens(prisma: TokenStore, viewer?: Access): Promise<ApiToken[]> {
  const tokens = await store.listTokens(prisma);
  return tokens.filter((t) => canManageToken(viewer, t));
}

/**
 * Revokes a token at once; revoking a revoked token is fine (it stays revoked, first time kept).
 * `revoker`: the request, which sees only the tokens it may manage (others: NotFoundError).
 */
export async function revokeApiToken(prisma: TokenStore, name: string, revoker?: Access): Promise<ApiToken> {
  // A name PostgreSQL cannot store (NUL, lone surrogates) names no token; it must not reach SQL.
  const found = isStorableText(name) ? await store.findToken(prisma, name) : null;
  const token = found && canManageToken(revoker, found) ? found : null;
  if (!token) throw new NotFoundError(`no token named ${JSON.stringify(name)}`);
  if (token.revokedAt) return token;
  return store.setTokenRevoked(prisma, name, new Date());
}

export function isActive(token: Pick<ApiToken, 'revokedAt' | 'expiresAt'>, now = new Date()): boolean {
  return token.revokedAt === null && (token.expiresAt === null || token.expiresAt > now);
}

export function countActiveAdmins(prisma: TokenStore): Promise<number> {
  return store.countActiveAdmins(prisma, new Date());
}

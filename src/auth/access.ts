// What one request may do: the token's role, the models it may see and change, whether it may
// move protected aliases. Every check names what was refused, so a bot's log says what to fix.
import type { NamePattern } from '../registry/name-patterns.ts';
import { matchesAny } from '../registry/name-patterns.ts';
import { forbidden } from './errors.ts';
import type { ProtectedAliasPolicy } from './protected-aliases.ts';

export type Role = 'READER' | 'WRITER' | 'ADMIN';

const RANK: Record<Role, number> = { READER: 0, WRITER: 1, ADMIN: 2 };

export class Access {
  constructor(
    /** The token name (recorded as the actor of every change), or null when anonymous. */
    readonly actor: string | null,
    readonly role: Role,
    /** Model-name patterns this request may see and change; null: every model. */
    readonly scope: readonly NamePattern[] | null,
    readonly promote: boolean,
    readonly policy: ProtectedAliasPolicy,
  ) {}

  /** Anonymous with every right: REGISTRY_AUTH=off and no token sent. */
  static unrestricted(policy: ProtectedAliasPolicy): Access {
    return new Access(null, 'ADMIN', null, true, policy);
  }

  canSee(modelName: string): boolean {
    return this.scope === null || matchesAny(this.scope, modelName);
  }

  hasRole(role: Role): boolean {
    return RANK[this.role] >= RANK[role];
  }

  requireRole(role: Role, what: string): void {
    if (!this.hasRole(role)) {
      throw forbidden(`${what} needs ${withArticle(role)} token; token "${this.actor}" is ${withArticle(this.role)}`);
    }
  }

  /** A change to models with these names: writer role, and every name in scope. */
  requireWrite(modelNames: readonly string[], what: string): void {
    this.requireRole('WRITER', what);
    for (const name of modelNames) {
      if (!this.canSee(name)) {
        throw forbidden(`token "${this.actor}" may not change registered model ${JSON.stringify(name)}: it is outside the token's models`);
      }
    }
  }

  /** Setting, moving or removing `alias` of `modelName`: protected aliases need promote. */
  requireAliasChange(modelName: string, alias: string): void {
    if (this.promote || !this.policy.isProtected(modelName, alias)) return;
    throw forbidden(
      `alias ${JSON.stringify(alias)} of registered model ${JSON.stringify(modelName)} is protected: ` +
        `only tokens with the promote permission may set or delete it (token "${this.actor}" has not)`,
    );
  }
}

/** "an admin", "a reader": the roles read as English in refusals. */
function withArticle(role: string): string {
  const word = role.toLowerCase();
  return `${/^[aeiou]/.test(word) ? 'an' : 'a'} ${word}`;
}

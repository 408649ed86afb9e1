// What one request may do: the token's role, the models it may see and change, whether it may
// move protected aliases. Every check names what was refused, so a bot's log says what to fix.
import type { NamePattern } from '../registry/rules/name-patterns.ts';
import { matchesAny } from '../registry/rules/name-patterns.ts';
import { forbidden } from './errors.ts';
import { ProtectedAliasPolicy } from './protected-aliases.ts';

export type Role = 'READER' | 'WRITER' | 'ADMIN';

const RANK: Record<Role, number> = { READER: 0, WRITER: 1, ADMIN: 2 };

const NO_PROTECTED_ALIASES = new ProtectedAliasPolicy([]);

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

  /**
   * Every right, recorded as `actor`: operator tools and tests that write with the database's full
   * power (the token CLI, seeders, importers), never a request.
   */
  static operator(actor: string | null): Access {
    return new Access(actor, 'ADMIN', null, true, NO_PROTECTED_ALIASES);
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

  /**
   * An idempotent replay whose first attempt wrote to a model since renamed outside this request's
   * scope. The refusal names the model as the caller knew it, not its new name.
   */
  refuseReplay(operation: string, storedName: string): never {
    throw forbidden(
      `${operation}: registered model ${JSON.stringify(storedName)}, which this idempotencyKey's first attempt wrote to, ` +
        `has since been renamed outside the models of token "${this.actor}"; use a new key for a new request`,
    );
  }

  /** Things that reach every model (webhooks): only for tokens not limited to some models. */
  requireUnscoped(what: string): void {
    if (this.scope === null) return;
    throw forbidden(
      `${what} needs a token not limited to some models; token "${this.actor}" is limited to ${this.scope.map((p) => p.text).join(', ')}`,
    );
  }

  /**
   * Whether every name `patterns` can match is within this request's scope (null patterns: every
   * name). Deliberately simple, so it is clearly sound rather than complete: a pattern is covered
   * when it is one of our own patterns verbatim, a plain name one of ours matches, or starts with
   * the literal prefix of one of ours of the form `prefix*` (then every name it matches does too).
   */
  covers(patterns: readonly NamePattern[] | null): boolean {
    const own = this.scope;
    if (own === null) return true;
    if (patterns === null) return false;
    return patterns.every(
      (p) =>
        own.some((o) => o.text === p.text) ||
        (p.pieces.length === 1 && matchesAny(own, p.text)) ||
        own.some((o) => o.pieces.length === 2 && o.pieces[1] === '' && p.text.startsWith(o.pieces[0])),
    );
  }

  /**
   * Issuing a token: it can never hold more than this request holds (role at most ours, promote
   * only if we have it, models within ours), or a scoped admin could mint an unscoped one.
   */
  requireGrant(role: Role, scope: readonly NamePattern[] | null, promote: boolean): void {
    if (RANK[role] > RANK[this.role]) {
      throw forbidden(`token "${this.actor}" (a ${this.role.toLowerCase()}) may not create a ${role.toLowerCase()} token`);
    }
    if (promote && !this.promote) {
      throw forbidden(`token "${this.actor}" may not grant promote: it does not have it`);
    }
    if (!this.covers(scope)) {
      throw forbidden(
        `token "${this.actor}" may only create tokens limited to its own models (${(this.scope ?? []).map((p) => p.text).join(', ')}): ` +
          'each pattern must be one of its patterns, a name they match, or start with the prefix of one of its `prefix*` patterns',
      );
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

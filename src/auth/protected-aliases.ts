// Which aliases only tokens with `promote` may set or delete: PROTECTED_ALIASES, a list of
// `<model pattern>=<alias>,<alias>` rules separated by `;`, e.g. `*=production;fraud-*=champion`.
// Alias names compare case-insensitively, so `Production` cannot stand in for `production`.
import { type NamePattern, matchesPattern, parseNamePattern } from '../registry/rules/name-patterns.ts';

export const DEFAULT_PROTECTED_ALIASES = '*=production,champion';

export interface ProtectedAliasRule {
  models: NamePattern;
  aliases: readonly string[];
}

export class ProtectedAliasPolicy {
  constructor(readonly rules: readonly ProtectedAliasRule[]) {}

  /** Parses the setting; throws an Error saying what is wrong. "" protects nothing. */
  static parse(setting: string): ProtectedAliasPolicy {
    const rules: ProtectedAliasRule[] = [];
    for (const part of setting
      .split(';')
      .map((p) => p.trim())
      .filter(Boolean)) {
      const eq = part.lastIndexOf('=');
      const aliases =
        eq < 0
          ? []
          : part
              .slice(eq + 1)
              .split(',')
              .map((a) => a.trim())
              .filter(Boolean);
      if (eq <= 0 || aliases.length === 0) {
        throw new Error(`PROTECTED_ALIASES rule "${part}" must look like <model pattern>=<alias>[,<alias>...], e.g. *=production`);
      }
      try {
        rules.push({ models: parseNamePattern(part.slice(0, eq).trim(), 'model pattern'), aliases: aliases.map((a) => a.toLowerCase()) });
      } catch (error) {
        throw new Error(`PROTECTED_ALIASES rule "${part}": ${(error as Error).message}`);
      }
    }
    return new ProtectedAliasPolicy(rules);
  }

  isProtected(modelName: string, alias: string): boolean {
    // NFKC too: aliases stored before they had to be ASCII may be fullwidth look-alikes.
    const lower = alias.normalize('NFKC').toLowerCase();
    return this.rules.some((rule) => rule.aliases.includes(lower) && matchesPattern(rule.models, modelName));
  }

  /** For messages and docs: the setting as it would be written. */
  toString(): string {
    return this.rules.map((r) => `${r.models.text}=${r.aliases.join(',')}`).join(';');
  }
}

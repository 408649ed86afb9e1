// Model-name patterns (`fraud-*`, `*`, `churn`): the unit of a token's scope and of the
// protected-alias policy. `*` stands for any run of characters (also none); every other character,
// including SQL's `%` and `_`, means itself. Matching is exact and case-sensitive, like names.
import { Prisma } from '../../generated/prisma/client.ts';
import { ValidationError } from './errors.ts';
import { LIMITS, codePointLength, isStorableText } from './validation.ts';

/** A checked pattern: its text and its pieces between the `*`s. */
export interface NamePattern {
  readonly text: string;
  readonly pieces: readonly string[];
}

export function parseNamePattern(text: string, field = 'pattern'): NamePattern {
  const length = codePointLength(text);
  if (length < 1 || length > LIMITS.modelNameMax || !isStorableText(text) || /[\p{Cc}]/u.test(text)) {
    throw new ValidationError(
      field,
      `${field} must be 1-${LIMITS.modelNameMax} characters without control characters (got ${JSON.stringify(text)})`,
    );
  }
  return { text, pieces: text.split('*') };
}

export function matchesPattern(pattern: NamePattern, name: string): boolean {
  const { pieces } = pattern;
  if (pieces.length === 1) return name === pieces[0];
  const first = pieces[0];
  const last = pieces[pieces.length - 1];
  if (name.length < first.length + last.length || !name.startsWith(first) || !name.endsWith(last)) return false;
  let at = first.length;
  const end = name.length - last.length;
  for (const piece of pieces.slice(1, -1)) {
    const found = name.indexOf(piece, at);
    if (found < 0 || found + piece.length > end) return false;
    at = found + piece.length;
  }
  return true;
}

export function matchesAny(patterns: readonly NamePattern[], name: string): boolean {
  return patterns.some((p) => matchesPattern(p, name));
}

/** `text` matched literally by LIKE with `\` as escape character (its wildcards and `\` escaped). */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** The pattern as a LIKE pattern with `\` as escape character. */
export function likePattern(pattern: NamePattern): string {
  return pattern.pieces.map(escapeLike).join('%');
}

/**
 * The patterns as SQL over `column` (for raw statements): one LIKE per pattern, ORed, rather than
 * `LIKE ANY(array)`, which PostgreSQL cannot answer from an index on the column (the history
 * listings filter by scope through audit_event_model_name_pattern_sequence_idx, F20).
 */
export function namePatternsSql(patterns: readonly NamePattern[], column: Prisma.Sql): Prisma.Sql {
  if (patterns.length === 0) return Prisma.sql`FALSE`;
  return Prisma.sql`(${Prisma.join(
    patterns.map((p) => Prisma.sql`${column} LIKE ${likePattern(p)}`),
    ' OR ',
  )})`;
}

// Model-name patterns (`fraud-*`, `*`, `churn`): the unit of a token's scope and of the
// protected-alias policy. `*` stands for any run of characters (also none); every other character,
// including SQL's `%` and `_`, means itself. Matching is exact and case-sensitive, like names.
import { Prisma } from '../generated/prisma/client.ts';
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

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** The pattern as a LIKE pattern with `\` as escape character. */
export function likePattern(pattern: NamePattern): string {
  return pattern.pieces.map(escapeLike).join('%');
}

/**
 * Prisma conditions on a string column, one per pattern: a name matches some pattern when it
 * meets one of them (put them under OR). Prisma passes
 * `startsWith`/`endsWith` to LIKE without escaping, so LIKE's own wildcards can express `*`:
 * LIKE 'a%b%c%' together with LIKE '%c' is exactly LIKE 'a%b%c' (the text ends in the last piece,
 * so some match of the prefix can end there).
 */
export function namePatternFilters(patterns: readonly NamePattern[]): Prisma.StringFilter[] {
  return patterns.map((p): Prisma.StringFilter => {
    if (p.pieces.length === 1) return { equals: p.text };
    return { startsWith: likePattern(p), endsWith: escapeLike(p.pieces[p.pieces.length - 1]) };
  });
}

/** The same condition as SQL over `column` (for raw statements). */
export function namePatternsSql(patterns: readonly NamePattern[], column: Prisma.Sql): Prisma.Sql {
  if (patterns.length === 0) return Prisma.sql`FALSE`;
  return Prisma.sql`${column} LIKE ANY(${patterns.map(likePattern)}::text[])`;
}

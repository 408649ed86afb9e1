// What the listings' filters share: arguments, the scope, and the checks that keep a filter which
// cannot match away from the database.
import { Prisma } from '../generated/prisma/client.ts';
import type { NamePattern } from '../registry/rules/name-patterns.ts';
import { checkTagFilters, isStorableText } from '../registry/rules/validation.ts';

export interface TagFilter {
  key: string;
  value?: string | null;
}

export interface PageArgs<O> {
  first: number;
  after?: string | null;
  orderBy?: O | null;
}

/**
 * The models a reader may see, as name patterns; null: every model. Listings filter by it in SQL,
 * so pages and counts never include what is out of scope.
 */
export type Scope = readonly NamePattern[] | null | undefined;

/** A filter holding text PostgreSQL cannot store matches nothing; it must not reach the database. */
export function storable(...values: (string | null | undefined)[]): boolean {
  return values.every((v) => v == null || isStorableText(v));
}

/**
 * One EXISTS per tag filter over `tags` (a tag table as `t`, joined to its owner), or null when a
 * tag holds text no row can hold. Throws ValidationError for too many or malformed filters.
 */
export function tagFiltersSql(tags: readonly TagFilter[] | null | undefined, ofOwner: Prisma.Sql): Prisma.Sql[] | null {
  checkTagFilters(tags);
  if (!(tags ?? []).every((t) => storable(t.key, t.value))) return null;
  return (tags ?? []).map((tag) => {
    const value = tag.value == null ? Prisma.empty : Prisma.sql`AND t.value = ${tag.value}`;
    return Prisma.sql`EXISTS (SELECT 1 FROM ${ofOwner} AND t.key = ${tag.key} ${value})`;
  });
}

// Keyset pagination: a cursor holds the sort-key values of the last row of a page, so the next
// page starts right after it by index, however deep the page and whatever was inserted meanwhile.
import { isStorableText } from './validation.ts';

export type SortDirection = 'asc' | 'desc';
export type SortKey<F extends string> = readonly { field: F; direction: SortDirection }[];
type CursorValue = string | number | Date;

export class InvalidCursorError extends Error {
  constructor() {
    super('after is not a cursor this server handed out (use a pageInfo.endCursor)');
  }
}

// What each sort field holds, so a cursor from another listing (or a forged one) is refused here
// instead of reaching the database as a value of the wrong type.
const FIELD_KINDS: Record<string, 'string' | 'number' | 'date'> = {
  name: 'string',
  id: 'number',
  version: 'number',
  sequence: 'number',
  createdAt: 'date',
  updatedAt: 'date',
};

export function encodeCursor(values: readonly CursorValue[]): string {
  const plain = values.map((v) => (v instanceof Date ? { d: v.toISOString() } : v));
  return Buffer.from(JSON.stringify(plain)).toString('base64url');
}

/** The sort-key values a cursor holds, checked against the kinds of the key's fields. */
export function decodeCursor<F extends string>(cursor: string, key: SortKey<F>): CursorValue[] {
  let values: unknown;
  try {
    values = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidCursorError();
  }
  if (!Array.isArray(values) || values.length !== key.length) throw new InvalidCursorError();
  return values.map((v, i) => {
    const kind = FIELD_KINDS[key[i].field];
    // A forged string PostgreSQL cannot hold (U+0000, lone surrogates) would fail in the database.
    if (kind === 'string' && typeof v === 'string' && isStorableText(v)) return v;
    // Every numeric sort field is a PostgreSQL integer; every date lies within years 1..9999.
    if (kind === 'number' && Number.isInteger(v) && v >= 0 && v <= 2 ** 31 - 1) return v as number;
    if (kind === 'date' && v && typeof v === 'object' && typeof v.d === 'string') {
      const date = new Date(v.d);
      const year = date.getUTCFullYear();
      if (year >= 1 && year <= 9999) return date;
    }
    throw new InvalidCursorError();
  });
}

/** The rows' cursor: the values of the sort-key fields. */
export function cursorOf<F extends string>(row: Record<F, CursorValue>, key: SortKey<F>): string {
  return encodeCursor(key.map((k) => row[k.field]));
}

export interface Page<T> {
  rows: T[];
  hasNextPage: boolean;
}

/** Rows were fetched with `take: first + 1`: the extra row only says there is a next page. */
export function toPage<T>(rows: T[], first: number): Page<T> {
  return { rows: rows.slice(0, first), hasNextPage: rows.length > first };
}

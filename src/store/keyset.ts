// Keyset pages in SQL: ORDER BY the sort key and "after the cursor" as one row comparison, which
// PostgreSQL answers from an index on the key's columns however deep the page.
import { Prisma } from '../generated/prisma/client.ts';
import { type Page, type SortKey, decodeCursor, toPage } from '../registry/rules/paging.ts';
import { groupBy } from './group-by.ts';
import { type Reader, named, queryRows } from './sql.ts';

export interface Keyset {
  orderBy: Prisma.Sql;
  /** `AND (...) > (...)`, or empty on the first page. */
  after: Prisma.Sql;
}

/** ORDER BY and "after the cursor" for a sort key whose fields all run the same direction. */
export function keysetSql<F extends string>(key: SortKey<F>, after: string | null | undefined, columns: Record<F, Prisma.Sql>): Keyset {
  const direction = key[0].direction === 'asc' ? Prisma.sql`ASC` : Prisma.sql`DESC`;
  const orderBy = Prisma.join(key.map((k) => Prisma.sql`${columns[k.field]} ${direction}`));
  if (!after) return { orderBy, after: Prisma.empty };
  const values = decodeCursor(after, key).map((v) => (v instanceof Date ? Prisma.sql`${v.toISOString()}::timestamptz` : Prisma.sql`${v}`));
  const keyColumns = Prisma.join(key.map((k) => columns[k.field]));
  const operator = key[0].direction === 'asc' ? Prisma.sql`>` : Prisma.sql`<`;
  return { orderBy, after: Prisma.sql`AND (${keyColumns}) ${operator} (${Prisma.join(values)})` };
}

/** One page of `SELECT <from>` rows matching `where`, in keyset order, sent as statement `name`. */
export async function keysetPage<T>(
  db: Reader,
  name: string,
  from: Prisma.Sql,
  where: Prisma.Sql,
  sorted: Keyset,
  first: number,
  decode: (rows: T[]) => T[],
): Promise<Page<T>> {
  const rows = await queryRows<T>(
    db,
    named(name, Prisma.sql`SELECT ${from} WHERE ${where} ${sorted.after} ORDER BY ${sorted.orderBy} LIMIT ${first + 1}`),
  );
  return toPage(decode(rows), first);
}

/**
 * The same page for each of many models, in one statement sent as `name` (a dashboard's nested
 * lists): a LATERAL subquery per model over `table` (aliased `alias`, with a model_id column) reads
 * only that model's first rows through its (model_id, ...) index, however many rows the models have.
 */
export async function keysetPagesOfModels<T extends { modelId: number }>(
  db: Reader,
  name: string,
  from: { columns: Prisma.Sql; table: Prisma.Sql; alias: Prisma.Sql },
  modelIds: readonly number[],
  where: Prisma.Sql,
  sorted: Keyset,
  first: number,
  decode: (rows: T[]) => T[],
): Promise<Map<number, Page<T>>> {
  const { columns, table, alias } = from;
  const rows = await queryRows<T>(
    db,
    named(
      name,
      Prisma.sql`SELECT ${columns}
    FROM unnest(${[...modelIds]}::int[]) AS m(id)
    CROSS JOIN LATERAL (
      SELECT * FROM ${table} ${alias}
      WHERE ${alias}.model_id = m.id AND ${where} ${sorted.after}
      ORDER BY ${sorted.orderBy}
      LIMIT ${first + 1}
    ) ${alias}`,
    ),
  );
  const byModel = groupBy(decode(rows), (row) => row.modelId);
  return new Map(modelIds.map((id) => [id, toPage(byModel.get(id) ?? [], first)]));
}

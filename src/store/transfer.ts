// What export and import (src/registry/history/transfer.ts) send: each table read in key order a batch at
// a time, and written a batch at a time. The file format (fields, keys, instants) is the registry's.
import type { Tx } from './sql.ts';

export type TransferTable = 'model' | 'modelTag' | 'version' | 'versionTag' | 'alias' | 'event';

interface Delegate {
  findMany(args: object): Promise<Record<string, unknown>[]>;
  createMany(args: { data: never[] }): Promise<unknown>;
}

const DELEGATES: Record<TransferTable, (db: Tx) => Delegate> = {
  model: (db) => db.registeredModel,
  modelTag: (db) => db.registeredModelTag,
  version: (db) => db.modelVersion,
  versionTag: (db) => db.modelVersionTag,
  alias: (db) => db.modelAlias,
  event: (db) => db.auditEvent,
};

/**
 * Reads one table in the order of its unique `key`, `batchSize` rows at a time (keyset paging, so
 * each batch is an index range scan however far in).
 */
export async function* keysetBatches(
  db: Tx,
  table: TransferTable,
  fields: readonly string[],
  key: readonly string[],
  batchSize: number,
): AsyncGenerator<Record<string, unknown>[]> {
  const select = Object.fromEntries(fields.map((field) => [field, true]));
  const orderBy = key.map((field) => ({ [field]: 'asc' }));
  // Rows after (k1, k2, ...): k1 greater, or k1 equal and k2 greater, and so on.
  const after = (row: Record<string, unknown>) => ({
    OR: key.map((field, i) => ({
      ...Object.fromEntries(key.slice(0, i).map((equal) => [equal, row[equal]])),
      [field]: { gt: row[field] },
    })),
  });
  let last: Record<string, unknown> | undefined;
  for (;;) {
    const rows = await DELEGATES[table](db).findMany({ select, where: last ? after(last) : {}, orderBy, take: batchSize });
    if (rows.length > 0) yield rows;
    if (rows.length < batchSize) return;
    last = rows[rows.length - 1];
  }
}

export async function insertRecords(tx: Tx, table: TransferTable, rows: Record<string, unknown>[]): Promise<void> {
  await DELEGATES[table](tx).createMany({ data: rows as never[] });
}

export async function countModelsAndEvents(tx: Tx): Promise<{ models: number; events: number }> {
  const [models, events] = await Promise.all([tx.registeredModel.count(), tx.auditEvent.count()]);
  return { models, events };
}

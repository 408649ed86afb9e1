// The serial counters behind the ids and sequence numbers that rows keep across an export and an
// import (src/registry/history/transfer.ts), and that the integrity check verifies (src/registry/history/integrity.ts).
import type { Tx } from './sql.ts';

/** The columns filled from a serial counter. Identifiers written here, never input. */
const SERIALS = [
  { table: 'registered_model', column: 'id' },
  { table: 'model_version', column: 'id' },
  { table: 'audit_event', column: 'sequence' },
] as const;

export interface SerialState {
  table: string;
  column: string;
  /** The counter's last value (0: never used). */
  last: number;
  /** The highest value stored (null: empty table). */
  max: number | null;
}

export async function serialStates(db: Tx): Promise<SerialState[]> {
  const states: SerialState[] = [];
  for (const { table, column } of SERIALS) {
    const rows = await db.$queryRawUnsafe<{ last: bigint | number | null; max: number | null }[]>(
      `/* serialStates */ SELECT pg_sequence_last_value(pg_get_serial_sequence('${table}', '${column}')::regclass) AS last,
              (SELECT max("${column}") FROM "${table}") AS max`,
    );
    states.push({ table, column, last: rows[0].last === null ? 0 : Number(rows[0].last), max: rows[0].max });
  }
  return states;
}

/** Moves each counter past the highest stored value, so new rows continue where imported ones stop. */
export async function moveSerialsPastMax(tx: Tx): Promise<void> {
  for (const { table, column } of SERIALS) {
    // setval(seq, max, true): the next value is max + 1; an empty table starts again at 1.
    await tx.$queryRawUnsafe(
      `/* moveSerialsPastMax */ SELECT setval(pg_get_serial_sequence('${table}', '${column}'), COALESCE((SELECT max("${column}") FROM "${table}"), 1), (SELECT max("${column}") FROM "${table}") IS NOT NULL)`,
    );
  }
}

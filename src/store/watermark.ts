// The two reads the safe watermark is found with (src/events/watermark.ts says why they are enough):
// the history sequence's last handed-out value, and the transactions writing history right now.
// Raw: neither a sequence's state nor pg_locks has a Prisma form.
import { Prisma, type PrismaClient } from '../generated/prisma/client.ts';
import { named } from './sql.ts';

/** What the watermark reads through: Prisma's raw queries, outside any transaction. */
export type WatermarkReader = Pick<PrismaClient, '$queryRaw'>;

export async function lastHandedOutSequence(db: WatermarkReader): Promise<number> {
  // The SERIAL column's sequence. With the default CACHE 1, last_value is exact across sessions.
  const rows = await db.$queryRaw<{ last: bigint | number }[]>(
    named('lastHandedOutSequence', Prisma.sql`SELECT CASE WHEN is_called THEN last_value ELSE 0 END AS last FROM audit_event_sequence_seq`),
  );
  return Number(rows[0].last);
}

/** Virtual transaction ids of the transactions holding ROW EXCLUSIVE on audit_event in this database. */
export async function runningHistoryWriters(db: WatermarkReader): Promise<string[]> {
  const rows = await db.$queryRaw<{ vxid: string }[]>(
    named(
      'runningHistoryWriters',
      Prisma.sql`
    SELECT l.virtualtransaction AS vxid FROM pg_locks l
    WHERE l.locktype = 'relation' AND l.relation = 'audit_event'::regclass AND l.mode = 'RowExclusiveLock'
      AND l.granted AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
    ),
  );
  return rows.map((r) => r.vxid);
}

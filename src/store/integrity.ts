// What the integrity check (src/registry/history/integrity.ts) reads: the whole state at once, and the
// history in sequence order, a batch at a time (memory holds the replayed state, not the history).
import type { AuditEvent } from '../generated/prisma/client.ts';
import type { Tx } from './sql.ts';

/** Every model, version (each with its tags) and alias, in key order. */
export async function wholeState(db: Tx) {
  const models = await db.registeredModel.findMany({ include: { tags: true }, orderBy: { id: 'asc' } });
  const versions = await db.modelVersion.findMany({ include: { tags: true }, orderBy: [{ modelId: 'asc' }, { version: 'asc' }] });
  const aliases = await db.modelAlias.findMany({ orderBy: [{ modelId: 'asc' }, { alias: 'asc' }] });
  return { models, versions, aliases };
}

/** Up to `take` events after sequence `cursor` (undefined: from the first), in sequence order. */
export function eventsAfter(db: Tx, cursor: number | undefined, take: number): Promise<AuditEvent[]> {
  return db.auditEvent.findMany({
    orderBy: { sequence: 'asc' },
    take,
    ...(cursor === undefined ? {} : { where: { sequence: { gt: cursor } } }),
  });
}

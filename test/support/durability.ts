// After a fault: reopen the data and check that every acknowledged version is there and the
// registry's invariants hold.
import { expect } from 'vitest';
import type { DatabaseTarget } from '../../src/config.ts';
import { openDatabase } from '../../src/db/client.ts';
import { checkIntegrity } from '../../src/registry/history/integrity.ts';

export async function expectAcknowledgedVersionsIntact(target: DatabaseTarget, acknowledgedSources: readonly string[]): Promise<void> {
  const db = await openDatabase(target, { log: false });
  try {
    const stored = new Set((await db.prisma.modelVersion.findMany({ select: { source: true } })).map((v) => v.source));
    expect(acknowledgedSources.filter((source) => !stored.has(source))).toEqual([]);
    expect((await checkIntegrity(db.prisma)).violations).toEqual([]);
  } finally {
    await db.close();
  }
}

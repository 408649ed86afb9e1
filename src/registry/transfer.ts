// Export and import of the whole registry, history included, as JSON Lines (one JSON object per
// line), so a registry can move between databases (PGlite -> PostgreSQL) without losing anything.
// Both directions stream in batches: memory does not grow with the size of the registry.
//
// The format (version 1), in this order:
//   {"type":"header","format":"model-registry-export","formatVersion":1,"exportedAt":"<ISO>"}
//   {"type":"model","id","name","description","createdAt","updatedAt","lastVersion"}        by id
//   {"type":"modelTag","modelId","key","value"}                                                  by modelId, key
//   {"type":"version","id","modelId","version","source","runId","runLink","description","status",
//    "statusMessage","createdAt","updatedAt"}                                                    by id
//   {"type":"versionTag","versionId","key","value"}                                              by versionId, key
//   {"type":"alias","modelId","alias","versionId","updatedAt"}                                   by modelId, alias
//   {"type":"event","sequence","at","actor","action","modelId","modelName","version",
//    "previousVersion","alias","key","previousValue","newValue"}                                 by sequence
//   {"type":"end","counts":{"model":n,"modelTag":n,"version":n,"versionTag":n,"alias":n,"event":n}}
// Instants are ISO 8601 UTC strings with milliseconds; absent values are null. Ids are kept, so
// history (which refers to models by id) stays attached. A file without its "end" line is truncated
// and is refused.
import type { PrismaClient } from '../generated/prisma/client.ts';
import type { Tx } from './context.ts';
import { type IntegrityReport, checkIntegrity } from './integrity.ts';

export const EXPORT_FORMAT = 'model-registry-export';
export const EXPORT_FORMAT_VERSION = 1;

/** The record types, in the order they appear in a file. */
export const RECORD_TYPES = ['model', 'modelTag', 'version', 'versionTag', 'alias', 'event'] as const;
export type RecordType = (typeof RECORD_TYPES)[number];
export type RecordCounts = Record<RecordType, number>;

export interface TransferOptions {
  /** Rows per database round trip. */
  batchSize?: number;
  /** Called after each batch with the running counts. */
  onProgress?: (counts: RecordCounts) => void;
}

const emptyCounts = (): RecordCounts => ({ model: 0, modelTag: 0, version: 0, versionTag: 0, alias: 0, event: 0 });

/**
 * Reads one table in key order, `batchSize` rows at a time (keyset paging, so each batch is an index
 * range scan however far in).
 */
async function* batches<Row>(
  read: (after: Row | undefined, take: number) => Promise<Row[]>,
  batchSize: number,
): AsyncGenerator<Row[]> {
  let after: Row | undefined;
  for (;;) {
    const rows = await read(after, batchSize);
    if (rows.length > 0) yield rows;
    if (rows.length < batchSize) return;
    after = rows[rows.length - 1];
  }
}

/**
 * Writes every record, one line each, to `write` (which may return a promise to apply
 * backpressure). Run it in a REPEATABLE READ transaction (exportRegistryConsistently) so that the
 * file is one instant's snapshot even while writes go on.
 */
export async function exportRegistry(
  db: Tx,
  write: (line: string) => void | Promise<void>,
  options: TransferOptions = {},
): Promise<RecordCounts> {
  const size = options.batchSize ?? 1_000;
  const counts = emptyCounts();
  const emit = async (type: RecordType, rows: object[]) => {
    for (const row of rows) await write(JSON.stringify({ type, ...row }) + '\n');
    counts[type] += rows.length;
    options.onProgress?.({ ...counts });
  };

  await write(
    JSON.stringify({ type: 'header', format: EXPORT_FORMAT, formatVersion: EXPORT_FORMAT_VERSION, exportedAt: new Date().toISOString() }) + '\n',
  );
  const models = batches<{ id: number }>(
    (after, take) =>
      db.registeredModel.findMany({
        select: { id: true, name: true, description: true, createdAt: true, updatedAt: true, lastVersion: true },
        where: after ? { id: { gt: after.id } } : {},
        orderBy: { id: 'asc' },
        take,
      }),
    size,
  );
  for await (const rows of models) await emit('model', rows);

  const modelTags = batches<{ modelId: number; key: string }>(
    (after, take) =>
      db.registeredModelTag.findMany({
        select: { modelId: true, key: true, value: true },
        where: after ? { OR: [{ modelId: { gt: after.modelId } }, { modelId: after.modelId, key: { gt: after.key } }] } : {},
        orderBy: [{ modelId: 'asc' }, { key: 'asc' }],
        take,
      }),
    size,
  );
  for await (const rows of modelTags) await emit('modelTag', rows);

  const versions = batches<{ id: number }>(
    (after, take) =>
      db.modelVersion.findMany({
        select: {
          id: true,
          modelId: true,
          version: true,
          source: true,
          runId: true,
          runLink: true,
          description: true,
          status: true,
          statusMessage: true,
          createdAt: true,
          updatedAt: true,
        },
        where: after ? { id: { gt: after.id } } : {},
        orderBy: { id: 'asc' },
        take,
      }),
    size,
  );
  for await (const rows of versions) await emit('version', rows);

  const versionTags = batches<{ versionId: number; key: string }>(
    (after, take) =>
      db.modelVersionTag.findMany({
        select: { versionId: true, key: true, value: true },
        where: after ? { OR: [{ versionId: { gt: after.versionId } }, { versionId: after.versionId, key: { gt: after.key } }] } : {},
        orderBy: [{ versionId: 'asc' }, { key: 'asc' }],
        take,
      }),
    size,
  );
  for await (const rows of versionTags) await emit('versionTag', rows);

  const aliases = batches<{ modelId: number; alias: string }>(
    (after, take) =>
      db.modelAlias.findMany({
        select: { modelId: true, alias: true, versionId: true, updatedAt: true },
        where: after ? { OR: [{ modelId: { gt: after.modelId } }, { modelId: after.modelId, alias: { gt: after.alias } }] } : {},
        orderBy: [{ modelId: 'asc' }, { alias: 'asc' }],
        take,
      }),
    size,
  );
  for await (const rows of aliases) await emit('alias', rows);

  const events = batches<{ sequence: number }>(
    (after, take) =>
      db.auditEvent.findMany({
        select: {
          sequence: true,
          at: true,
          actor: true,
          action: true,
          modelId: true,
          modelName: true,
          version: true,
          previousVersion: true,
          alias: true,
          key: true,
          previousValue: true,
          newValue: true,
        },
        where: after ? { sequence: { gt: after.sequence } } : {},
        orderBy: { sequence: 'asc' },
        take,
      }),
    size,
  );
  for await (const rows of events) await emit('event', rows);

  await write(JSON.stringify({ type: 'end', counts }) + '\n');
  return counts;
}

/** Longest an export or import transaction may run: these move whole registries. */
const TRANSFER_TIMEOUT_MS = 6 * 60 * 60 * 1000;

/** exportRegistry in one REPEATABLE READ transaction: a consistent snapshot while others write. */
export function exportRegistryConsistently(
  prisma: PrismaClient,
  write: (line: string) => void | Promise<void>,
  options: TransferOptions = {},
): Promise<RecordCounts> {
  return prisma.$transaction((tx) => exportRegistry(tx, write, options), {
    isolationLevel: 'RepeatableRead',
    timeout: TRANSFER_TIMEOUT_MS,
    maxWait: 60_000,
  });
}

export class ImportError extends Error {}

export interface ImportResult {
  counts: RecordCounts;
  integrity: IntegrityReport;
}

const dates = { model: ['createdAt', 'updatedAt'], version: ['createdAt', 'updatedAt'], alias: ['updatedAt'], event: ['at'] } as const;

/**
 * Loads an export into an empty, migrated database, in one transaction: it commits only if the
 * file is complete (its "end" line and counts agree) and the integrity checker passes on the result;
 * otherwise nothing is written and ImportError says why. Serial counters are moved past the
 * imported ids and sequence numbers, so new writes continue where the source stopped.
 */
export async function importRegistry(
  prisma: PrismaClient,
  lines: AsyncIterable<string>,
  options: TransferOptions = {},
): Promise<ImportResult> {
  const size = options.batchSize ?? 1_000;
  // Take the iterator now: readline drops the lines it reads before someone iterates, and the
  // transaction below starts only after a few round trips.
  const iterator = lines[Symbol.asyncIterator]();
  const input: AsyncIterable<string> = { [Symbol.asyncIterator]: () => iterator };
  return prisma.$transaction(
    async (tx) => {
      const existing = await Promise.all([tx.registeredModel.count(), tx.auditEvent.count()]);
      if (existing[0] + existing[1] > 0) {
        throw new ImportError(`the target database is not empty (${existing[0]} models, ${existing[1]} events): import only into an empty registry`);
      }
      const counts = emptyCounts();
      let pending: { type: RecordType; rows: Record<string, unknown>[] } | null = null;
      const flush = async () => {
        if (!pending || pending.rows.length === 0) return;
        const data = pending.rows as never[];
        switch (pending.type) {
          case 'model': await tx.registeredModel.createMany({ data }); break;
          case 'modelTag': await tx.registeredModelTag.createMany({ data }); break;
          case 'version': await tx.modelVersion.createMany({ data }); break;
          case 'versionTag': await tx.modelVersionTag.createMany({ data }); break;
          case 'alias': await tx.modelAlias.createMany({ data }); break;
          case 'event': await tx.auditEvent.createMany({ data }); break;
        }
        counts[pending.type] += pending.rows.length;
        pending.rows = [];
        options.onProgress?.({ ...counts });
      };

      let lineNumber = 0;
      let header = false;
      let end: RecordCounts | null = null;
      let stage = 0;
      for await (const line of input) {
        lineNumber++;
        if (line.trim() === '') continue;
        let record: Record<string, unknown>;
        try {
          record = JSON.parse(line);
        } catch {
          throw new ImportError(`line ${lineNumber}: not JSON`);
        }
        const { type, ...fields } = record as { type: string } & Record<string, unknown>;
        if (end) throw new ImportError(`line ${lineNumber}: data after the "end" line`);
        if (!header) {
          if (type !== 'header' || fields.format !== EXPORT_FORMAT) throw new ImportError(`line ${lineNumber}: not a ${EXPORT_FORMAT} file (no header line)`);
          if (fields.formatVersion !== EXPORT_FORMAT_VERSION) {
            throw new ImportError(`line ${lineNumber}: format version ${String(fields.formatVersion)} is not supported (this server reads ${EXPORT_FORMAT_VERSION})`);
          }
          header = true;
          continue;
        }
        if (type === 'end') {
          await flush();
          end = fields.counts as RecordCounts;
          continue;
        }
        const index = RECORD_TYPES.indexOf(type as RecordType);
        if (index < 0) throw new ImportError(`line ${lineNumber}: unknown record type ${JSON.stringify(type)}`);
        if (index < stage) throw new ImportError(`line ${lineNumber}: a ${type} record after ${RECORD_TYPES[stage]} records (the file is out of order)`);
        if (index > stage || !pending) {
          await flush();
          stage = index;
          pending = { type: type as RecordType, rows: [] };
        }
        for (const field of (dates as Record<string, readonly string[]>)[type] ?? []) {
          fields[field] = new Date(fields[field] as string);
        }
        pending.rows.push(fields);
        if (pending.rows.length >= size) await flush();
      }
      if (!header) throw new ImportError('the file is empty');
      if (!end) throw new ImportError(`the file ends at line ${lineNumber} without its "end" line: it is truncated; nothing was imported`);
      for (const type of RECORD_TYPES) {
        if (end[type] !== counts[type]) {
          throw new ImportError(`the "end" line announces ${end[type]} ${type} records, the file holds ${counts[type]}; nothing was imported`);
        }
      }
      for (const [table, column] of [['registered_model', 'id'], ['model_version', 'id'], ['audit_event', 'sequence']]) {
        // setval(seq, max, true): the next value is max + 1; an empty table starts again at 1.
        await tx.$queryRawUnsafe(
          `SELECT setval(pg_get_serial_sequence('${table}', '${column}'), COALESCE((SELECT max("${column}") FROM "${table}"), 1), (SELECT max("${column}") FROM "${table}") IS NOT NULL)`,
        );
      }
      const integrity = await checkIntegrity(tx);
      if (integrity.violations.length > 0) {
        const listed = integrity.violations.slice(0, 20).map((v) => `  [${v.invariant}] ${v.message}`).join('\n');
        throw new ImportError(`the imported registry fails the integrity check; nothing was imported:\n${listed}`);
      }
      return { counts, integrity };
    },
    { timeout: TRANSFER_TIMEOUT_MS, maxWait: 60_000 },
  );
}

// Export and import of the whole registry, history included, as JSON Lines (one JSON object per
// line), so a registry can move between databases (PGlite -> PostgreSQL) without losing anything.
// Both directions stream in batches: memory does not grow with the size of the registry.
//
// The format (version 1), in this order:
//   {"type":"header","format":"model-registry-export","formatVersion":1,"exportedAt":"<ISO>"}
//   {"type":"model","id","name","description","createdAt","updatedAt","lastVersion"}        by id
//   {"type":"modelTag","modelId","key","value"}                                                  by modelId, key
//   {"type":"version","id","modelId","version","source","runId","runLink","description","status",
//    "statusMessage","stage","storageLocation","createdAt","updatedAt"}                          by id
//   {"type":"versionTag","versionId","key","value"}                                              by versionId, key
//   {"type":"alias","modelId","alias","versionId","updatedAt"}                                   by modelId, alias
//   {"type":"event","sequence","at","actor","action","modelId","modelName","version",
//    "previousVersion","alias","key","previousValue","newValue"}                                 by sequence
//   {"type":"end","counts":{"model":n,"modelTag":n,"version":n,"versionTag":n,"alias":n,"event":n}}
// Instants are ISO 8601 UTC strings with milliseconds; absent values are null. Ids are kept, so
// history (which refers to models by id) stays attached. A file without its "end" line is truncated
// and is refused. Files written before versions had a stage and storageLocation import with NONE and
// null, which is what those versions had.
import type { PrismaClient } from '../../generated/prisma/client.ts';
import { moveSerialsPastMax } from '../../store/serials.ts';
import type { Tx } from '../../store/sql.ts';
import { type TransferTable, countModelsAndEvents, insertRecords, keysetBatches } from '../../store/transfer.ts';
import { type IntegrityReport, checkIntegrity } from './integrity.ts';

export const EXPORT_FORMAT = 'model-registry-export';
export const EXPORT_FORMAT_VERSION = 1;

/** The record types, in the order they appear in a file. */
export const RECORD_TYPES = ['model', 'modelTag', 'version', 'versionTag', 'alias', 'event'] as const satisfies readonly TransferTable[];
export type RecordType = (typeof RECORD_TYPES)[number];
export type RecordCounts = Record<RecordType, number>;

export interface TransferOptions {
  /** Rows per database round trip. */
  batchSize?: number;
  /** Called after each batch with the running counts. */
  onProgress?: (counts: RecordCounts) => void;
}

const emptyCounts = (): RecordCounts => ({ model: 0, modelTag: 0, version: 0, versionTag: 0, alias: 0, event: 0 });

/** One record type's shape in the file. */
interface RecordTable {
  /** The record's fields, which are the table's columns. */
  fields: readonly string[];
  /** The unique key the file is ordered by. */
  key: readonly string[];
  /** Fields that are instants: ISO strings in the file, Dates in the table. */
  dates: readonly string[];
}

const RECORD_TABLES: Record<RecordType, RecordTable> = {
  model: {
    fields: ['id', 'name', 'description', 'createdAt', 'updatedAt', 'lastVersion'],
    key: ['id'],
    dates: ['createdAt', 'updatedAt'],
  },
  modelTag: { fields: ['modelId', 'key', 'value'], key: ['modelId', 'key'], dates: [] },
  version: {
    fields: [
      'id',
      'modelId',
      'version',
      'source',
      'runId',
      'runLink',
      'description',
      'status',
      'statusMessage',
      'stage',
      'storageLocation',
      'createdAt',
      'updatedAt',
    ],
    key: ['id'],
    dates: ['createdAt', 'updatedAt'],
  },
  versionTag: { fields: ['versionId', 'key', 'value'], key: ['versionId', 'key'], dates: [] },
  alias: {
    fields: ['modelId', 'alias', 'versionId', 'updatedAt'],
    key: ['modelId', 'alias'],
    dates: ['updatedAt'],
  },
  event: {
    fields: [
      'sequence',
      'at',
      'actor',
      'action',
      'modelId',
      'modelName',
      'version',
      'previousVersion',
      'alias',
      'key',
      'previousValue',
      'newValue',
    ],
    key: ['sequence'],
    dates: ['at'],
  },
};

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
    for (const row of rows) await write(`${JSON.stringify({ type, ...row })}\n`);
    counts[type] += rows.length;
    options.onProgress?.({ ...counts });
  };

  await write(
    JSON.stringify({ type: 'header', format: EXPORT_FORMAT, formatVersion: EXPORT_FORMAT_VERSION, exportedAt: new Date().toISOString() }) +
      '\n',
  );
  for (const type of RECORD_TYPES) {
    const { fields, key } = RECORD_TABLES[type];
    for await (const rows of keysetBatches(db, type, fields, key, size)) await emit(type, rows);
  }

  await write(`${JSON.stringify({ type: 'end', counts })}\n`);
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
      const existing = await countModelsAndEvents(tx);
      if (existing.models + existing.events > 0) {
        throw new ImportError(
          `the target database is not empty (${existing.models} models, ${existing.events} events): import only into an empty registry`,
        );
      }
      const counts = emptyCounts();
      let pending: { type: RecordType; rows: Record<string, unknown>[] } | null = null;
      const flush = async () => {
        if (!pending || pending.rows.length === 0) return;
        await insertRecords(tx, pending.type, pending.rows);
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
          if (type !== 'header' || fields.format !== EXPORT_FORMAT)
            throw new ImportError(`line ${lineNumber}: not a ${EXPORT_FORMAT} file (no header line)`);
          if (fields.formatVersion !== EXPORT_FORMAT_VERSION) {
            throw new ImportError(
              `line ${lineNumber}: format version ${String(fields.formatVersion)} is not supported (this server reads ${EXPORT_FORMAT_VERSION})`,
            );
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
        if (index < stage)
          throw new ImportError(`line ${lineNumber}: a ${type} record after ${RECORD_TYPES[stage]} records (the file is out of order)`);
        if (index > stage || !pending) {
          await flush();
          stage = index;
          pending = { type: type as RecordType, rows: [] };
        }
        for (const field of RECORD_TABLES[type as RecordType].dates) {
          fields[field] = new Date(fields[field] as string);
        }
        pending.rows.push(fields);
        if (pending.rows.length >= size) await flush();
      }
      if (!header) throw new ImportError('the file is empty');
      if (!end) throw new ImportError(`the file ends at line ${lineNumber} without its "end" line: it is truncated; nothing was imported`);
      for (const type of RECORD_TYPES) {
        if (end[type] !== counts[type]) {
          throw new ImportError(
            `the "end" line announces ${end[type]} ${type} records, the file holds ${counts[type]}; nothing was imported`,
          );
        }
      }
      await moveSerialsPastMax(tx);
      const integrity = await checkIntegrity(tx);
      if (integrity.violations.length > 0) {
        const listed = integrity.violations
          .slice(0, 20)
          .map((v) => `  [${v.invariant}] ${v.message}`)
          .join('\n');
        throw new ImportError(`the imported registry fails the integrity check; nothing was imported:\n${listed}`);
      }
      return { counts, integrity };
    },
    { timeout: TRANSFER_TIMEOUT_MS, maxWait: 60_000 },
  );
}

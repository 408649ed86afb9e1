// Fills a registry quickly with the data set of seed-data.ts: the seeder applies its writes to
// in-memory rows with the registry's rules and bulk-inserts the result, audit events included, so
// history and time travel (versionByAlias(at:)) answer exactly as if the writes had been made one
// by one. The events' details come from the history table (src/registry/history/events.ts) that
// the integrity checker replays. test/scripts/seed.test.ts makes the same writes through the domain
// functions and compares.
import type { AuditAction, PrismaClient } from '../../src/generated/prisma/client.ts';
import type { Tx } from '../../src/store/sql.ts';
import { type EventDetails, historyEvent } from '../../src/registry/history/events.ts';
import { type SeedOptions, modelName, modelOperations } from './seed-data.ts';

interface ModelRow {
  name: string;
  description: string | null;
  createdAt: Date;
  updatedAt: Date;
  lastVersion: number;
}
interface VersionRow {
  model: number;
  version: number;
  source: string;
  runId: string | null;
  createdAt: Date;
}
interface EventRow extends EventDetails {
  at: Date;
  action: AuditAction;
  model: number;
  modelName: string;
}

/** Rows of a batch of models, each pointing at its model by position in `models`. */
interface Batch {
  models: ModelRow[];
  modelTags: { model: number; key: string; value: string }[];
  versions: VersionRow[];
  versionTags: { version: number; key: string; value: string }[];
  aliases: { model: number; alias: string; version: number; updatedAt: Date }[];
  events: EventRow[];
}

/**
 * Applies the writes of models [from, to) as the registry would (one clock instant per write,
 * events in the registry's order, no event for an alias set to where it already points).
 * `clock` is the index of the next write.
 */
function buildBatch(options: SeedOptions, from: number, to: number, clock: { next: number }): Batch {
  const batch: Batch = { models: [], modelTags: [], versions: [], versionTags: [], aliases: [], events: [] };
  const start = options.start.getTime();
  for (let index = from; index < to; index++) {
    const m = batch.models.length;
    let model: ModelRow | undefined;
    const aliases = new Map<string, { version: number; updatedAt: Date }>();
    const record = (at: Date, event: ReturnType<typeof historyEvent>) =>
      batch.events.push({ at, model: m, modelName: model!.name, ...event });
    for (const op of modelOperations(options, index)) {
      const now = new Date(start + clock.next++);
      if (op.kind === 'createModel') {
        model = { name: op.input.name, description: op.input.description ?? null, createdAt: now, updatedAt: now, lastVersion: 0 };
        batch.models.push(model);
        record(now, historyEvent('MODEL_CREATED', model));
        for (const tag of op.input.tags ?? []) {
          batch.modelTags.push({ model: m, ...tag });
          record(now, historyEvent('MODEL_TAG_SET', { ...tag, previous: null }));
        }
      } else if (op.kind === 'createVersion') {
        const number = ++model!.lastVersion;
        model!.updatedAt = now;
        const v = batch.versions.length;
        batch.versions.push({ model: m, version: number, source: op.input.source, runId: op.input.runId ?? null, createdAt: now });
        record(now, historyEvent('VERSION_CREATED', { version: number, source: op.input.source }));
        for (const tag of op.input.tags ?? []) {
          batch.versionTags.push({ version: v, ...tag });
          record(now, historyEvent('VERSION_TAG_SET', { version: number, ...tag, previous: null }));
        }
      } else {
        const previous = aliases.get(op.input.alias);
        if (previous?.version === op.input.version) continue;
        aliases.set(op.input.alias, { version: op.input.version, updatedAt: now });
        model!.updatedAt = now;
        record(
          now,
          historyEvent('ALIAS_SET', { alias: op.input.alias, version: op.input.version, previousVersion: previous?.version ?? null }),
        );
      }
    }
    const firstVersion = batch.versions.length - model!.lastVersion;
    for (const [alias, { version, updatedAt }] of aliases) {
      batch.aliases.push({ model: m, alias, version: firstVersion + version - 1, updatedAt });
    }
  }
  return batch;
}

const iso = (d: Date) => d.toISOString();

/** Inserts a batch with one statement per table (arrays through unnest, so few parameters). */
async function insertBatch(tx: Tx, batch: Batch, actor: string): Promise<void> {
  const models = await tx.$queryRawUnsafe<{ id: number }[]>(
    `INSERT INTO registered_model (name, description, created_at, updated_at, last_version)
     SELECT name, description, created_at, updated_at, last_version
     FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::timestamptz[], $5::int[]) WITH ORDINALITY
          AS r(name, description, created_at, updated_at, last_version, ord)
     ORDER BY ord
     RETURNING id`,
    batch.models.map((m) => m.name),
    batch.models.map((m) => m.description),
    batch.models.map((m) => iso(m.createdAt)),
    batch.models.map((m) => iso(m.updatedAt)),
    batch.models.map((m) => m.lastVersion),
  );
  // RETURNING follows the insertion order, which ORDER BY ord fixes.
  const modelIds = models.map((r) => Number(r.id));
  if (batch.modelTags.length > 0) {
    await tx.$executeRawUnsafe(
      `INSERT INTO registered_model_tag (model_id, key, value) SELECT * FROM unnest($1::int[], $2::text[], $3::text[])`,
      batch.modelTags.map((t) => modelIds[t.model]),
      batch.modelTags.map((t) => t.key),
      batch.modelTags.map((t) => t.value),
    );
  }
  let versionIds: number[] = [];
  if (batch.versions.length > 0) {
    const rows = await tx.$queryRawUnsafe<{ id: number }[]>(
      `INSERT INTO model_version (model_id, version, source, run_id, status, created_at, updated_at)
       SELECT model_id, version, source, run_id, 'READY', created_at, created_at
       FROM unnest($1::int[], $2::int[], $3::text[], $4::text[], $5::timestamptz[]) WITH ORDINALITY
            AS r(model_id, version, source, run_id, created_at, ord)
       ORDER BY ord
       RETURNING id`,
      batch.versions.map((v) => modelIds[v.model]),
      batch.versions.map((v) => v.version),
      batch.versions.map((v) => v.source),
      batch.versions.map((v) => v.runId),
      batch.versions.map((v) => iso(v.createdAt)),
    );
    versionIds = rows.map((r) => Number(r.id));
  }
  if (batch.versionTags.length > 0) {
    await tx.$executeRawUnsafe(
      `INSERT INTO model_version_tag (version_id, key, value) SELECT * FROM unnest($1::int[], $2::text[], $3::text[])`,
      batch.versionTags.map((t) => versionIds[t.version]),
      batch.versionTags.map((t) => t.key),
      batch.versionTags.map((t) => t.value),
    );
  }
  if (batch.aliases.length > 0) {
    await tx.$executeRawUnsafe(
      `INSERT INTO model_alias (model_id, alias, version_id, updated_at)
       SELECT * FROM unnest($1::int[], $2::text[], $3::int[], $4::timestamptz[])`,
      batch.aliases.map((a) => modelIds[a.model]),
      batch.aliases.map((a) => a.alias),
      batch.aliases.map((a) => versionIds[a.version]),
      batch.aliases.map((a) => iso(a.updatedAt)),
    );
  }
  const e = batch.events;
  // Sequence numbers are handed out in row order: ORDER BY ord keeps them in the writes' order.
  await tx.$executeRawUnsafe(
    `INSERT INTO audit_event (at, actor, action, model_id, model_name, version, previous_version, alias, key, previous_value, new_value)
     SELECT at, $12, action::"AuditAction", model_id, model_name, version, previous_version, alias, key, previous_value, new_value
     FROM unnest($1::timestamptz[], $2::text[], $3::int[], $4::text[], $5::int[], $6::int[], $7::text[], $8::text[], $9::text[], $10::text[], $11::int[])
          AS r(at, action, model_id, model_name, version, previous_version, alias, key, previous_value, new_value, ord)
     ORDER BY ord`,
    e.map((x) => iso(x.at)),
    e.map((x) => x.action),
    e.map((x) => modelIds[x.model]),
    e.map((x) => x.modelName),
    e.map((x) => x.version),
    e.map((x) => x.previousVersion),
    e.map((x) => x.alias),
    e.map((x) => x.key),
    e.map((x) => x.previousValue),
    e.map((x) => x.newValue),
    e.map((_x, i) => i),
    actor,
  );
}

export interface SeedProgress {
  modelsDone: number;
  models: number;
  versions: number;
  events: number;
}

export interface SeedResult {
  models: number;
  versions: number;
  events: number;
}

/** Roughly this many audit events per batch of statements. */
const EVENTS_PER_BATCH = 20_000;

/**
 * Writes the whole data set in one transaction (all or nothing), then refreshes the planner's
 * statistics. Fails, writing nothing, when a model of the same name already exists.
 */
export async function seedRegistry(
  prisma: PrismaClient,
  options: SeedOptions,
  onProgress: (progress: SeedProgress) => void = () => {},
): Promise<SeedResult> {
  const names = Array.from({ length: options.models }, (_, i) => modelName(options, i));
  const eventsPerModel = 1 + options.modelTags + options.versions * (1 + options.versionTags) + options.historyDepth + 2;
  const modelsPerBatch = Math.max(1, Math.floor(EVENTS_PER_BATCH / eventsPerModel));
  const totals = { models: 0, versions: 0, events: 0 };
  await prisma.$transaction(
    async (tx) => {
      const taken = await tx.$queryRawUnsafe<{ name: string }[]>(
        `SELECT name FROM registered_model WHERE name = ANY($1::text[]) ORDER BY name LIMIT 3`,
        names,
      );
      if (taken.length > 0) {
        throw new Error(
          `models named ${taken.map((t) => `"${t.name}"`).join(', ')} already exist: seed an empty database or choose another --prefix`,
        );
      }
      const clock = { next: 0 };
      for (let from = 0; from < options.models; from += modelsPerBatch) {
        const to = Math.min(options.models, from + modelsPerBatch);
        const batch = buildBatch(options, from, to, clock);
        await insertBatch(tx, batch, options.actor);
        totals.models = to;
        totals.versions += batch.versions.length;
        totals.events += batch.events.length;
        onProgress({ modelsDone: to, models: options.models, versions: totals.versions, events: totals.events });
      }
    },
    { timeout: 30 * 60_000, maxWait: 60_000 },
  );
  await prisma.$executeRawUnsafe(
    'ANALYZE registered_model, registered_model_tag, model_version, model_version_tag, model_alias, audit_event',
  );
  return totals;
}

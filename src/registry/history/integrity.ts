// The integrity checker: verifies that the stored state is consistent with itself and with its
// history. Plain functions over a Prisma client (or a transaction, so an import can check before it
// commits). `npm run check` prints the report; tests call checkIntegrity directly. What each event
// means on replay is history/events.ts; what replay cannot know (runId, runLink, a description
// before its first update) is history/state.ts.
import type { AuditEvent, ModelVersionStatus } from '../../generated/prisma/client.ts';
import { eventsAfter, wholeState } from '../../store/integrity.ts';
import { serialStates } from '../../store/serials.ts';
import type { Tx } from '../../store/sql.ts';
import { replayEvent } from './events.ts';
import { type ReplayedModel, type ReplayedRegistry, UNKNOWN, emptyReplayedRegistry, show } from './state.ts';

export type Invariant = 'version-numbers' | 'alias-targets' | 'sequence' | 'serials' | 'alias-chains' | 'replay';

export interface Violation {
  invariant: Invariant;
  message: string;
}

export interface IntegrityReport {
  /** One line per invariant checked, with how much it covered. */
  checked: string[];
  violations: Violation[];
  counts: { models: number; versions: number; modelTags: number; versionTags: number; aliases: number; events: number };
}

export interface CheckOptions {
  /** Events read per query while replaying (memory holds the replayed state, not the history). */
  batchSize?: number;
  onProgress?: (eventsReplayed: number) => void;
}

const iso = (ms: number): string => new Date(ms).toISOString();

export async function checkIntegrity(db: Tx, options: CheckOptions = {}): Promise<IntegrityReport> {
  const batchSize = options.batchSize ?? 2_000;
  const violations: Violation[] = [];
  const flag = (invariant: Invariant, message: string) => violations.push({ invariant, message });

  const { models, versions, aliases } = await wholeState(db);
  const modelById = new Map(models.map((m) => [m.id, m]));
  const versionById = new Map(versions.map((v) => [v.id, v]));

  // Version numbers: unique per model, positive, at most the model's highest number ever used.
  const seen = new Set<string>();
  for (const v of versions) {
    const model = modelById.get(v.modelId);
    const label = `version ${v.version} of model ${model ? show(model.name) : `#${v.modelId}`}`;
    const key = `${v.modelId}/${v.version}`;
    if (seen.has(key)) flag('version-numbers', `${label} exists more than once`);
    seen.add(key);
    if (!model) flag('version-numbers', `${label} (row ${v.id}) belongs to no model`);
    else if (v.version < 1 || v.version > model.lastVersion) {
      flag('version-numbers', `${label} is outside 1..${model.lastVersion} (the model's last_version)`);
    }
  }

  // Alias targets: an existing version of the alias's own model.
  for (const a of aliases) {
    const model = modelById.get(a.modelId);
    const target = versionById.get(a.versionId);
    const label = `alias ${show(a.alias)} of model ${model ? show(model.name) : `#${a.modelId}`}`;
    if (!model) flag('alias-targets', `${label} belongs to no model`);
    if (!target) flag('alias-targets', `${label} points at version row ${a.versionId}, which does not exist`);
    else if (target.modelId !== a.modelId) {
      const other = modelById.get(target.modelId);
      flag(
        'alias-targets',
        `${label} points at version ${target.version} of another model (${other ? show(other.name) : `#${target.modelId}`})`,
      );
    }
  }

  // Replay the whole history, checking each event against the state it applies to.
  const replayed = emptyReplayedRegistry();
  const lastAt = new Map<number, number>();
  let events = 0;
  let lastSequence = 0;
  let cursor: number | undefined;
  for (;;) {
    const batch = await eventsAfter(db, cursor, batchSize);
    for (const event of batch) {
      if (event.sequence <= lastSequence) {
        flag('sequence', `event ${event.sequence} follows event ${lastSequence}: sequence must strictly increase`);
      }
      lastSequence = event.sequence;
      const at = event.at.getTime();
      const previousAt = lastAt.get(event.modelId);
      if (previousAt !== undefined && at < previousAt) {
        flag(
          'sequence',
          `event ${event.sequence} (${event.action}) of model #${event.modelId} is at ${iso(at)}, before its previous event (${iso(previousAt)})`,
        );
      }
      lastAt.set(event.modelId, at);
      replayStep(event, replayed, flag);
      events++;
    }
    if (batch.length > 0) options.onProgress?.(events);
    if (batch.length < batchSize) break;
    cursor = batch[batch.length - 1].sequence;
  }

  // The serial counters must be past every stored value, or the next insert reuses one.
  const serials = await serialStates(db);
  for (const { table, column, last, max } of serials) {
    if (max !== null && last < max) {
      flag('serials', `${table}.${column} counter is at ${last} but the table holds ${max}: the next insert would reuse a value`);
    }
  }

  compareWithState(replayed.models, models, versions, aliases, flag);

  const counts = {
    models: models.length,
    versions: versions.length,
    modelTags: models.reduce((n, m) => n + m.tags.length, 0),
    versionTags: versions.reduce((n, v) => n + v.tags.length, 0),
    aliases: aliases.length,
    events,
  };
  const checked = [
    `version-numbers: ${counts.versions} versions unique per model and within 1..last_version`,
    `alias-targets: ${counts.aliases} aliases point at an existing version of their own model`,
    `sequence: ${counts.events} events in strictly increasing sequence, times never running backwards per model`,
    `serials: ${serials.length} id/sequence counters past every stored value`,
    `alias-chains: every ALIAS_SET/ALIAS_DELETED names the version the alias held before it`,
    `replay: replaying ${counts.events} events reproduces ${counts.models} models, ${counts.versions} versions, ` +
      `${counts.modelTags + counts.versionTags} tags and ${counts.aliases} aliases (names, values, targets, ` +
      `descriptions, status, stage, timestamps; not runId/runLink/storageLocation, which history does not carry), each event setting ` +
      `only the details its action carries`,
  ];
  return { checked, violations, counts };
}

function replayStep(event: AuditEvent, registry: ReplayedRegistry, flag: (invariant: Invariant, message: string) => void): void {
  const where = `event ${event.sequence} (${event.action}, model ${show(event.modelName)})`;
  replayEvent({
    event,
    at: event.at.getTime(),
    registry,
    bad: (message) => flag('replay', `${where}: ${message}`),
    brokenChain: (message) => flag('alias-chains', `${where}: ${message}`),
  });
}

type StoredModel = Awaited<ReturnType<Tx['registeredModel']['findMany']>>[number] & { tags: { key: string; value: string }[] };
type StoredVersion = Awaited<ReturnType<Tx['modelVersion']['findMany']>>[number] & { tags: { key: string; value: string }[] };
type StoredAlias = Awaited<ReturnType<Tx['modelAlias']['findMany']>>[number];

function compareWithState(
  replayed: Map<number, ReplayedModel>,
  models: StoredModel[],
  versions: StoredVersion[],
  aliases: StoredAlias[],
  flag: (invariant: Invariant, message: string) => void,
): void {
  const bad = (message: string) => flag('replay', message);
  const versionsByModel = new Map<number, StoredVersion[]>();
  for (const v of versions) versionsByModel.set(v.modelId, [...(versionsByModel.get(v.modelId) ?? []), v]);
  const aliasesByModel = new Map<number, StoredAlias[]>();
  for (const a of aliases) aliasesByModel.set(a.modelId, [...(aliasesByModel.get(a.modelId) ?? []), a]);
  const versionNumberById = new Map(versions.map((v) => [v.id, v.version]));

  const compareTags = (label: string, expected: Map<string, string>, stored: { key: string; value: string }[]) => {
    const actual = new Map(stored.map((t) => [t.key, t.value]));
    for (const [key, value] of expected) {
      if (!actual.has(key)) bad(`${label}: tag ${show(key)} is in history but not stored`);
      else if (actual.get(key) !== value) bad(`${label}: tag ${show(key)} is ${show(actual.get(key))}, history says ${show(value)}`);
    }
    for (const key of actual.keys()) if (!expected.has(key)) bad(`${label}: tag ${show(key)} is stored but not in history`);
  };
  const compareField = (label: string, field: string, actual: unknown, expected: unknown) => {
    if (expected !== UNKNOWN && actual !== expected) bad(`${label}: ${field} is ${show(actual)}, history says ${show(expected)}`);
  };

  for (const m of models) {
    const r = replayed.get(m.id);
    const label = `model ${show(m.name)}`;
    if (!r) {
      bad(`${label} (id ${m.id}) is stored but history never created it (or deleted it)`);
      continue;
    }
    compareField(label, 'name', m.name, r.name);
    compareField(label, 'description', m.description, r.description);
    compareField(label, 'last_version', m.lastVersion, r.lastVersion);
    compareField(label, 'createdAt', m.createdAt.toISOString(), iso(r.createdAt));
    compareField(label, 'updatedAt', m.updatedAt.toISOString(), iso(r.updatedAt));
    compareTags(label, r.tags, m.tags);

    const stored = new Map((versionsByModel.get(m.id) ?? []).map((v) => [v.version, v]));
    for (const [number, rv] of r.versions) {
      const v = stored.get(number);
      const vlabel = `version ${number} of ${label}`;
      if (!v) {
        bad(`${vlabel} is in history but not stored`);
        continue;
      }
      compareField(vlabel, 'source', v.source, rv.source);
      compareField(vlabel, 'description', v.description, rv.description);
      compareField(vlabel, 'status', v.status as ModelVersionStatus, rv.status);
      compareField(vlabel, 'statusMessage', v.statusMessage, rv.statusMessage);
      compareField(vlabel, 'stage', v.stage as string, rv.stage);
      compareField(vlabel, 'createdAt', v.createdAt.toISOString(), iso(rv.createdAt));
      compareField(vlabel, 'updatedAt', v.updatedAt.toISOString(), iso(rv.updatedAt));
      compareTags(vlabel, rv.tags, v.tags);
    }
    for (const number of stored.keys()) if (!r.versions.has(number)) bad(`version ${number} of ${label} is stored but not in history`);

    const storedAliases = new Map((aliasesByModel.get(m.id) ?? []).map((a) => [a.alias, a]));
    for (const [alias, ra] of r.aliases) {
      const a = storedAliases.get(alias);
      const alabel = `alias ${show(alias)} of ${label}`;
      if (!a) {
        bad(`${alabel} is in history but not stored`);
        continue;
      }
      compareField(alabel, 'version', versionNumberById.get(a.versionId) ?? null, ra.version);
      compareField(alabel, 'updatedAt', a.updatedAt.toISOString(), iso(ra.updatedAt));
    }
    for (const alias of storedAliases.keys())
      if (!r.aliases.has(alias)) bad(`alias ${show(alias)} of ${label} is stored but not in history`);
  }
  const storedIds = new Set(models.map((m) => m.id));
  for (const r of replayed.values()) {
    if (!storedIds.has(r.id)) bad(`model ${show(r.name)} (id ${r.id}) exists in history but is not stored`);
  }
}

// Bringing another registry's snapshot in (npm run import:mlflow), in one transaction: every fact the
// source has is added, or changed to the source's value, with one history event per fact, at the
// import's instant, by the caller (actor `import:mlflow` from the CLI). A rerun against an unchanged
// source finds nothing to do and records nothing. An import adds and updates, never deletes: tags,
// aliases and versions made here stay. Whatever contradicts what is here (a version number that
// holds another source, or was deleted here) is listed and the whole import is refused, as is a
// result the integrity checker would not accept.
//
// Instants: a model's and a version's creation keep the source's (carried by MODEL_IMPORTED and
// VERSION_IMPORTED); their last change is the import, which is the last change made here.
import type { ModelVersionStage } from '../../generated/prisma/client.ts';
import { insertEvents, type EventStamp, type RecordedEvent } from '../../store/events.ts';
import {
  type ExistingModel,
  insertImportedAliases,
  insertImportedModel,
  insertImportedVersions,
  lockExistingModels,
  upsertImportedAlias,
} from '../../store/imports.ts';
import { setLastVersion, touchModel, updateModelDescription } from '../../store/models.ts';
import { databaseNow } from '../../store/sql.ts';
import { upsertModelTag, upsertVersionTag } from '../../store/tags.ts';
import { type VersionFields, updateVersion } from '../../store/versions.ts';
import { historyEvent } from '../history/events.ts';
import { type IntegrityReport, checkIntegrity } from '../history/integrity.ts';
import { ValidationError } from '../rules/errors.ts';
import {
  checkAlias,
  checkDescription,
  checkModelName,
  checkRunId,
  checkRunLink,
  checkSource,
  checkStatusMessage,
  checkTags,
} from '../rules/validation.ts';
import type { Write } from '../write.ts';
import type { RegistrySnapshot, SnapshotModel, SnapshotTag, SnapshotVersion } from './snapshot.ts';

export interface ImportCounts {
  /** Added here. */
  imported: number;
  /** Here already, with some fact changed to the source's value. */
  updated: number;
  /** Here already, as at the source. */
  unchanged: number;
}

export interface ImportSummary {
  origin: string;
  models: ImportCounts;
  versions: ImportCounts;
  /** History events recorded: one per fact added or changed. */
  events: number;
  /** The reader's and the import's notes (what was adjusted or left as it is here). */
  warnings: string[];
  integrity: IntegrityReport;
}

/** The snapshot cannot be imported as a whole; nothing was written. */
export class ImportRefusedError extends Error {
  constructor(readonly problems: readonly string[]) {
    const shown = problems.slice(0, 20).map((p) => `  ${p}`);
    if (problems.length > 20) shown.push(`  ... and ${problems.length - 20} more`);
    super(`${problems.length} problem(s); nothing was imported:\n${shown.join('\n')}`);
  }
}

export interface ImportOptions {
  /** After each model, with how many of the snapshot's models are done. */
  onProgress?: (modelsDone: number, modelsTotal: number) => void;
}

export async function importSnapshot(w: Write, snapshot: RegistrySnapshot, options: ImportOptions = {}): Promise<ImportSummary> {
  const models = [...snapshot.models].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  w.access.requireWrite(
    models.map((m) => m.name),
    'importSnapshot',
  );
  const problems = models.flatMap(snapshotProblems);
  const names = models.map((m) => m.name);
  for (const [i, name] of names.entries()) if (names[i + 1] === name) problems.push(`model ${JSON.stringify(name)} comes twice`);
  if (problems.length > 0) throw new ImportRefusedError(problems);

  const existing = new Map((await lockExistingModels(w.tx, names)).map((m) => [m.name, m]));
  const stamp: EventStamp = { actor: w.access.actor, now: await databaseNow(w.tx) };
  const summary = { models: counts(), versions: counts(), events: 0, warnings: [...snapshot.warnings] };
  for (const [done, model] of models.entries()) {
    const here = existing.get(model.name);
    const events = here ? await mergeModel(w, stamp, here, model, summary, problems) : await addModel(w, stamp, model, summary);
    summary.events += events;
    options.onProgress?.(done + 1, models.length);
  }
  if (problems.length > 0) throw new ImportRefusedError(problems);
  const integrity = await checkIntegrity(w.tx);
  if (integrity.violations.length > 0) {
    throw new ImportRefusedError(integrity.violations.map((v) => `integrity check [${v.invariant}]: ${v.message}`));
  }
  return { origin: snapshot.origin, ...summary, integrity };
}

const counts = (): ImportCounts => ({ imported: 0, updated: 0, unchanged: 0 });

type Summary = Omit<ImportSummary, 'origin' | 'integrity'>;

/** Every fact of the model checked with the rules a command would apply, as readable lines. */
function snapshotProblems(model: SnapshotModel): string[] {
  const problems: string[] = [];
  const where = `model ${JSON.stringify(model.name)}`;
  const check = (label: string, run: () => void) => {
    try {
      run();
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      problems.push(`${label}: ${error.message}`);
    }
  };
  check(where, () => checkModelName(model.name));
  check(where, () => checkDescription(model.description));
  check(where, () => checkTags(model.tags));
  const numbers = new Set<number>();
  for (const v of model.versions) {
    const label = `${where} version ${v.version}`;
    if (!Number.isInteger(v.version) || v.version < 1) problems.push(`${label}: not a version number`);
    else if (numbers.has(v.version)) problems.push(`${label}: comes twice`);
    else if (v.version > model.lastVersion) problems.push(`${label}: above the model's highest version number ${model.lastVersion}`);
    numbers.add(v.version);
    check(label, () => checkSource(v.source));
    check(label, () => checkRunId(v.runId));
    check(label, () => checkRunLink(v.runLink));
    check(label, () => checkDescription(v.description));
    check(label, () => checkStatusMessage(v.statusMessage));
    check(label, () => checkTags(v.tags));
  }
  for (const a of model.aliases) {
    check(`${where} alias ${JSON.stringify(a.alias)}`, () => checkAlias(a.alias));
    if (!numbers.has(a.version)) problems.push(`${where} alias ${JSON.stringify(a.alias)}: version ${a.version} is not among its versions`);
  }
  return problems;
}

/** The events of a version's facts beyond its source and creation, as a new version here. */
function versionFactEvents(v: SnapshotVersion): RecordedEvent[] {
  const events: RecordedEvent[] = [historyEvent('VERSION_IMPORTED', v)];
  if (v.description !== null)
    events.push(historyEvent('VERSION_UPDATED', { version: v.version, field: 'description', from: null, to: v.description }));
  if (v.status !== 'READY')
    events.push(historyEvent('VERSION_UPDATED', { version: v.version, field: 'status', from: 'READY', to: v.status }));
  if (v.statusMessage !== null) {
    events.push(historyEvent('VERSION_UPDATED', { version: v.version, field: 'statusMessage', from: null, to: v.statusMessage }));
  }
  if (v.stage !== 'NONE') events.push(historyEvent('VERSION_STAGE_CHANGED', { version: v.version, from: 'NONE', to: v.stage }));
  for (const t of v.tags) events.push(historyEvent('VERSION_TAG_SET', { version: v.version, key: t.key, value: t.value, previous: null }));
  return events;
}

async function addModel(w: Write, stamp: EventStamp, model: SnapshotModel, summary: Summary): Promise<number> {
  for (const a of model.aliases) w.access.requireAliasChange(model.name, a.alias);
  const created = await insertImportedModel(w.tx, model, stamp.now);
  const ids = await insertImportedVersions(w.tx, created.id, model.versions, stamp.now);
  await insertImportedAliases(
    w.tx,
    created.id,
    model.aliases.map((a) => ({ alias: a.alias, versionId: ids.get(a.version) as number })),
    stamp.now,
  );
  const events: RecordedEvent[] = [
    historyEvent('MODEL_IMPORTED', model),
    ...model.tags.map((t) => historyEvent('MODEL_TAG_SET', { key: t.key, value: t.value, previous: null })),
    ...model.versions.flatMap(versionFactEvents),
    ...model.aliases.map((a) => historyEvent('ALIAS_SET', { alias: a.alias, version: a.version, previousVersion: null })),
  ];
  await insertEvents(w.tx, stamp, created, events);
  summary.models.imported++;
  summary.versions.imported += model.versions.length;
  return events.length;
}

/** Tags of the source that are missing here or differ: set each, one event per tag. */
function changedTags(
  here: readonly SnapshotTag[],
  source: readonly SnapshotTag[],
): { key: string; value: string; previous: string | null }[] {
  const current = new Map(here.map((t) => [t.key, t.value]));
  return source.filter((t) => current.get(t.key) !== t.value).map((t) => ({ ...t, previous: current.get(t.key) ?? null }));
}

/** Brings an existing model to the source's facts; lists contradictions in `problems`. */
async function mergeModel(
  w: Write,
  stamp: EventStamp,
  here: ExistingModel,
  model: SnapshotModel,
  summary: Summary,
  problems: string[],
): Promise<number> {
  const { tx } = w;
  const where = `model ${JSON.stringify(model.name)}`;
  const events: RecordedEvent[] = [];
  if (here.description !== model.description) {
    await updateModelDescription(tx, here.id, model.description, stamp.now);
    events.push(historyEvent('MODEL_UPDATED', { previous: here.description, description: model.description }));
  }
  for (const tag of changedTags(here.tags, model.tags)) {
    await upsertModelTag(tx, here.id, tag.key, tag.value);
    events.push(historyEvent('MODEL_TAG_SET', tag));
  }

  const versionsHere = new Map(here.versions.map((v) => [v.version, v]));
  const versionIds = new Map(here.versions.map((v) => [v.version, v.id]));
  const added: SnapshotVersion[] = [];
  for (const v of model.versions) {
    const mine = versionsHere.get(v.version);
    const label = `${where} version ${v.version}`;
    if (!mine) {
      if (v.version <= here.lastVersion) {
        summary.warnings.push(`${label} was deleted here after an earlier import or never came; it is not brought back`);
      } else added.push(v);
      continue;
    }
    if (mine.source !== v.source || mine.runId !== v.runId || mine.runLink !== v.runLink) {
      problems.push(
        `${label} is another version here (source ${JSON.stringify(mine.source)}, run ${JSON.stringify(mine.runId)}; ` +
          `the source has ${JSON.stringify(v.source)}, run ${JSON.stringify(v.runId)}): an import never changes what a version is`,
      );
      continue;
    }
    const versionEvents = await mergeVersion(w, stamp, mine, v);
    summary.versions[versionEvents.length > 0 ? 'updated' : 'unchanged']++;
    events.push(...versionEvents);
  }
  if (added.length > 0) {
    for (const [number, id] of await insertImportedVersions(tx, here.id, added, stamp.now)) versionIds.set(number, id);
    events.push(...added.flatMap(versionFactEvents));
    summary.versions.imported += added.length;
  }
  // Raised as far as the versions brought in (which history records); a number the source handed
  // out and deleted above them is not in any event, so it stays free here.
  const lastVersion = Math.max(here.lastVersion, ...added.map((v) => v.version));
  if (lastVersion !== here.lastVersion) await setLastVersion(tx, here.id, lastVersion, stamp.now);
  if (model.lastVersion > lastVersion) {
    summary.warnings.push(
      `${where}: the source handed out numbers up to ${model.lastVersion}, here the next version is ${lastVersion + 1}`,
    );
  }

  const aliasesHere = new Map(here.aliases.map((a) => [a.alias, a.versionId]));
  const numberOf = new Map(here.versions.map((v) => [v.id, v.version]));
  for (const a of model.aliases) {
    const target = versionIds.get(a.version);
    if (target === undefined) {
      summary.warnings.push(`${where} alias ${JSON.stringify(a.alias)} is left as it is here: version ${a.version} is not here`);
      continue;
    }
    const current = aliasesHere.get(a.alias);
    if (current === target) continue;
    w.access.requireAliasChange(model.name, a.alias);
    await upsertImportedAlias(tx, here.id, a.alias, target, stamp.now);
    const previousVersion = current === undefined ? null : (numberOf.get(current) ?? null);
    events.push(historyEvent('ALIAS_SET', { alias: a.alias, version: a.version, previousVersion }));
  }

  if (events.length > 0) {
    // The model's own row moves with any change to it or its parts (its updatedAt, as every command).
    if (here.description === model.description) await touchModel(tx, here.id, stamp.now);
    await insertEvents(tx, stamp, here, events);
    summary.models.updated++;
  } else summary.models.unchanged++;
  return events.length;
}

async function mergeVersion(
  w: Write,
  stamp: EventStamp,
  mine: ExistingModel['versions'][number],
  v: SnapshotVersion,
): Promise<RecordedEvent[]> {
  const events: RecordedEvent[] = [];
  const fields: VersionFields = {};
  for (const field of ['description', 'status', 'statusMessage'] as const) {
    if (mine[field] === v[field]) continue;
    Object.assign(fields, { [field]: v[field] });
    events.push(historyEvent('VERSION_UPDATED', { version: v.version, field, from: mine[field], to: v[field] }));
  }
  if (mine.stage !== v.stage) {
    fields.stage = v.stage;
    events.push(historyEvent('VERSION_STAGE_CHANGED', { version: v.version, from: mine.stage as ModelVersionStage, to: v.stage }));
  }
  const tags = changedTags(mine.tags, v.tags);
  for (const tag of tags) {
    await upsertVersionTag(w.tx, mine.id, tag.key, tag.value);
    events.push(historyEvent('VERSION_TAG_SET', { version: v.version, ...tag }));
  }
  if (events.length > 0) await updateVersion(w.tx, mine.id, fields, stamp.now);
  return events;
}

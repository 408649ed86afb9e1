// The meaning of each history event, in one place: which details its action carries, how a write
// builds them, and how replay applies the event to the replayed registry. Adding an action means an
// entry in HISTORY_EVENTS (the compiler refuses the table without one) and the command that writes it.
import { type AuditAction, type AuditEvent, ModelVersionStage } from '../../generated/prisma/client.ts';
import { type ReplayedModel, type ReplayedRegistry, type ReplayedVersion, UNKNOWN, show } from './state.ts';

export const EVENT_DETAIL_FIELDS = ['version', 'previousVersion', 'alias', 'key', 'previousValue', 'newValue'] as const;
export type EventDetailField = (typeof EVENT_DETAIL_FIELDS)[number];
export type EventDetails = Pick<AuditEvent, EventDetailField>;

/** One event being replayed onto the registry its predecessors left. */
export interface ReplayStep {
  event: AuditEvent;
  at: number;
  registry: ReplayedRegistry;
  /** The event contradicts the state it applies to. */
  bad(message: string): void;
  /** An alias event does not continue the alias's previous event. */
  brokenChain(message: string): void;
}

interface EventMeaning<Field extends EventDetailField, Write> {
  /** The details an event of this action may set; the others are always null. */
  carries: readonly Field[];
  // NoInfer: the fields come from `carries` alone, so a builder that leaves one out does not compile.
  details(write: Write): Pick<EventDetails, NoInfer<Field>>;
  replay(step: ReplayStep): void;
}

/** Any entry of the table, whatever its fields and write. */
interface AnyEventMeaning {
  carries: readonly EventDetailField[];
  details(write: never): Partial<EventDetails>;
  replay(step: ReplayStep): void;
}

// Infers each entry's own fields and write, which the table's annotation alone would widen away.
const meaning = <Field extends EventDetailField, Write>(m: EventMeaning<Field, Write>) => m;

type VersionField = 'description' | 'status' | 'statusMessage';
interface TagWrite {
  key: string;
  value: string;
  previous: string | null;
}

export const HISTORY_EVENTS = {
  MODEL_CREATED: meaning({
    carries: ['newValue'],
    details: (model: { description: string | null }) => ({ newValue: model.description }),
    replay(s) {
      createModel(s, s.at, 0);
    },
  }),
  MODEL_UPDATED: meaning({
    carries: ['key', 'previousValue', 'newValue'],
    details: (change: { previous: string | null; description: string | null }) => ({
      key: 'description',
      previousValue: change.previous,
      newValue: change.description,
    }),
    replay(s) {
      const model = changedModel(s);
      if (!model) return;
      if (s.event.key !== 'description') return s.bad(`unknown key ${show(s.event.key)}`);
      expectPrevious(s, model.description);
      model.description = s.event.newValue;
    },
  }),
  // Carries the new name as modelName too, so events under either name lead to the model.
  MODEL_RENAMED: meaning({
    carries: ['previousValue', 'newValue'],
    details: (rename: { from: string; to: string }) => ({ previousValue: rename.from, newValue: rename.to }),
    replay(s) {
      const e = s.event;
      const model = existingModel(s);
      if (!model) return;
      if (e.previousValue !== model.name) s.bad(`previousValue ${show(e.previousValue)} is not the name then, ${show(model.name)}`);
      if (e.newValue !== e.modelName) s.bad(`newValue ${show(e.newValue)} differs from modelName`);
      model.name = e.modelName;
      model.updatedAt = s.at;
    },
  }),
  MODEL_DELETED: meaning({
    carries: ['newValue'],
    details: (deletion: { deletedVersions: number }) => ({ newValue: String(deletion.deletedVersions) }),
    replay(s) {
      const model = namedModel(s);
      if (!model) return;
      if (s.event.newValue !== String(model.versions.size)) {
        s.bad(`newValue says ${show(s.event.newValue)} versions, replay has ${model.versions.size}`);
      }
      s.registry.models.delete(model.id);
      s.registry.deletedModels.add(model.id);
    },
  }),
  VERSION_CREATED: meaning({
    carries: ['version', 'newValue'],
    details: (created: { version: number; source: string }) => ({ version: created.version, newValue: created.source }),
    replay(s) {
      const e = s.event;
      const model = changedModel(s);
      if (!model) return;
      if (e.version === null || e.version <= model.lastVersion) {
        return s.bad(`version ${e.version} is not above the highest number used so far, ${model.lastVersion}`);
      }
      model.lastVersion = e.version;
      model.versions.set(e.version, newVersion(s, s.at));
    },
  }),
  VERSION_UPDATED: meaning({
    carries: ['version', 'key', 'previousValue', 'newValue'],
    details: (change: { version: number; field: VersionField; from: string | null; to: string | null }) => ({
      version: change.version,
      key: change.field,
      previousValue: change.from,
      newValue: change.to,
    }),
    replay(s) {
      const v = changedVersion(s);
      if (!v) return;
      const e = s.event;
      if (e.key === 'description') {
        expectPrevious(s, v.description);
        v.description = e.newValue;
      } else if (e.key === 'status') {
        expectPrevious(s, v.status);
        if (e.newValue === null) return s.bad('status set to null');
        v.status = e.newValue;
      } else if (e.key === 'statusMessage') {
        expectPrevious(s, v.statusMessage);
        v.statusMessage = e.newValue;
      } else s.bad(`unknown key ${show(e.key)}`);
    },
  }),
  // One per version that moved: archiving the others of a stage records each of them too.
  VERSION_STAGE_CHANGED: meaning({
    carries: ['version', 'previousValue', 'newValue'],
    details: (change: { version: number; from: ModelVersionStage; to: ModelVersionStage }) => ({
      version: change.version,
      previousValue: change.from,
      newValue: change.to,
    }),
    replay(s) {
      const v = changedVersion(s);
      if (!v) return;
      expectPrevious(s, v.stage);
      if (s.event.newValue === null || !(s.event.newValue in ModelVersionStage)) return s.bad(`unknown stage ${show(s.event.newValue)}`);
      v.stage = s.event.newValue;
    },
  }),
  // Its model's aliases on the version are deleted first, each with its own ALIAS_DELETED.
  VERSION_DELETED: meaning({
    carries: ['version'],
    details: (deleted: { version: number }) => ({ version: deleted.version }),
    replay(s) {
      const model = changedModel(s);
      if (!model || !eventVersion(s, model)) return;
      for (const [alias, target] of model.aliases) {
        if (target.version === s.event.version) {
          s.brokenChain(`alias ${show(alias)} still points at version ${s.event.version}; no ALIAS_DELETED preceded the deletion`);
          model.aliases.delete(alias);
        }
      }
      model.versions.delete(s.event.version!);
    },
  }),
  MODEL_TAG_SET: meaning({
    carries: ['key', 'previousValue', 'newValue'],
    details: tagSetDetails,
    replay: (s) => replayTag(s, changedModel(s), 'set'),
  }),
  MODEL_TAG_DELETED: meaning({
    carries: ['key', 'previousValue'],
    details: tagDeletedDetails,
    replay: (s) => replayTag(s, changedModel(s), 'delete'),
  }),
  VERSION_TAG_SET: meaning({
    carries: ['version', 'key', 'previousValue', 'newValue'],
    details: (tag: TagWrite & { version: number }) => ({ version: tag.version, ...tagSetDetails(tag) }),
    replay: (s) => replayTag(s, changedVersion(s), 'set'),
  }),
  VERSION_TAG_DELETED: meaning({
    carries: ['version', 'key', 'previousValue'],
    details: (tag: Omit<TagWrite, 'value'> & { version: number }) => ({ version: tag.version, ...tagDeletedDetails(tag) }),
    replay: (s) => replayTag(s, changedVersion(s), 'delete'),
  }),
  // Written only when the alias moves: setting it to where it points already records nothing.
  ALIAS_SET: meaning({
    carries: ['alias', 'version', 'previousVersion'],
    details: (move: { alias: string; version: number; previousVersion: number | null }) => ({
      alias: move.alias,
      version: move.version,
      previousVersion: move.previousVersion,
    }),
    replay(s) {
      const e = s.event;
      const model = changedModel(s);
      const alias = model && chainedAlias(s, model);
      if (!model || alias === undefined) return;
      if (e.version === null || !model.versions.has(e.version))
        return s.bad(`alias ${show(alias)} set to version ${e.version}, which does not exist then`);
      model.aliases.set(alias, { version: e.version, updatedAt: s.at });
    },
  }),
  ALIAS_DELETED: meaning({
    carries: ['alias', 'previousVersion'],
    details: (deleted: { alias: string; previousVersion: number }) => ({ alias: deleted.alias, previousVersion: deleted.previousVersion }),
    replay(s) {
      const model = changedModel(s);
      const alias = model && chainedAlias(s, model);
      if (model && alias !== undefined) model.aliases.delete(alias);
    },
  }),
  // From another registry (registry.importSnapshot). Its creation at the source is carried, so
  // the history keeps both instants; the parts it came with follow as their own events.
  MODEL_IMPORTED: meaning({
    carries: ['version', 'previousValue', 'newValue'],
    details: (model: { lastVersion: number; createdAt: Date; description: string | null }) => ({
      version: model.lastVersion,
      previousValue: model.createdAt.toISOString(),
      newValue: model.description,
    }),
    replay(s) {
      const createdAt = sourceInstant(s);
      if (createdAt === undefined) return;
      const { version } = s.event;
      if (version === null || version < 0) return s.bad(`version ${version} is not a highest version number`);
      createModel(s, createdAt, version);
    },
  }),
  // Numbered as at the source: below the model's highest number if the source handed it out (a
  // deleted number is never one here), or above it, which raises it.
  VERSION_IMPORTED: meaning({
    carries: ['version', 'previousValue', 'newValue'],
    details: (version: { version: number; createdAt: Date; source: string }) => ({
      version: version.version,
      previousValue: version.createdAt.toISOString(),
      newValue: version.source,
    }),
    replay(s) {
      const e = s.event;
      const model = changedModel(s);
      const createdAt = sourceInstant(s);
      if (!model || createdAt === undefined) return;
      if (e.version === null || e.version < 1) return s.bad(`version ${e.version} is not a version number`);
      if (model.versions.has(e.version)) return s.bad(`version ${e.version} exists already`);
      model.lastVersion = Math.max(model.lastVersion, e.version);
      model.versions.set(e.version, newVersion(s, createdAt));
    },
  }),
} satisfies Record<AuditAction, AnyEventMeaning>;

type HistoryEvents = typeof HISTORY_EVENTS;
export type EventWrite<A extends AuditAction> = Parameters<HistoryEvents[A]['details']>[0];

/** An `action` event's action and details, as a command records it. */
export function historyEvent<A extends AuditAction>(action: A, write: EventWrite<A>): { action: A } & EventDetails {
  const details = (HISTORY_EVENTS[action].details as (write: EventWrite<A>) => Partial<EventDetails>)(write);
  return {
    action,
    version: details.version ?? null,
    previousVersion: details.previousVersion ?? null,
    alias: details.alias ?? null,
    key: details.key ?? null,
    previousValue: details.previousValue ?? null,
    newValue: details.newValue ?? null,
  };
}

/** Applies one event to the replayed registry, reporting through the step what contradicts it. */
export function replayEvent(step: ReplayStep): void {
  const meaning: AnyEventMeaning = HISTORY_EVENTS[step.event.action];
  for (const field of EVENT_DETAIL_FIELDS) {
    if (step.event[field] !== null && !meaning.carries.includes(field)) step.bad(`${field} is set, but ${step.event.action} carries none`);
  }
  meaning.replay(step);
}

/** The event's model, new (its description in newValue), unless its id was used before. */
function createModel(s: ReplayStep, createdAt: number, lastVersion: number): void {
  const e = s.event;
  if (s.registry.models.has(e.modelId) || s.registry.deletedModels.has(e.modelId)) {
    s.bad(`model #${e.modelId} was already created`);
    return;
  }
  s.registry.models.set(e.modelId, {
    id: e.modelId,
    name: e.modelName,
    description: e.newValue,
    createdAt,
    updatedAt: s.at,
    lastVersion,
    tags: new Map(),
    versions: new Map(),
    aliases: new Map(),
  });
}

/** A version as its creation leaves it (its source in newValue): what later events reveal is unknown or default. */
function newVersion(s: ReplayStep, createdAt: number): ReplayedVersion {
  return {
    source: s.event.newValue,
    description: UNKNOWN,
    status: 'READY',
    statusMessage: null,
    stage: 'NONE',
    createdAt,
    updatedAt: s.at,
    tags: new Map(),
  };
}

/** An imported event's creation instant at the source (its previousValue), as ms. */
function sourceInstant(s: ReplayStep): number | undefined {
  const ms = s.event.previousValue === null ? Number.NaN : Date.parse(s.event.previousValue);
  if (Number.isNaN(ms)) s.bad(`previousValue ${show(s.event.previousValue)} is not the instant it was created at the source`);
  return Number.isNaN(ms) ? undefined : ms;
}

function tagSetDetails(tag: TagWrite) {
  return { key: tag.key, previousValue: tag.previous, newValue: tag.value };
}

function tagDeletedDetails(tag: Omit<TagWrite, 'value'>) {
  return { key: tag.key, previousValue: tag.previous };
}

function existingModel(s: ReplayStep): ReplayedModel | undefined {
  const model = s.registry.models.get(s.event.modelId);
  if (!model) s.bad(s.registry.deletedModels.has(s.event.modelId) ? 'the model was already deleted' : 'the model was never created');
  return model;
}

/** The event's model, which the event names as it was then (only a rename names it otherwise). */
function namedModel(s: ReplayStep): ReplayedModel | undefined {
  const model = existingModel(s);
  if (model && s.event.modelName !== model.name) s.bad(`modelName is not the name then, ${show(model.name)}`);
  return model;
}

/** The event's model, changed by it: every change to a model or its parts moves its updatedAt. */
function changedModel(s: ReplayStep): ReplayedModel | undefined {
  const model = namedModel(s);
  if (model) model.updatedAt = s.at;
  return model;
}

function eventVersion(s: ReplayStep, model: ReplayedModel): ReplayedVersion | undefined {
  const v = s.event.version === null ? undefined : model.versions.get(s.event.version);
  if (!v) s.bad(`version ${s.event.version} does not exist then`);
  return v;
}

function changedVersion(s: ReplayStep): ReplayedVersion | undefined {
  const model = changedModel(s);
  const v = model && eventVersion(s, model);
  if (v) v.updatedAt = s.at;
  return v;
}

function expectPrevious(s: ReplayStep, actual: string | null | typeof UNKNOWN): void {
  if (actual !== UNKNOWN && s.event.previousValue !== actual) {
    s.bad(`previousValue ${show(s.event.previousValue)} is not the value then, ${show(actual)}`);
  }
}

/** Tags of models and of versions replay alike. */
function replayTag(s: ReplayStep, owner: { tags: Map<string, string> } | undefined, change: 'set' | 'delete'): void {
  const { key, newValue } = s.event;
  if (!owner) return;
  if (key === null) {
    s.bad('no key');
    return;
  }
  expectPrevious(s, owner.tags.get(key) ?? null);
  if (change === 'delete') {
    if (!owner.tags.has(key)) s.bad(`tag ${show(key)} does not exist then`);
    owner.tags.delete(key);
  } else if (newValue === null) s.bad('no newValue');
  else owner.tags.set(key, newValue);
}

/** The event's alias, after checking that its previousVersion is where the alias's last event left it. */
function chainedAlias(s: ReplayStep, model: ReplayedModel): string | undefined {
  const { alias, previousVersion } = s.event;
  if (alias === null) {
    s.bad('no alias');
    return undefined;
  }
  const current = model.aliases.get(alias)?.version ?? null;
  if (previousVersion !== current) {
    s.brokenChain(
      `alias ${show(alias)} previousVersion is ${previousVersion ?? 'null'}, but the alias's previous event left it at ${current ?? 'null (absent)'}`,
    );
  }
  return alias;
}

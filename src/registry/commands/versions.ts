// Model versions: register the next number, update, move between MLflow's stages, delete (with the
// aliases that point at it).
import type { ModelVersion, ModelVersionStage, ModelVersionStatus, RegisteredModel } from '../../generated/prisma/client.ts';
import { aliasesOnVersion } from '../../store/aliases.ts';
import { insertEvents } from '../../store/events.ts';
import { setLastVersion, touchModel } from '../../store/models.ts';
import type { Tx } from '../../store/sql.ts';
import * as store from '../../store/versions.ts';
import {
  type StatementWrite,
  type Write,
  lockModel,
  modelNotFound,
  requireAliasRemovals,
  transactionFor,
  versionNotFound,
} from '../write.ts';
import { historyEvent } from '../history/events.ts';
import { runIdempotent } from '../history/idempotency.ts';
import { type TagInput, currentModelForReplay } from './models.ts';
import { checkArchiveExisting, parseStage } from '../rules/stages.ts';
import { referencedVersion } from '../rules/uri.ts';
import {
  checkDescription,
  checkRunId,
  checkRunLink,
  checkSource,
  checkStatusMessage,
  checkTags,
  isStorableText,
} from '../rules/validation.ts';

export interface CreateVersionInput {
  name: string;
  source: string;
  runId?: string | null;
  runLink?: string | null;
  description?: string | null;
  tags?: readonly TagInput[] | null;
  /** Makes retries safe (idempotency.ts). */
  idempotencyKey?: string | null;
  /** How long the key answers retries; IDEMPOTENCY_TTL_HOURS when absent. */
  idempotencyTtlMs?: number | null;
}

/** A version as a write left it, with its model (both as of the commit). */
export interface VersionChange {
  modelVersion: ModelVersion;
  registeredModel: RegisteredModel;
}

/**
 * Registers the next version. Without an idempotency key it is one statement (store/versions.ts
 * createVersionInOneStatement: lock, number, rows and events in the database); a key needs its
 * claim and result in the same transaction as the version, so keyed creates take one.
 */
export async function createModelVersion(w: StatementWrite, input: CreateVersionInput): Promise<VersionChange> {
  w.access.requireWrite([input.name], 'createModelVersion');
  const { idempotencyKey, idempotencyTtlMs, ...version } = input;
  checkVersionInput(version);
  if (idempotencyKey == null) return insertVersionInOneStatement(w, version);
  const request = {
    actor: w.access.actor,
    operation: 'createModelVersion',
    key: idempotencyKey,
    input: version,
    ttlMs: idempotencyTtlMs ?? w.settings.idempotencyTtlMs,
  };
  return transactionFor(w, (tw) =>
    runIdempotent(
      tw.tx,
      request,
      () => insertVersion(tw, version),
      (stored) => replayCreatedVersion(tw, stored),
    ),
  );
}

type NewVersionInput = Omit<CreateVersionInput, 'idempotencyKey' | 'idempotencyTtlMs'>;

function checkVersionInput(input: NewVersionInput): void {
  checkSource(input.source);
  checkRunId(input.runId);
  checkRunLink(input.runLink);
  checkDescription(input.description);
  checkTags(input.tags);
}

async function insertVersionInOneStatement({ db, access }: StatementWrite, input: NewVersionInput): Promise<VersionChange> {
  if (!isStorableText(input.name)) throw modelNotFound(input.name);
  const created = await store.createVersionInOneStatement(db, {
    name: input.name,
    source: input.source,
    runId: input.runId ?? null,
    runLink: input.runLink ?? null,
    description: input.description ?? null,
    storageLocation: await resolvedStorageLocation({ db, access }, input.source),
    tags: input.tags ?? [],
    actor: access.actor,
  });
  if (!created) throw modelNotFound(input.name);
  return { modelVersion: created.version, registeredModel: created.model };
}

async function insertVersion({ tx, access }: Write, input: NewVersionInput): Promise<VersionChange> {
  const { model, now } = await lockModel(tx, input.name);
  const storageLocation = await resolvedStorageLocation({ db: tx, access }, input.source);
  // The highest number ever used + 1: deleted numbers are never handed out again.
  const number = model.lastVersion + 1;
  const registeredModel = await setLastVersion(tx, model.id, number, now);
  const tags = input.tags ?? [];
  const version = await store.insertVersion(
    tx,
    {
      modelId: model.id,
      version: number,
      source: input.source,
      runId: input.runId ?? null,
      runLink: input.runLink ?? null,
      description: input.description ?? null,
      storageLocation,
      tags,
    },
    now,
  );
  await insertEvents(tx, { actor: access.actor, now }, model, [
    historyEvent('VERSION_CREATED', { version: number, source: input.source }),
    ...tags.map((t) => historyEvent('VERSION_TAG_SET', { version: number, key: t.key, value: t.value, previous: null })),
  ]);
  return { modelVersion: version, registeredModel };
}

/**
 * Where a new version's artifacts are when its source does not say it itself: a
 * `models:/<name>/<version>` source takes that version's location, as MLflow resolves it at
 * creation, so that deleting or moving the referenced version later does not move this one's
 * artifacts. Null: the source is the location.
 */
async function resolvedStorageLocation({ db, access }: Pick<StatementWrite, 'db' | 'access'>, source: string): Promise<string | null> {
  const ref = referencedVersion(source);
  if (!ref) return null;
  // A model outside the caller's scope is answered as absent, as every read does.
  const target = access.canSee(ref.name) ? await store.findVersionOfModel(db, ref.name, ref.version) : null;
  if (!target) throw versionNotFound(ref.name, ref.version);
  return target.storageLocation ?? target.source;
}

/**
 * An idempotent replay of createModelVersion: the first result, while its model and version still
 * exist and the caller may still change the model (else what a fresh request would answer now).
 */
async function replayCreatedVersion(w: Write, stored: VersionChange): Promise<VersionChange> {
  const model = await currentModelForReplay(w, stored.registeredModel, 'createModelVersion');
  if (!(await store.versionExists(w.tx, stored.modelVersion.id))) throw versionNotFound(model.name, stored.modelVersion.version);
  return stored;
}

/** Locks the model and finds one of its versions, or fails with NotFoundError naming what is missing. */
export async function lockVersion(
  tx: Tx,
  name: string,
  number: number,
): Promise<{ model: RegisteredModel; version: ModelVersion; now: Date }> {
  const { model, now } = await lockModel(tx, name);
  const version = await store.findVersion(tx, model.id, number);
  if (!version) throw versionNotFound(name, number);
  return { model, version, now };
}

export interface UpdateVersionInput {
  name: string;
  version: number;
  description?: string | null;
  status?: ModelVersionStatus | null;
  statusMessage?: string | null;
}

export async function updateModelVersion({ tx, access }: Write, input: UpdateVersionInput): Promise<VersionChange> {
  access.requireWrite([input.name], 'updateModelVersion');
  checkDescription(input.description);
  checkStatusMessage(input.statusMessage);
  const { model, version, now } = await lockVersion(tx, input.name, input.version);
  // Omitted fields stay as they are; status cannot be cleared, the text fields can (null).
  const changes: { field: 'description' | 'status' | 'statusMessage'; from: string | null; to: string | null }[] = [];
  if (input.description !== undefined && input.description !== version.description) {
    changes.push({ field: 'description', from: version.description, to: input.description });
  }
  if (input.status != null && input.status !== version.status) {
    changes.push({ field: 'status', from: version.status, to: input.status });
  }
  if (input.statusMessage !== undefined && input.statusMessage !== version.statusMessage) {
    changes.push({ field: 'statusMessage', from: version.statusMessage, to: input.statusMessage });
  }
  if (changes.length === 0) return { modelVersion: version, registeredModel: model };
  const updated = await store.updateVersion(tx, version.id, Object.fromEntries(changes.map((c) => [c.field, c.to])), now);
  const registeredModel = await touchModel(tx, model.id, now);
  await insertEvents(
    tx,
    { actor: access.actor, now },
    model,
    changes.map((c) => historyEvent('VERSION_UPDATED', { version: version.version, ...c })),
  );
  return { modelVersion: updated, registeredModel };
}

export interface TransitionStageInput {
  name: string;
  version: number;
  /** None, Staging, Production or Archived, in any case (MLflow's names). */
  stage: string;
  /** Moves the model's other versions in the target stage to Archived; only into Staging or Production. */
  archiveExistingVersions?: boolean | null;
}

/**
 * MLflow's transition-stage. Every version that moves records its own VERSION_STAGE_CHANGED, all at
 * the same instant (MLflow gives the archived ones the transitioned one's last_updated); a
 * transition that moves nothing records nothing and changes no timestamp.
 */
export async function transitionModelVersionStage({ tx, access }: Write, input: TransitionStageInput): Promise<VersionChange> {
  access.requireWrite([input.name], 'transitionModelVersionStage');
  const stage = parseStage(input.stage);
  if (input.archiveExistingVersions) checkArchiveExisting(stage);
  const { model, version, now } = await lockVersion(tx, input.name, input.version);
  const moves: { version: number; from: ModelVersionStage; to: ModelVersionStage }[] = [];
  let modelVersion = version;
  if (version.stage !== stage) {
    modelVersion = await store.updateVersion(tx, version.id, { stage }, now);
    moves.push({ version: version.version, from: version.stage, to: stage });
  }
  if (input.archiveExistingVersions) {
    const archived = await store.archiveVersionsInStage(tx, { modelId: model.id, stage, exceptId: version.id }, now);
    moves.push(...archived.map((number) => ({ version: number, from: stage, to: 'ARCHIVED' as const })));
  }
  if (moves.length === 0) return { modelVersion, registeredModel: model };
  const registeredModel = await touchModel(tx, model.id, now);
  await insertEvents(
    tx,
    { actor: access.actor, now },
    model,
    moves.map((m) => historyEvent('VERSION_STAGE_CHANGED', m)),
  );
  return { modelVersion, registeredModel };
}

export async function deleteModelVersion(
  { tx, access }: Write,
  input: { name: string; version: number },
): Promise<{ name: string; version: number; removedAliases: string[] }> {
  access.requireWrite([input.name], 'deleteModelVersion');
  const { model, version, now } = await lockVersion(tx, input.name, input.version);
  const aliases = await aliasesOnVersion(tx, version.id);
  // The aliases go with the version: protected ones need promote, checked on the rows just read.
  requireAliasRemovals(
    access,
    model.name,
    aliases.map((a) => a.alias),
  );
  // ON DELETE CASCADE removes them; each removal is recorded so that the alias's history still
  // says where it pointed and when it stopped.
  await store.deleteVersion(tx, version.id);
  await touchModel(tx, model.id, now);
  await insertEvents(tx, { actor: access.actor, now }, model, [
    ...aliases.map((a) => historyEvent('ALIAS_DELETED', { alias: a.alias, previousVersion: version.version })),
    historyEvent('VERSION_DELETED', { version: version.version }),
  ]);
  return { name: model.name, version: version.version, removedAliases: aliases.map((a) => a.alias) };
}

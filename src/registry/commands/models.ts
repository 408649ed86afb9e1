// Registered models: create, describe, rename, delete. Each command checks what the caller may do
// first, then does its whole use case inside the transaction it is given (see registry.ts).
import type { RegisteredModel } from '../../generated/prisma/client.ts';
import { aliasNamesOfModel } from '../../store/aliases.ts';
import { insertEvents } from '../../store/events.ts';
import * as store from '../../store/models.ts';
import { type Tx, databaseNow } from '../../store/sql.ts';
import { type Write, checksAliasRemovals, isUniqueViolation, lockModel, modelNotFound, requireAliasRemovals } from '../write.ts';
import { AlreadyExistsError } from '../rules/errors.ts';
import { historyEvent } from '../history/events.ts';
import { runIdempotent } from '../history/idempotency.ts';
import { checkDescription, checkModelName, checkTags } from '../rules/validation.ts';

export interface TagInput {
  key: string;
  value: string;
}

export interface CreateModelInput {
  name: string;
  description?: string | null;
  tags?: readonly TagInput[] | null;
  /** Makes retries safe (idempotency.ts). */
  idempotencyKey?: string | null;
  /** How long the key answers retries; IDEMPOTENCY_TTL_HOURS when absent. */
  idempotencyTtlMs?: number | null;
}

export interface ModelResult {
  registeredModel: RegisteredModel;
}

function alreadyExists(name: string): AlreadyExistsError {
  return new AlreadyExistsError(`registered model "${name}" already exists`);
}

export async function createRegisteredModel(w: Write, input: CreateModelInput): Promise<ModelResult> {
  w.access.requireWrite([input.name], 'createRegisteredModel');
  const { idempotencyKey, idempotencyTtlMs, ...model } = input;
  const create = () => insertModel(w, model);
  const registeredModel =
    idempotencyKey == null
      ? await create()
      : await runIdempotent(
          w.tx,
          {
            actor: w.access.actor,
            operation: 'createRegisteredModel',
            key: idempotencyKey,
            input: model,
            ttlMs: idempotencyTtlMs ?? w.settings.idempotencyTtlMs,
          },
          create,
          (stored) => replayCreatedModel(w, stored, 'createRegisteredModel'),
        );
  return { registeredModel };
}

async function insertModel(
  { tx, access }: Write,
  input: Omit<CreateModelInput, 'idempotencyKey' | 'idempotencyTtlMs'>,
): Promise<RegisteredModel> {
  checkModelName(input.name);
  checkDescription(input.description);
  checkTags(input.tags);
  if (await store.modelNameTaken(tx, input.name)) throw alreadyExists(input.name);
  const stamp = { actor: access.actor, now: await databaseNow(tx) };
  const tags = input.tags ?? [];
  let model: RegisteredModel;
  try {
    model = await store.insertModel(tx, { name: input.name, description: input.description ?? null, tags }, stamp.now);
  } catch (error) {
    // A concurrent create of the same name won the race between our check and our insert.
    if (isUniqueViolation(error)) throw alreadyExists(input.name);
    throw error;
  }
  await insertEvents(tx, stamp, model, [
    historyEvent('MODEL_CREATED', model),
    ...tags.map((t) => historyEvent('MODEL_TAG_SET', { key: t.key, value: t.value, previous: null })),
  ]);
  return model;
}

/**
 * The model a stored create result names, as it is now, for an idempotent replay: the stored row
 * alone would hand out (through its nested fields) whatever the model has become. Gone: the
 * NotFoundError a fresh request gets; renamed to where the caller may not write: FORBIDDEN, naming
 * the model as the caller knew it, not its new name, which belongs to whoever owns it now.
 */
export async function currentModelForReplay(
  { tx, access }: Write,
  stored: Pick<RegisteredModel, 'id' | 'name'>,
  operation: string,
): Promise<RegisteredModel> {
  const model = await store.findModel(tx, stored.id);
  if (!model) throw modelNotFound(stored.name);
  if (!access.canSee(model.name)) access.refuseReplay(operation, stored.name);
  return model;
}

/** An idempotent replay of createRegisteredModel: the first result, while the caller may still have it. */
async function replayCreatedModel(w: Write, stored: RegisteredModel, operation: string): Promise<RegisteredModel> {
  await currentModelForReplay(w, stored, operation);
  return stored;
}

export interface UpdateModelInput {
  name: string;
  /** Omitted: left as it is; null: cleared. */
  description?: string | null;
}

export async function updateRegisteredModel({ tx, access }: Write, input: UpdateModelInput): Promise<ModelResult> {
  access.requireWrite([input.name], 'updateRegisteredModel');
  checkDescription(input.description);
  const { model: current, now } = await lockModel(tx, input.name);
  if (input.description === undefined || input.description === current.description) return { registeredModel: current };
  const updated = await store.updateModelDescription(tx, current.id, input.description, now);
  await insertEvents(tx, { actor: access.actor, now }, current, [
    historyEvent('MODEL_UPDATED', { previous: current.description, description: updated.description }),
  ]);
  return { registeredModel: updated };
}

/** The names of a model's aliases, when the caller's access needs them checked (else none). */
async function aliasesToCheck(tx: Tx, access: Write['access'], modelId: number): Promise<string[]> {
  return checksAliasRemovals(access) ? aliasNamesOfModel(tx, modelId) : [];
}

export async function renameRegisteredModel({ tx, access }: Write, input: { name: string; newName: string }): Promise<ModelResult> {
  access.requireWrite([input.name, input.newName], 'renameRegisteredModel');
  checkModelName(input.newName, 'newName');
  const { model, now } = await lockModel(tx, input.name);
  // Its aliases move to the new name: protected ones (under either name) need promote.
  requireAliasRemovals(access, model.name, await aliasesToCheck(tx, access, model.id), input.newName);
  if (input.newName === model.name) return { registeredModel: model };
  if (await store.modelNameTaken(tx, input.newName)) throw alreadyExists(input.newName);
  let renamed: RegisteredModel;
  try {
    renamed = await store.renameModel(tx, model.id, input.newName, now);
  } catch (error) {
    if (isUniqueViolation(error)) throw alreadyExists(input.newName);
    throw error;
  }
  // History hangs on the model's id, so it follows the rename. The event carries the new name:
  // events under either name then lead to this model (see the modelName condition of eventFilterSql in
  // src/store/events.ts).
  await insertEvents(tx, { actor: access.actor, now }, renamed, [historyEvent('MODEL_RENAMED', { from: model.name, to: renamed.name })]);
  return { registeredModel: renamed };
}

export async function deleteRegisteredModel(
  { tx, access }: Write,
  input: { name: string },
): Promise<{ name: string; deletedVersions: number }> {
  access.requireWrite([input.name], 'deleteRegisteredModel');
  const { model, now } = await lockModel(tx, input.name);
  requireAliasRemovals(access, model.name, await aliasesToCheck(tx, access, model.id));
  const deletedVersions = await store.countModelVersions(tx, model.id);
  await store.deleteModel(tx, model.id);
  await insertEvents(tx, { actor: access.actor, now }, model, [historyEvent('MODEL_DELETED', { deletedVersions })]);
  return { name: model.name, deletedVersions };
}

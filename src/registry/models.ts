// Registered models: create, describe, rename, delete.
import type { RegisteredModel } from '../generated/prisma/client.ts';
import { recordEvent, recordEvents } from './audit.ts';
import { type Actor, type Tx, type WriteContext, databaseNow, isUniqueViolation, lockModel, modelNotFound } from './context.ts';
import { AlreadyExistsError } from './errors.ts';
import { checkDescription, checkModelName, checkTags } from './validation.ts';

export interface TagInput {
  key: string;
  value: string;
}

export interface CreateModelInput {
  name: string;
  description?: string | null;
  tags?: readonly TagInput[] | null;
}

function alreadyExists(name: string): AlreadyExistsError {
  return new AlreadyExistsError(`registered model "${name}" already exists`);
}

export async function createRegisteredModel(tx: Tx, actor: Actor, input: CreateModelInput): Promise<RegisteredModel> {
  checkModelName(input.name);
  checkDescription(input.description);
  checkTags(input.tags);
  if (await tx.registeredModel.findUnique({ where: { name: input.name }, select: { id: true } })) {
    throw alreadyExists(input.name);
  }
  const ctx: WriteContext = { tx, actor, now: await databaseNow(tx) };
  const tags = input.tags ?? [];
  let model: RegisteredModel;
  try {
    model = await tx.registeredModel.create({
      data: {
        name: input.name,
        description: input.description ?? null,
        createdAt: ctx.now,
        updatedAt: ctx.now,
        tags: { create: tags.map((t) => ({ key: t.key, value: t.value })) },
      },
    });
  } catch (error) {
    // A concurrent create of the same name won the race between our check and our insert.
    if (isUniqueViolation(error)) throw alreadyExists(input.name);
    throw error;
  }
  await recordEvents(ctx, model, [
    { action: 'MODEL_CREATED', newValue: model.description },
    ...tags.map((t) => ({ action: 'MODEL_TAG_SET' as const, key: t.key, newValue: t.value })),
  ]);
  return model;
}

/** Throws (e.g. FORBIDDEN) when the caller may not change the model now named `modelName`, stored as `storedName`. */
export type ModelWriteCheck = (modelName: string, storedName: string) => void;

/**
 * The model a stored create result names, as it is now, for an idempotent replay: the stored row
 * alone would hand out (through its nested fields) whatever the model has become. Gone: the
 * NotFoundError a fresh request gets; renamed to where the caller may not write: `mayWrite` refuses.
 */
export async function currentModelForReplay(
  tx: Tx,
  stored: Pick<RegisteredModel, 'id' | 'name'>,
  mayWrite: ModelWriteCheck,
): Promise<RegisteredModel> {
  const model = await tx.registeredModel.findUnique({ where: { id: stored.id } });
  if (!model) throw modelNotFound(stored.name);
  mayWrite(model.name, stored.name);
  return model;
}

/** An idempotent replay of createRegisteredModel: the first result, while the caller may still have it. */
export async function replayCreatedModel(tx: Tx, stored: RegisteredModel, mayWrite: ModelWriteCheck): Promise<RegisteredModel> {
  await currentModelForReplay(tx, stored, mayWrite);
  return stored;
}

export interface UpdateModelInput {
  name: string;
  /** Omitted: left as it is; null: cleared. */
  description?: string | null;
}

export async function updateRegisteredModel(tx: Tx, actor: Actor, input: UpdateModelInput): Promise<RegisteredModel> {
  checkDescription(input.description);
  const { model: current, now } = await lockModel(tx, input.name);
  if (input.description === undefined || input.description === current.description) return current;
  const updated = await tx.registeredModel.update({
    where: { id: current.id },
    data: { description: input.description, updatedAt: now },
  });
  await recordEvent({ tx, actor, now }, current, 'MODEL_UPDATED', {
    key: 'description',
    previousValue: current.description,
    newValue: updated.description,
  });
  return updated;
}

export async function renameRegisteredModel(
  tx: Tx,
  actor: Actor,
  input: { name: string; newName: string },
): Promise<RegisteredModel> {
  checkModelName(input.newName, 'newName');
  const { model, now } = await lockModel(tx, input.name);
  if (input.newName === model.name) return model;
  if (await tx.registeredModel.findUnique({ where: { name: input.newName }, select: { id: true } })) {
    throw alreadyExists(input.newName);
  }
  let renamed: RegisteredModel;
  try {
    renamed = await tx.registeredModel.update({ where: { id: model.id }, data: { name: input.newName, updatedAt: now } });
  } catch (error) {
    if (isUniqueViolation(error)) throw alreadyExists(input.newName);
    throw error;
  }
  // History hangs on the model's id, so it follows the rename. The event carries the new name:
  // events under either name then lead to this model (see the modelName filter in queries.ts).
  await recordEvent({ tx, actor, now }, renamed, 'MODEL_RENAMED', { previousValue: model.name, newValue: renamed.name });
  return renamed;
}

export async function deleteRegisteredModel(
  tx: Tx,
  actor: Actor,
  input: { name: string },
): Promise<{ name: string; deletedVersions: number }> {
  const { model, now } = await lockModel(tx, input.name);
  const deletedVersions = await tx.modelVersion.count({ where: { modelId: model.id } });
  // Versions, tags and aliases go by ON DELETE CASCADE; the events stay (they have no foreign key).
  await tx.registeredModel.delete({ where: { id: model.id } });
  await recordEvent({ tx, actor, now }, model, 'MODEL_DELETED', { newValue: String(deletedVersions) });
  return { name: model.name, deletedVersions };
}

// Tags on models and on versions: set (add or overwrite) and delete, each recorded.
import type { ModelVersion, RegisteredModel } from '../generated/prisma/client.ts';
import { recordEvent } from './audit.ts';
import { type Write, lockModel, touchModel } from './context.ts';
import { NotFoundError } from './errors.ts';
import type { TagInput } from './models.ts';
import { checkTagKey, checkTagRoom, checkTagValue, isStorableText } from './validation.ts';
import { lockVersion } from './versions.ts';

export interface ModelTagResult {
  registeredModel: RegisteredModel;
  tag: TagInput;
}

export interface VersionTagResult {
  modelVersion: ModelVersion;
  /** The version's model, as of the commit. */
  registeredModel: RegisteredModel;
  tag: TagInput;
}

function tagNotFound(key: string, owner: string): NotFoundError {
  return new NotFoundError(`tag "${key}" not found on ${owner}`);
}

export async function setRegisteredModelTag(
  { tx, access }: Write,
  input: { name: string; key: string; value: string },
): Promise<ModelTagResult> {
  access.requireWrite([input.name], 'setRegisteredModelTag');
  checkTagKey(input.key);
  checkTagValue(input.value);
  const { model, now } = await lockModel(tx, input.name);
  const where = { modelId_key: { modelId: model.id, key: input.key } };
  const previous = await tx.registeredModelTag.findUnique({ where });
  const tag = { key: input.key, value: input.value };
  if (previous?.value === input.value) return { registeredModel: model, tag };
  if (!previous) checkTagRoom(await tx.registeredModelTag.count({ where: { modelId: model.id } }), `registered model "${model.name}"`);
  await tx.registeredModelTag.upsert({ where, create: { modelId: model.id, ...tag }, update: { value: input.value } });
  const registeredModel = await touchModel(tx, model.id, now);
  await recordEvent({ tx, actor: access.actor, now }, model, 'MODEL_TAG_SET', {
    key: input.key,
    previousValue: previous?.value ?? null,
    newValue: input.value,
  });
  return { registeredModel, tag };
}

export async function deleteRegisteredModelTag(
  { tx, access }: Write,
  input: { name: string; key: string },
): Promise<ModelTagResult> {
  access.requireWrite([input.name], 'deleteRegisteredModelTag');
  const { model, now } = await lockModel(tx, input.name);
  const owner = `registered model "${model.name}"`;
  if (!isStorableText(input.key)) throw tagNotFound(input.key, owner);
  const where = { modelId_key: { modelId: model.id, key: input.key } };
  const previous = await tx.registeredModelTag.findUnique({ where });
  if (!previous) throw tagNotFound(input.key, owner);
  await tx.registeredModelTag.delete({ where });
  const registeredModel = await touchModel(tx, model.id, now);
  await recordEvent({ tx, actor: access.actor, now }, model, 'MODEL_TAG_DELETED', { key: input.key, previousValue: previous.value });
  return { registeredModel, tag: { key: previous.key, value: previous.value } };
}

export async function setModelVersionTag(
  { tx, access }: Write,
  input: { name: string; version: number; key: string; value: string },
): Promise<VersionTagResult> {
  access.requireWrite([input.name], 'setModelVersionTag');
  checkTagKey(input.key);
  checkTagValue(input.value);
  const { model, version, now } = await lockVersion(tx, input.name, input.version);
  const where = { versionId_key: { versionId: version.id, key: input.key } };
  const previous = await tx.modelVersionTag.findUnique({ where });
  const tag = { key: input.key, value: input.value };
  if (previous?.value === input.value) return { modelVersion: version, registeredModel: model, tag };
  if (!previous) {
    checkTagRoom(await tx.modelVersionTag.count({ where: { versionId: version.id } }), `version ${version.version} of model "${model.name}"`);
  }
  await tx.modelVersionTag.upsert({ where, create: { versionId: version.id, ...tag }, update: { value: input.value } });
  const modelVersion = await tx.modelVersion.update({ where: { id: version.id }, data: { updatedAt: now } });
  const registeredModel = await touchModel(tx, model.id, now);
  await recordEvent({ tx, actor: access.actor, now }, model, 'VERSION_TAG_SET', {
    version: version.version,
    key: input.key,
    previousValue: previous?.value ?? null,
    newValue: input.value,
  });
  return { modelVersion, registeredModel, tag };
}

export async function deleteModelVersionTag(
  { tx, access }: Write,
  input: { name: string; version: number; key: string },
): Promise<VersionTagResult> {
  access.requireWrite([input.name], 'deleteModelVersionTag');
  const { model, version, now } = await lockVersion(tx, input.name, input.version);
  const owner = `version ${version.version} of registered model "${model.name}"`;
  if (!isStorableText(input.key)) throw tagNotFound(input.key, owner);
  const where = { versionId_key: { versionId: version.id, key: input.key } };
  const previous = await tx.modelVersionTag.findUnique({ where });
  if (!previous) throw tagNotFound(input.key, owner);
  await tx.modelVersionTag.delete({ where });
  const modelVersion = await tx.modelVersion.update({ where: { id: version.id }, data: { updatedAt: now } });
  const registeredModel = await touchModel(tx, model.id, now);
  await recordEvent({ tx, actor: access.actor, now }, model, 'VERSION_TAG_DELETED', {
    version: version.version,
    key: input.key,
    previousValue: previous.value,
  });
  return { modelVersion, registeredModel, tag: { key: previous.key, value: previous.value } };
}

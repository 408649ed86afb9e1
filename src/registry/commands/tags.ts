// Tags on models and on versions: set (add or overwrite) and delete, each recorded.
import type { ModelVersion, RegisteredModel } from '../../generated/prisma/client.ts';
import { insertEvents } from '../../store/events.ts';
import { touchModel } from '../../store/models.ts';
import * as store from '../../store/tags.ts';
import { touchVersion } from '../../store/versions.ts';
import { type Write, lockModel } from '../write.ts';
import { type Missing, NotFoundError } from '../rules/errors.ts';
import { historyEvent } from '../history/events.ts';
import type { TagInput } from './models.ts';
import { checkTagKey, checkTagRoom, checkTagValue, isStorableText } from '../rules/validation.ts';
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

function tagNotFound(key: string, owner: string, missing: Missing): NotFoundError {
  return new NotFoundError(`tag "${key}" not found on ${owner}`, missing);
}

export async function setRegisteredModelTag(
  { tx, access }: Write,
  input: { name: string; key: string; value: string },
): Promise<ModelTagResult> {
  access.requireWrite([input.name], 'setRegisteredModelTag');
  checkTagKey(input.key);
  checkTagValue(input.value);
  const { model, now } = await lockModel(tx, input.name);
  const previous = await store.findModelTag(tx, model.id, input.key);
  const tag = { key: input.key, value: input.value };
  if (previous?.value === input.value) return { registeredModel: model, tag };
  if (!previous) checkTagRoom(await store.countModelTags(tx, model.id), `registered model "${model.name}"`);
  await store.upsertModelTag(tx, model.id, input.key, input.value);
  const registeredModel = await touchModel(tx, model.id, now);
  await insertEvents(tx, { actor: access.actor, now }, model, [
    historyEvent('MODEL_TAG_SET', { ...tag, previous: previous?.value ?? null }),
  ]);
  return { registeredModel, tag };
}

export async function deleteRegisteredModelTag({ tx, access }: Write, input: { name: string; key: string }): Promise<ModelTagResult> {
  access.requireWrite([input.name], 'deleteRegisteredModelTag');
  const { model, now } = await lockModel(tx, input.name);
  const owner = `registered model "${model.name}"`;
  const missing: Missing = { kind: 'modelTag', name: model.name, key: input.key };
  if (!isStorableText(input.key)) throw tagNotFound(input.key, owner, missing);
  const previous = await store.findModelTag(tx, model.id, input.key);
  if (!previous) throw tagNotFound(input.key, owner, missing);
  await store.deleteModelTag(tx, model.id, input.key);
  const registeredModel = await touchModel(tx, model.id, now);
  await insertEvents(tx, { actor: access.actor, now }, model, [
    historyEvent('MODEL_TAG_DELETED', { key: input.key, previous: previous.value }),
  ]);
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
  const previous = await store.findVersionTag(tx, version.id, input.key);
  const tag = { key: input.key, value: input.value };
  if (previous?.value === input.value) return { modelVersion: version, registeredModel: model, tag };
  if (!previous) checkTagRoom(await store.countVersionTags(tx, version.id), `version ${version.version} of model "${model.name}"`);
  await store.upsertVersionTag(tx, version.id, input.key, input.value);
  const modelVersion = await touchVersion(tx, version.id, now);
  const registeredModel = await touchModel(tx, model.id, now);
  await insertEvents(tx, { actor: access.actor, now }, model, [
    historyEvent('VERSION_TAG_SET', { version: version.version, ...tag, previous: previous?.value ?? null }),
  ]);
  return { modelVersion, registeredModel, tag };
}

export async function deleteModelVersionTag(
  { tx, access }: Write,
  input: { name: string; version: number; key: string },
): Promise<VersionTagResult> {
  access.requireWrite([input.name], 'deleteModelVersionTag');
  const { model, version, now } = await lockVersion(tx, input.name, input.version);
  const owner = `version ${version.version} of registered model "${model.name}"`;
  const missing: Missing = { kind: 'versionTag', name: model.name, version: version.version, key: input.key };
  if (!isStorableText(input.key)) throw tagNotFound(input.key, owner, missing);
  const previous = await store.findVersionTag(tx, version.id, input.key);
  if (!previous) throw tagNotFound(input.key, owner, missing);
  await store.deleteVersionTag(tx, version.id, input.key);
  const modelVersion = await touchVersion(tx, version.id, now);
  const registeredModel = await touchModel(tx, model.id, now);
  await insertEvents(tx, { actor: access.actor, now }, model, [
    historyEvent('VERSION_TAG_DELETED', { version: version.version, key: input.key, previous: previous.value }),
  ]);
  return { modelVersion, registeredModel, tag: { key: previous.key, value: previous.value } };
}

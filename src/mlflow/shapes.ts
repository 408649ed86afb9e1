// MLflow's JSON shapes (mlflow/utils/proto_json_utils.py message_to_json and the entities'
// to_proto): version as a string, timestamps as integer ms, `status` always present (without it
// the client reads PENDING_REGISTRATION and polls for 300 s), empty lists omitted, a model's empty
// description omitted, a version's text fields as "" when unset. Stages are not stored yet, so every
// version is in stage "None" (TODO(stages engineer): current_stage from the version's stage).
import type { ModelVersion, RegisteredModel } from '../generated/prisma/client.ts';
import type { RegistryReads } from '../registry/reads.ts';

type Json = Record<string, unknown>;

interface Tag {
  key: string;
  value: string;
}

const tagJson = (tags: readonly Tag[]) => tags.map((t) => ({ key: t.key, value: t.value }));

/** `key: value` only when the list is not empty, as MLflow omits empty repeated fields. */
function nonEmpty(key: string, list: readonly unknown[]): Json {
  return list.length > 0 ? { [key]: list } : {};
}

function versionJson(version: ModelVersion, modelName: string, tags: readonly Tag[], aliases: readonly string[]): Json {
  return {
    name: modelName,
    version: String(version.version),
    creation_timestamp: version.createdAt.getTime(),
    last_updated_timestamp: version.updatedAt.getTime(),
    current_stage: 'None',
    description: version.description ?? '',
    source: version.source,
    run_id: version.runId ?? '',
    status: version.status,
    ...(version.statusMessage ? { status_message: version.statusMessage } : {}),
    ...nonEmpty('tags', tagJson(tags)),
    run_link: version.runLink ?? '',
    ...nonEmpty('aliases', aliases),
  };
}

/** A ModelVersion as MLflow's get, get-by-alias, create and update answer it: with its aliases. */
export async function renderVersion(reads: RegistryReads, version: ModelVersion, modelName: string): Promise<Json> {
  const [tags, aliases] = await Promise.all([reads.versionTags([version.id]), reads.aliasesOfVersions([version.id])]);
  return versionJson(
    version,
    modelName,
    tags,
    aliases.map((a) => a.alias),
  );
}

/**
 * A RegisteredModel with its tags (the client's prompt check reads them), its aliases as
 * {alias, version}, and latest_versions: MLflow's latest version per stage, which while every
 * version is in stage "None" is the highest live version. MLflow leaves aliases out of
 * latest_versions but keeps their tags.
 */
export async function renderModel(reads: RegistryReads, model: RegisteredModel): Promise<Json> {
  const [tags, aliases, latest] = await Promise.all([
    reads.modelTags([model.id]),
    reads.aliasesOfModels([model.id]),
    reads.latestVersionNumbers([model.id]),
  ]);
  const latestNumber = latest.get(model.id);
  const latestVersions = latestNumber === undefined ? [] : await reads.versionsByNumbers([{ modelId: model.id, version: latestNumber }]);
  const versionTags = await reads.versionTags(latestVersions.map((v) => v.id));
  const aliasTargets = await reads.versionsByIds([...new Set(aliases.map((a) => a.versionId))]);
  const numberOf = new Map(aliasTargets.map((v) => [v.id, v.version]));
  return {
    name: model.name,
    creation_timestamp: model.createdAt.getTime(),
    last_updated_timestamp: model.updatedAt.getTime(),
    ...(model.description ? { description: model.description } : {}),
    ...nonEmpty(
      'latest_versions',
      latestVersions.map((v) =>
        versionJson(
          v,
          model.name,
          versionTags.filter((t) => t.versionId === v.id),
          [],
        ),
      ),
    ),
    ...nonEmpty('tags', tagJson(tags)),
    ...nonEmpty(
      'aliases',
      aliases.flatMap((a) => (numberOf.has(a.versionId) ? [{ alias: a.alias, version: String(numberOf.get(a.versionId)) }] : [])),
    ),
  };
}

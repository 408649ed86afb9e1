// MLflow's JSON shapes (mlflow/utils/proto_json_utils.py message_to_json and the entities'
// to_proto): version as a string, timestamps as integer ms, `status` always present (without it
// the client reads PENDING_REGISTRATION and polls for 300 s), empty lists omitted, a model's empty
// description omitted, a version's text fields as "" when unset, its stage in MLflow's spelling.
import type { ModelVersion, RegisteredModel } from '../generated/prisma/client.ts';
import type { RegistryReads } from '../registry/reads.ts';
import { MLFLOW_STAGE_NAMES } from '../registry/rules/stages.ts';
import { groupBy } from '../store/group-by.ts';

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
    current_stage: MLFLOW_STAGE_NAMES[version.stage],
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

/** Versions with their tags and without aliases: model-versions/search and latest_versions, as MLflow answers them. */
export async function renderVersionsWithoutAliases(
  reads: RegistryReads,
  versions: readonly (ModelVersion & { modelName: string })[],
): Promise<Json[]> {
  const tagsOf = groupBy(await reads.versionTags(versions.map((v) => v.id)), (t) => t.versionId);
  return versions.map((v) => versionJson(v, v.modelName, tagsOf.get(v.id) ?? [], []));
}

/** Versions with their aliases, as get-latest-versions answers them. */
export async function renderVersions(reads: RegistryReads, versions: readonly ModelVersion[], modelName: string): Promise<Json[]> {
  const ids = versions.map((v) => v.id);
  const [tags, aliases] = await Promise.all([reads.versionTags(ids), reads.aliasesOfVersions(ids)]);
  const [tagsOf, aliasesOf] = [groupBy(tags, (t) => t.versionId), groupBy(aliases, (a) => a.versionId)];
  return versions.map((v) =>
    versionJson(
      v,
      modelName,
      tagsOf.get(v.id) ?? [],
      (aliasesOf.get(v.id) ?? []).map((a) => a.alias),
    ),
  );
}

/**
 * RegisteredModels with their tags (the client's prompt check reads them), their aliases as
 * {alias, version}, and latest_versions: MLflow's highest version in each stage that has one
 * (SqlRegisteredModel.to_mlflow_entity), with their tags and without aliases. MLflow lists them in
 * the order it meets the stages going through the versions; here by version number, which is the
 * same whenever the older versions are in the later-reached stages, and clients do not rely on it.
 * A whole page in five statements whatever its size: the models' tags, their aliases and their
 * latest versions, then the aliases' versions and the latest versions' tags.
 */
export async function renderModels(reads: RegistryReads, models: readonly RegisteredModel[]): Promise<Json[]> {
  if (models.length === 0) return [];
  const ids = models.map((m) => m.id);
  const [tags, aliases, latest] = await Promise.all([
    reads.modelTags(ids),
    reads.aliasesOfModels(ids),
    reads.latestVersionsByStageOfModels(ids),
  ]);
  const targetIds = [...new Set(aliases.map((a) => a.versionId))];
  const [aliasTargets, latestTags] = await Promise.all([
    targetIds.length > 0 ? reads.versionsByIds(targetIds) : [],
    latest.length > 0 ? reads.versionTags(latest.map((v) => v.id)) : [],
  ]);
  const numberOf = new Map(aliasTargets.map((v) => [v.id, v.version]));
  const [tagsOf, aliasesOf, latestOf, versionTagsOf] = [
    groupBy(tags, (t) => t.modelId),
    groupBy(aliases, (a) => a.modelId),
    groupBy(latest, (v) => v.modelId),
    groupBy(latestTags, (t) => t.versionId),
  ];
  return models.map((model) => {
    const latestVersions = [...(latestOf.get(model.id) ?? [])].sort((a, b) => a.version - b.version);
    return {
      name: model.name,
      creation_timestamp: model.createdAt.getTime(),
      last_updated_timestamp: model.updatedAt.getTime(),
      ...(model.description ? { description: model.description } : {}),
      ...nonEmpty(
        'latest_versions',
        latestVersions.map((v) => versionJson(v, model.name, versionTagsOf.get(v.id) ?? [], [])),
      ),
      ...nonEmpty('tags', tagJson(tagsOf.get(model.id) ?? [])),
      ...nonEmpty(
        'aliases',
        (aliasesOf.get(model.id) ?? []).flatMap((a) =>
          numberOf.has(a.versionId) ? [{ alias: a.alias, version: String(numberOf.get(a.versionId)) }] : [],
        ),
      ),
    };
  });
}

/** One RegisteredModel, as renderModels renders a page: get, create, update and rename answer it. */
export async function renderModel(reads: RegistryReads, model: RegisteredModel): Promise<Json> {
  const [rendered] = await renderModels(reads, [model]);
  return rendered;
}

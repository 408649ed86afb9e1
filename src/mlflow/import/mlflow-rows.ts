// MLflow's registry as rows (its database tables, or the REST answers flattened to them) and the one
// mapping of those rows onto a RegistrySnapshot, shared by the REST and database readers so that both
// read MLflow the same way: stage and status names, '' meaning unset, NULL tag values, soft-deleted
// versions, dangling aliases, prompts, and the version high-water mark.
import type { ModelVersionStage, ModelVersionStatus } from '../../generated/prisma/client.ts';
import type { RegistrySnapshot, SnapshotModel, SnapshotTag } from '../../registry/imports/snapshot.ts';
import { MLFLOW_STAGE_NAMES } from '../../registry/rules/stages.ts';

/** A source that cannot be read whole and as MLflow: the message says what failed and where. */
export class MlflowSourceError extends Error {
  override name = 'MlflowSourceError';
}

/** The stage MLflow's SQL store gives a deleted version instead of removing its row. */
export const DELETED_STAGE = 'Deleted_Internal';

/** The tag MLflow marks prompts with (models and their versions); its searches leave them out unless asked. */
export const PROMPT_TAG = 'mlflow.prompt.is_prompt';

export interface MlflowModelRow {
  name: string;
  creationTime: number | null;
  lastUpdatedTime: number | null;
  description: string | null;
}

export interface MlflowVersionRow {
  name: string;
  version: number;
  creationTime: number | null;
  lastUpdatedTime: number | null;
  description: string | null;
  currentStage: string | null;
  source: string | null;
  /** Where the artifacts are; MLflow writes the source itself here unless it resolved a `models:/` source. */
  storageLocation: string | null;
  runId: string | null;
  runLink: string | null;
  status: string | null;
  statusMessage: string | null;
}

/** A tag of a model (`version` null) or of one of its versions. `value` NULL is legal in MLflow. */
export interface MlflowTagRow {
  name: string;
  version: number | null;
  key: string;
  value: string | null;
}

export interface MlflowAliasRow {
  name: string;
  alias: string;
  version: number;
}

export interface MlflowRows {
  models: MlflowModelRow[];
  /** Live versions, and deleted ones too when the source shows them (they only count for lastVersion). */
  versions: MlflowVersionRow[];
  tags: MlflowTagRow[];
  aliases: MlflowAliasRow[];
}

export interface SnapshotOptions {
  origin: string;
  /** Keep prompts (models tagged `mlflow.prompt.is_prompt` = 'true'), which MLflow's searches hide. */
  includePrompts?: boolean;
  /** Lines the reader itself has to say (placed before the mapping's own). */
  warnings?: string[];
}

const STATUSES: readonly ModelVersionStatus[] = ['PENDING_REGISTRATION', 'READY', 'FAILED_REGISTRATION'];

const STAGE_OF_NAME = new Map<string, ModelVersionStage>(
  Object.entries(MLFLOW_STAGE_NAMES).map(([stage, name]) => [name.toLowerCase(), stage as ModelVersionStage]),
);

/** MLflow leaves text unset as '' (REST) or NULL or '' (database); the snapshot says null. */
const textOrNull = (value: string | null | undefined): string | null => (value ? value : null);

function stageOf(row: MlflowVersionRow): ModelVersionStage {
  // NULL: the column has no default, but every MLflow writer sets it; None is what MLflow would show.
  const stage = STAGE_OF_NAME.get((row.currentStage ?? 'None').toLowerCase());
  if (!stage)
    throw new MlflowSourceError(`Model version ${row.name} v${row.version} has an unknown stage ${JSON.stringify(row.currentStage)}`);
  return stage;
}

function statusOf(row: MlflowVersionRow): ModelVersionStatus {
  // NULL: the column's default in MLflow's schema is READY.
  const status = (row.status ?? 'READY') as ModelVersionStatus;
  if (!STATUSES.includes(status)) {
    throw new MlflowSourceError(`Model version ${row.name} v${row.version} has an unknown status ${JSON.stringify(row.status)}`);
  }
  return status;
}

/** A timestamp column may be NULL (nullable in MLflow's schema): fall back on the other one, then on 0. */
const dateOf = (ms: number | null, otherMs: number | null) => new Date(ms ?? otherMs ?? 0);

const compareText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const byKey = (a: SnapshotTag, b: SnapshotTag) => compareText(a.key, b.key);

/** Offset paging (REST) under concurrent writes repeats or skips entries; a repeat at least shows. */
function changedWhileRead(what: string): never {
  throw new MlflowSourceError(`${what}: the registry changed while it was read. Re-run the import with writes to MLflow stopped.`);
}

/** Names a model (version null) or one of its versions. */
const ownerKey = (name: string, version: number | null) => `${version ?? ''}\u0000${name}`;

/**
 * The snapshot of MLflow's rows: models by name, versions by number, tags by key, aliases by name;
 * deleted versions left out but counted in lastVersion; NULL tag values as "" and dangling aliases
 * dropped, each with a warning; prompts left out unless asked for. A version or alias of a model
 * the rows do not hold means the registry changed while it was read.
 */
export function snapshotOfRows(rows: MlflowRows, options: SnapshotOptions): RegistrySnapshot {
  const warnings = [...(options.warnings ?? [])];
  const models = new Map<string, SnapshotModel>();
  const promptModels = new Set<string>();
  const tagRows = new Map<string, MlflowTagRow[]>();
  for (const tag of rows.tags) {
    const key = ownerKey(tag.name, tag.version);
    tagRows.set(key, [...(tagRows.get(key) ?? []), tag]);
  }
  const tagsOf = (name: string, version: number | null, owner: string): SnapshotTag[] =>
    (tagRows.get(ownerKey(name, version)) ?? [])
      .map((tag) => {
        if (tag.value === null) warnings.push(`${owner}: tag ${JSON.stringify(tag.key)} has no value (NULL); imported as ""`);
        return { key: tag.key, value: tag.value ?? '' };
      })
      .sort(byKey);

  for (const row of [...rows.models].sort((a, b) => compareText(a.name, b.name))) {
    if (models.has(row.name) || promptModels.has(row.name)) changedWhileRead(`Model ${row.name} was read twice`);
    const isPrompt = tagRows.get(ownerKey(row.name, null))?.some((t) => t.key === PROMPT_TAG && t.value === 'true');
    if (isPrompt && !options.includePrompts) {
      promptModels.add(row.name);
      continue;
    }
    models.set(row.name, {
      name: row.name,
      description: textOrNull(row.description),
      createdAt: dateOf(row.creationTime, row.lastUpdatedTime),
      updatedAt: dateOf(row.lastUpdatedTime, row.creationTime),
      lastVersion: 0,
      tags: tagsOf(row.name, null, `Model ${row.name}`),
      aliases: [],
      versions: [],
    });
  }
  const modelOf = (name: string, what: string): SnapshotModel | undefined => {
    if (promptModels.has(name)) return undefined;
    const model = models.get(name);
    return model ?? changedWhileRead(`${what} belongs to model ${name}, which is not in the model list`);
  };

  const seen = new Set<string>();
  const live = new Set<string>();
  for (const row of [...rows.versions].sort((a, b) => a.version - b.version)) {
    const model = modelOf(row.name, `Model version ${row.name} v${row.version}`);
    if (!model) continue;
    const key = ownerKey(row.name, row.version);
    if (seen.has(key)) changedWhileRead(`Model version ${row.name} v${row.version} was read twice`);
    seen.add(key);
    model.lastVersion = Math.max(model.lastVersion, row.version);
    if (row.currentStage === DELETED_STAGE) continue;
    const source = row.source ?? '';
    model.versions.push({
      version: row.version,
      source,
      runId: textOrNull(row.runId),
      runLink: textOrNull(row.runLink),
      description: textOrNull(row.description),
      status: statusOf(row),
      statusMessage: textOrNull(row.statusMessage),
      stage: stageOf(row),
      storageLocation: row.storageLocation && row.storageLocation !== source ? row.storageLocation : null,
      createdAt: dateOf(row.creationTime, row.lastUpdatedTime),
      updatedAt: dateOf(row.lastUpdatedTime, row.creationTime),
      tags: tagsOf(row.name, row.version, `Model version ${row.name} v${row.version}`),
    });
    live.add(key);
  }

  for (const row of [...rows.aliases].sort((a, b) => compareText(a.alias, b.alias))) {
    const model = modelOf(row.name, `Alias ${row.alias}`);
    if (!model) continue;
    if (!live.has(ownerKey(row.name, row.version))) {
      warnings.push(
        `Model ${row.name}: alias ${JSON.stringify(row.alias)} names version ${row.version}, which does not exist or was deleted; left out`,
      );
      continue;
    }
    model.aliases.push({ alias: row.alias, version: row.version });
  }
  return { origin: options.origin, models: [...models.values()], warnings };
}

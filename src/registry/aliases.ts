// Aliases: named, movable pointers to one version. Set creates or moves; compare-and-set through
// `expectedVersion` lets release bots promote without overwriting someone else's move.
import type { ModelAlias, ModelVersion, RegisteredModel } from '../generated/prisma/client.ts';
import { recordEvent } from './audit.ts';
import { type Actor, type Tx, lockModel, touchModel, versionNotFound } from './context.ts';
import { ConflictError, NotFoundError, ValidationError } from './errors.ts';
import { checkAlias, isStorableText } from './validation.ts';
import { VERSION_COLUMNS_SQL } from './queries.ts';

export interface SetAliasResult {
  alias: ModelAlias;
  /** The version the alias points to and its model, as of the commit. */
  version: ModelVersion;
  registeredModel: RegisteredModel;
  /** Where the alias pointed before; null if it is new or did not move. */
  previousVersion: ModelVersion | null;
  changed: boolean;
}

export interface DeleteAliasResult {
  alias: string;
  registeredModel: RegisteredModel;
  previousVersion: ModelVersion | null;
}

function expectedVersionProblem(expected: number | null | undefined): string | null {
  if (expected == null || (Number.isInteger(expected) && expected >= 0)) return null;
  return `expectedVersion must be 0 (alias must not exist) or a version number (got ${expected})`;
}

/** Compare-and-set: `expected` 0 means "must not exist yet", n means "must point at version n now". */
function checkExpectation(model: RegisteredModel, alias: string, expected: number | null | undefined, current: number | null): void {
  if (expected == null || (expected === 0 ? current === null : current === expected)) return;
  const now = current === null ? 'does not exist' : `points to version ${current}`;
  const wanted = expected === 0 ? 'not to exist' : `to point to version ${expected}`;
  throw new ConflictError(`alias "${alias}" of registered model "${model.name}" ${now}, expected it ${wanted}`, current);
}

/** The alias with the version it points to, in one statement (findUnique with include takes two). */
async function currentAlias(tx: Tx, modelId: number, alias: string): Promise<(ModelAlias & { version: ModelVersion }) | null> {
  const rows = await tx.$queryRaw<(ModelVersion & { aliasUpdatedAt: Date })[]>`
    SELECT a.updated_at AS "aliasUpdatedAt", ${VERSION_COLUMNS_SQL}
    FROM model_alias a JOIN model_version v ON v.id = a.version_id
    WHERE a.model_id = ${modelId} AND a.alias = ${alias}`;
  if (rows.length === 0) return null;
  const { aliasUpdatedAt, ...v } = rows[0];
  const version = { ...v, createdAt: new Date(v.createdAt), updatedAt: new Date(v.updatedAt) };
  return { modelId, alias, versionId: version.id, updatedAt: new Date(aliasUpdatedAt), version };
}

export async function setModelAlias(
  tx: Tx,
  actor: Actor,
  input: { name: string; alias: string; version: number; expectedVersion?: number | null },
): Promise<SetAliasResult> {
  checkAlias(input.alias);
  const problem = expectedVersionProblem(input.expectedVersion);
  if (problem) throw new ValidationError('expectedVersion', problem);
  const { model, now } = await lockModel(tx, input.name);
  const target = await tx.modelVersion.findUnique({ where: { modelId_version: { modelId: model.id, version: input.version } } });
  if (!target) throw versionNotFound(model.name, input.version);
  const existing = await currentAlias(tx, model.id, input.alias);
  const previous = existing?.version ?? null;
  checkExpectation(model, input.alias, input.expectedVersion, previous?.version ?? null);
  if (existing && previous?.id === target.id) {
    const { version: _version, ...alias } = existing;
    return { alias, version: target, registeredModel: model, previousVersion: null, changed: false };
  }
  const key = { modelId_alias: { modelId: model.id, alias: input.alias } };
  const alias = await tx.modelAlias.upsert({
    where: key,
    create: { modelId: model.id, alias: input.alias, versionId: target.id, updatedAt: now },
    update: { versionId: target.id, updatedAt: now },
  });
  const registeredModel = await touchModel(tx, model.id, now);
  await recordEvent({ tx, actor, now }, model, 'ALIAS_SET', {
    alias: input.alias,
    version: target.version,
    previousVersion: previous?.version ?? null,
  });
  return { alias, version: target, registeredModel, previousVersion: previous, changed: true };
}

export async function deleteModelAlias(
  tx: Tx,
  actor: Actor,
  input: { name: string; alias: string; expectedVersion?: number | null },
): Promise<DeleteAliasResult> {
  const { model, now } = await lockModel(tx, input.name);
  const existing = isStorableText(input.alias) ? await currentAlias(tx, model.id, input.alias) : null;
  // Deletion has no ValidationError in its contract: an expectation no alias can meet is a conflict.
  const problem = expectedVersionProblem(input.expectedVersion);
  if (problem) throw new ConflictError(problem, existing?.version.version ?? null);
  checkExpectation(model, input.alias, input.expectedVersion, existing?.version.version ?? null);
  if (!existing) throw new NotFoundError(`alias "${input.alias}" not found on registered model "${model.name}"`);
  await tx.modelAlias.delete({ where: { modelId_alias: { modelId: model.id, alias: input.alias } } });
  const registeredModel = await touchModel(tx, model.id, now);
  await recordEvent({ tx, actor, now }, model, 'ALIAS_DELETED', {
    alias: input.alias,
    previousVersion: existing.version.version,
  });
  return { alias: input.alias, registeredModel, previousVersion: existing.version };
}

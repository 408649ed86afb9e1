// Aliases: named, movable pointers to one version. Set creates or moves; compare-and-set through
// `expectedVersion` lets release bots promote without overwriting someone else's move.
import type { ModelAlias, ModelVersion, RegisteredModel } from '../../generated/prisma/client.ts';
import { aliasAndTarget, deleteAlias, upsertAliasWithEvent } from '../../store/aliases.ts';
import { insertEvents } from '../../store/events.ts';
import { touchModel } from '../../store/models.ts';
import { type Write, lockModel, versionNotFound } from '../write.ts';
import { ConflictError, NotFoundError, ValidationError } from '../rules/errors.ts';
import { historyEvent } from '../history/events.ts';
import { checkAlias, isStorableText } from '../rules/validation.ts';

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

export async function setModelAlias(
  { tx, access }: Write,
  input: { name: string; alias: string; version: number; expectedVersion?: number | null },
): Promise<SetAliasResult> {
  access.requireWrite([input.name], 'setModelAlias');
  access.requireAliasChange(input.name, input.alias);
  checkAlias(input.alias);
  const problem = expectedVersionProblem(input.expectedVersion);
  if (problem) throw new ValidationError('expectedVersion', problem);
  const { model, now } = await lockModel(tx, input.name);
  const { existing, target, caseTwin: twin } = await aliasAndTarget(tx, model.id, input.alias, input.version);
  if (twin !== null) {
    throw new ValidationError(
      'alias',
      `alias "${input.alias}" differs only in case from alias "${twin}" of registered model "${model.name}": ` +
        `aliases are unique whatever their case; use "${twin}"`,
    );
  }
  if (!target) throw versionNotFound(model.name, input.version);
  const previous = existing?.version ?? null;
  checkExpectation(model, input.alias, input.expectedVersion, previous?.version ?? null);
  if (existing && previous?.id === target.id) {
    const { version: _version, ...alias } = existing;
    return { alias, version: target, registeredModel: model, previousVersion: null, changed: false };
  }
  const event = historyEvent('ALIAS_SET', { alias: input.alias, version: target.version, previousVersion: previous?.version ?? null });
  await upsertAliasWithEvent(tx, { actor: access.actor, now }, model, { alias: input.alias, versionId: target.id }, event);
  return {
    alias: { modelId: model.id, alias: input.alias, versionId: target.id, updatedAt: now },
    version: target,
    registeredModel: { ...model, updatedAt: now },
    previousVersion: previous,
    changed: true,
  };
}

export async function deleteModelAlias(
  { tx, access }: Write,
  input: { name: string; alias: string; expectedVersion?: number | null },
): Promise<DeleteAliasResult> {
  access.requireWrite([input.name], 'deleteModelAlias');
  access.requireAliasChange(input.name, input.alias);
  const { model, now } = await lockModel(tx, input.name);
  const existing = isStorableText(input.alias) ? (await aliasAndTarget(tx, model.id, input.alias)).existing : null;
  // Deletion has no ValidationError in its contract: an expectation no alias can meet is a conflict.
  const problem = expectedVersionProblem(input.expectedVersion);
  if (problem) throw new ConflictError(problem, existing?.version.version ?? null);
  checkExpectation(model, input.alias, input.expectedVersion, existing?.version.version ?? null);
  if (!existing)
    throw new NotFoundError(`alias "${input.alias}" not found on registered model "${model.name}"`, {
      kind: 'alias',
      name: model.name,
      alias: input.alias,
    });
  await deleteAlias(tx, model.id, input.alias);
  const registeredModel = await touchModel(tx, model.id, now);
  await insertEvents(tx, { actor: access.actor, now }, model, [
    historyEvent('ALIAS_DELETED', { alias: input.alias, previousVersion: existing.version.version }),
  ]);
  return { alias: input.alias, registeredModel, previousVersion: existing.version };
}

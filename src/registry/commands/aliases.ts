// Aliases: named, movable pointers to one version. Set creates or moves; compare-and-set through
// `expectedVersion` lets release bots promote without overwriting someone else's move.
import type { ModelAlias, ModelVersion, RegisteredModel } from '../../generated/prisma/client.ts';
import { aliasAndTarget, deleteAlias, moveAliasInOneStatement } from '../../store/aliases.ts';
import { insertEvents } from '../../store/events.ts';
import { touchModel } from '../../store/models.ts';
import { type StatementWrite, type Write, lockModel, modelNotFound, versionNotFound } from '../write.ts';
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

/** The compare-and-set refusal: `expected` 0 means "must not exist yet", n "must point at version n now". */
function expectationConflict(
  model: RegisteredModel,
  alias: string,
  expected: number | null | undefined,
  current: number | null,
): ConflictError {
  const now = current === null ? 'does not exist' : `points to version ${current}`;
  const wanted = expected === 0 ? 'not to exist' : `to point to version ${expected}`;
  return new ConflictError(`alias "${alias}" of registered model "${model.name}" ${now}, expected it ${wanted}`, current);
}

function checkExpectation(model: RegisteredModel, alias: string, expected: number | null | undefined, current: number | null): void {
  if (expected == null || (expected === 0 ? current === null : current === expected)) return;
  throw expectationConflict(model, alias, expected, current);
}

/**
 * Sets or moves an alias in one statement (store/aliases.ts moveAliasInOneStatement): the model's
 * lock, the reads, compare-and-set, the write and its ALIAS_SET event happen in the database in
 * one round trip; what it found is turned into the result or the typed error here.
 */
export async function setModelAlias(
  { db, access }: StatementWrite,
  input: { name: string; alias: string; version: number; expectedVersion?: number | null },
): Promise<SetAliasResult> {
  access.requireWrite([input.name], 'setModelAlias');
  access.requireAliasChange(input.name, input.alias);
  checkAlias(input.alias);
  const problem = expectedVersionProblem(input.expectedVersion);
  if (problem) throw new ValidationError('expectedVersion', problem);
  if (!isStorableText(input.name)) throw modelNotFound(input.name);
  const move = await moveAliasInOneStatement(db, {
    name: input.name,
    alias: input.alias,
    version: input.version,
    expectedVersion: input.expectedVersion ?? null,
    actor: access.actor,
  });
  const { model, target } = move;
  if (move.outcome === 'model_not_found' || !model) throw modelNotFound(input.name);
  if (move.outcome === 'case_twin') {
    throw new ValidationError(
      'alias',
      `alias "${input.alias}" differs only in case from alias "${move.twin}" of registered model "${model.name}": ` +
        `aliases are unique whatever their case; use "${move.twin}"`,
    );
  }
  if (move.outcome === 'version_not_found' || !target) throw versionNotFound(model.name, input.version);
  if (move.outcome === 'conflict') throw expectationConflict(model, input.alias, input.expectedVersion, move.currentVersion);
  const alias = { modelId: model.id, alias: input.alias, versionId: target.id, updatedAt: move.at as Date };
  const changed = move.outcome === 'changed';
  return { alias, version: target, registeredModel: model, previousVersion: changed ? move.previous : null, changed };
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

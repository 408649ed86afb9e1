// Aliases: named, movable pointers to one version. Set creates or moves; compare-and-set through
// `expectedVersion` lets release bots promote without overwriting someone else's move.
import { type ModelAlias, type ModelVersion, Prisma, type RegisteredModel } from '../generated/prisma/client.ts';
import { eventInsertSql, recordEvent } from './audit.ts';
import { type Tx, type Write, lockModel, touchModel, versionNotFound } from './context.ts';
import { ConflictError, NotFoundError, ValidationError } from './errors.ts';
import { checkAlias, isStorableText } from './validation.ts';
import { VERSION_COLUMNS_SQL } from '../store/columns.ts';
import { withDates } from '../store/sql.ts';

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

type VersionRow = ModelVersion & { aliasUpdatedAt: Date | null; aliasName: string | null };

/**
 * In one statement: the alias with the version it points to now, and, if `version` is given, that
 * version of the model (the target of a move). Read after the model is locked, so it is current.
 * `caseTwin` is another alias of the model spelled like `alias` but for case: aliases are unique
 * whatever their case (a pipeline typing `Production` must not deploy another version than
 * `production`), and aliases stored before that rule may already differ only in case.
 */
async function aliasAndTarget(
  tx: Tx,
  modelId: number,
  alias: string,
  version?: number,
): Promise<{ existing: (ModelAlias & { version: ModelVersion }) | null; target: ModelVersion | null; caseTwin: string | null }> {
  const targetSql =
    version === undefined
      ? Prisma.empty
      : Prisma.sql`SELECT NULL::timestamptz AS "aliasUpdatedAt", NULL::text AS "aliasName", ${VERSION_COLUMNS_SQL}
          FROM model_version v WHERE v.model_id = ${modelId} AND v.version = ${version}
        UNION ALL `;
  const rows = withDates(
    await tx.$queryRaw<VersionRow[]>`
      ${targetSql}SELECT a.updated_at AS "aliasUpdatedAt", a.alias AS "aliasName", ${VERSION_COLUMNS_SQL}
      FROM model_alias a JOIN model_version v ON v.id = a.version_id
      WHERE a.model_id = ${modelId} AND lower(a.alias) = lower(${alias})`,
    'createdAt',
    'updatedAt',
  );
  const withoutAliasColumn = (row: VersionRow): ModelVersion => {
    const { aliasUpdatedAt: _aliasUpdatedAt, aliasName: _aliasName, ...v } = row;
    return v;
  };
  const current = rows.find((r) => r.aliasUpdatedAt !== null && r.aliasName === alias);
  const target = rows.find((r) => r.aliasUpdatedAt === null);
  return {
    // Only a new alias is refused: one of two that already differ only in case can still move.
    caseTwin: current ? null : (rows.find((r) => r.aliasUpdatedAt !== null)?.aliasName ?? null),
    existing: current
      ? { modelId, alias, versionId: current.id, updatedAt: new Date(current.aliasUpdatedAt as Date | string), version: withoutAliasColumn(current) }
      : null,
    target: target ? withoutAliasColumn(target) : null,
  };
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
  // The alias, the model's updated_at and the event in one statement: a release bot's promotion
  // is the registry's most frequent write. The model row is locked, so its new state is known.
  const event = eventInsertSql({ actor: access.actor, now }, model, 'ALIAS_SET', {
    alias: input.alias,
    version: target.version,
    previousVersion: previous?.version ?? null,
  });
  await tx.$executeRaw`
    WITH alias AS (
      INSERT INTO model_alias (model_id, alias, version_id, updated_at)
      VALUES (${model.id}, ${input.alias}, ${target.id}, ${now.toISOString()}::timestamptz)
      ON CONFLICT (model_id, alias) DO UPDATE SET version_id = EXCLUDED.version_id, updated_at = EXCLUDED.updated_at
    ), model AS (
      UPDATE registered_model SET updated_at = ${now.toISOString()}::timestamptz WHERE id = ${model.id}
    )
    ${event}`;
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
  if (!existing) throw new NotFoundError(`alias "${input.alias}" not found on registered model "${model.name}"`);
  await tx.modelAlias.delete({ where: { modelId_alias: { modelId: model.id, alias: input.alias } } });
  const registeredModel = await touchModel(tx, model.id, now);
  await recordEvent({ tx, actor: access.actor, now }, model, 'ALIAS_DELETED', {
    alias: input.alias,
    previousVersion: existing.version.version,
  });
  return { alias: input.alias, registeredModel, previousVersion: existing.version };
}

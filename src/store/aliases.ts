// Aliases: those of many models or versions (one index scan per owner, like tags: see
// store/tags.ts), the versions they point to now, and the versions they pointed to at an instant.
import { type AuditAction, type ModelAlias, type ModelVersion, Prisma, type RegisteredModel } from '../generated/prisma/client.ts';
import {
  ALIAS_COLUMNS_SQL,
  type JsonRow,
  MODEL_COLUMNS_SQL,
  VERSION_COLUMNS_SQL,
  aliasRows,
  modelOfJson,
  modelRows,
  versionOfJson,
  versionRows,
} from './columns.ts';
import { storable } from './filters.ts';
import { type Reader, type Tx, named, queryRows, withDates } from './sql.ts';

export async function aliasesOfModels(db: Reader, modelIds: readonly number[]): Promise<ModelAlias[]> {
  return aliasRows(
    await queryRows<ModelAlias>(
      db,
      Prisma.sql`/* aliasesOfModels */
    SELECT ${ALIAS_COLUMNS_SQL}
    FROM unnest(${[...modelIds]}::int[]) AS k(id)
    CROSS JOIN LATERAL (SELECT * FROM model_alias a WHERE a.model_id = k.id ORDER BY a.alias) a`,
    ),
  );
}

export async function aliasesOfVersions(db: Reader, versionIds: readonly number[]): Promise<ModelAlias[]> {
  return aliasRows(
    await queryRows<ModelAlias>(
      db,
      Prisma.sql`/* aliasesOfVersions */
    SELECT ${ALIAS_COLUMNS_SQL}
    FROM unnest(${[...versionIds]}::int[]) AS k(id)
    CROSS JOIN LATERAL (SELECT * FROM model_alias a WHERE a.version_id = k.id ORDER BY a.alias) a`,
    ),
  );
}

export interface AliasKey {
  modelId: number;
  alias: string;
}

/** The version each (model, alias) points to now, in one statement; aliases that do not exist are absent. */
export async function aliasTargets(db: Reader, keys: readonly AliasKey[]): Promise<(ModelVersion & { alias: string })[]> {
  const wanted = keys.filter((k) => storable(k.alias));
  if (wanted.length === 0) return [];
  return versionRows(
    await queryRows<ModelVersion & { alias: string }>(
      db,
      Prisma.sql`/* aliasTargets */
    SELECT a.alias, ${VERSION_COLUMNS_SQL}
    FROM unnest(${wanted.map((k) => k.modelId)}::int[], ${wanted.map((k) => k.alias)}::text[]) AS k(model_id, alias)
    JOIN model_alias a ON a.model_id = k.model_id AND a.alias = k.alias
    JOIN model_version v ON v.id = a.version_id`,
    ),
  );
}

/**
 * The models of these names, each with the versions the given aliases point to now, in one
 * statement: an alias lookup (`registeredModel(name) { versionByAlias(alias) }`) in one round trip.
 */
export async function modelsWithAliasTargets(
  db: Reader,
  names: readonly string[],
  aliases: readonly string[],
): Promise<{ model: RegisteredModel; targets: Map<string, ModelVersion> }[]> {
  const wanted = names.filter((n) => storable(n));
  if (wanted.length === 0) return [];
  const rows = await queryRows<RegisteredModel & { targetAlias: string | null; target: JsonRow }>(
    db,
    Prisma.sql`/* modelsWithAliasTargets */
    SELECT ${MODEL_COLUMNS_SQL}, a.alias AS "targetAlias", CASE WHEN v.id IS NULL THEN NULL ELSE to_jsonb(v) END AS target
    FROM registered_model m
    LEFT JOIN model_alias a ON a.model_id = m.id AND a.alias = ANY(${aliases.filter((a) => storable(a))}::text[])
    LEFT JOIN model_version v ON v.id = a.version_id
    WHERE m.name = ANY(${wanted}::text[])`,
  );
  const byModel = new Map<number, { model: RegisteredModel; targets: Map<string, ModelVersion> }>();
  for (const { targetAlias, target, ...model } of rows) {
    let entry = byModel.get(model.id);
    if (!entry) {
      entry = { model: modelRows([model])[0], targets: new Map() };
      byModel.set(model.id, entry);
    }
    const version = versionOfJson(target);
    if (targetAlias !== null && version) entry.targets.set(targetAlias, version);
  }
  return [...byModel.values()];
}

export interface AliasAtKey {
  modelId: number;
  alias: string;
  at: Date;
}

/**
 * Time travel: the version number each alias pointed to at an instant, answered from history as
 * the state after the alias's last event at or before that instant (null: it did not exist).
 */
export async function aliasVersionsAt(db: Reader, keys: readonly AliasAtKey[]): Promise<(number | null)[]> {
  const wanted = keys.map((k, i) => ({ ...k, i })).filter((k) => storable(k.alias));
  if (wanted.length === 0) return keys.map(() => null);
  // One statement for all keys: per key, the last alias event at or before its instant, found
  // through the (model_id, alias, sequence) index.
  const rows = await queryRows<{ i: number; action: AuditAction; version: number | null }>(
    db,
    Prisma.sql`/* aliasVersionsAt */
    SELECT k.i, e.action, e.version
    FROM unnest(${wanted.map((k) => k.modelId)}::int[], ${wanted.map((k) => k.alias)}::text[],
                ${wanted.map((k) => k.at.toISOString())}::timestamptz[], ${wanted.map((k) => k.i)}::int[])
         AS k(model_id, alias, at, i)
    CROSS JOIN LATERAL (
      SELECT action, version FROM audit_event e
      WHERE e.model_id = k.model_id AND e.alias = k.alias AND e.at <= k.at
        AND e.action IN ('ALIAS_SET', 'ALIAS_DELETED')
      ORDER BY e.sequence DESC LIMIT 1
    ) e`,
  );
  const found = new Map(rows.map((r) => [Number(r.i), r.action === 'ALIAS_SET' ? r.version : null]));
  return keys.map((_k, i) => found.get(i) ?? null);
}

// The alias move in one statement (the function of migration 20261202070000): atomic on its own,
// so the registry runs it outside an interactive transaction, in one round trip.

export type AliasMoveOutcome = 'model_not_found' | 'case_twin' | 'version_not_found' | 'conflict' | 'unchanged' | 'changed';

export interface AliasMove {
  outcome: AliasMoveOutcome;
  /** case_twin: the alias as the model spells it. */
  twin: string | null;
  /** The version the alias pointed to before (null: it did not exist). */
  currentVersion: number | null;
  /** changed: the instant of the move; unchanged: when the alias last moved. */
  at: Date | null;
  model: RegisteredModel | null;
  target: ModelVersion | null;
  /** changed: the version the alias left (null when it is new). */
  previous: ModelVersion | null;
}

export async function moveAliasInOneStatement(
  db: Reader,
  move: { name: string; alias: string; version: number; expectedVersion: number | null; actor: string | null },
): Promise<AliasMove> {
  const [row] = await queryRows<{
    outcome: AliasMoveOutcome;
    twin: string | null;
    current_version: number | null;
    at: Date | string | null;
    model: JsonRow;
    target: JsonRow;
    previous: JsonRow;
  }>(
    db,
    named(
      'moveAlias',
      Prisma.sql`SELECT * FROM registry_set_model_alias(${move.name}, ${move.alias}, ${move.version}::int, ${move.expectedVersion}::int, ${move.actor})`,
    ),
  );
  return {
    outcome: row.outcome,
    twin: row.twin,
    currentVersion: row.current_version,
    at: row.at === null ? null : new Date(row.at),
    model: modelOfJson(row.model),
    target: versionOfJson(row.target),
    previous: versionOfJson(row.previous),
  };
}

// Writes, inside a registry command's transaction, after the model's lock.

type VersionRow = ModelVersion & { aliasUpdatedAt: Date | null; aliasName: string | null };

/**
 * In one statement: the alias with the version it points to now, and, if `version` is given, that
 * version of the model (the target of a move). Read after the model is locked, so it is current.
 * `caseTwin` is another alias of the model spelled like `alias` but for case: aliases are unique
 * whatever their case (a pipeline typing `Production` must not deploy another version than
 * `production`), and aliases stored before that rule may already differ only in case.
 */
export async function aliasAndTarget(
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
    await tx.$queryRaw<VersionRow[]>(
      named(
        'aliasAndTarget',
        Prisma.sql`
      ${targetSql}SELECT a.updated_at AS "aliasUpdatedAt", a.alias AS "aliasName", ${VERSION_COLUMNS_SQL}
      FROM model_alias a JOIN model_version v ON v.id = a.version_id
      WHERE a.model_id = ${modelId} AND lower(a.alias) = lower(${alias})`,
      ),
    ),
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
      ? {
          modelId,
          alias,
          versionId: current.id,
          updatedAt: new Date(current.aliasUpdatedAt as Date | string),
          version: withoutAliasColumn(current),
        }
      : null,
    target: target ? withoutAliasColumn(target) : null,
  };
}

export async function deleteAlias(tx: Tx, modelId: number, alias: string): Promise<void> {
  await tx.modelAlias.delete({ where: { modelId_alias: { modelId, alias } } });
}

/** The names of a model's aliases (those a rename or delete takes along). */
export async function aliasNamesOfModel(tx: Tx, modelId: number): Promise<string[]> {
  const aliases = await tx.modelAlias.findMany({ where: { modelId }, select: { alias: true } });
  return aliases.map((a) => a.alias);
}

/** The aliases on one version, by name (those its deletion takes along). */
export function aliasesOnVersion(tx: Tx, versionId: number): Promise<ModelAlias[]> {
  return tx.modelAlias.findMany({ where: { versionId }, orderBy: { alias: 'asc' } });
}

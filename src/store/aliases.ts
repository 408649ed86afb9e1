// Aliases: those of many models or versions (one index scan per owner, like tags: see
// store/tags.ts), the versions they point to now, and the versions they pointed to at an instant.
import { type AuditAction, type ModelAlias, type ModelVersion, Prisma } from '../generated/prisma/client.ts';
import { ALIAS_COLUMNS_SQL, VERSION_COLUMNS_SQL, aliasRows, versionRows } from './columns.ts';
import { storable } from './filters.ts';
import { type Reader, queryRows } from './sql.ts';

export async function aliasesOfModels(db: Reader, modelIds: readonly number[]): Promise<ModelAlias[]> {
  return aliasRows(await queryRows<ModelAlias>(db, Prisma.sql`/* aliasesOfModels */
    SELECT ${ALIAS_COLUMNS_SQL}
    FROM unnest(${[...modelIds]}::int[]) AS k(id)
    CROSS JOIN LATERAL (SELECT * FROM model_alias a WHERE a.model_id = k.id ORDER BY a.alias) a`));
}

export async function aliasesOfVersions(db: Reader, versionIds: readonly number[]): Promise<ModelAlias[]> {
  return aliasRows(await queryRows<ModelAlias>(db, Prisma.sql`/* aliasesOfVersions */
    SELECT ${ALIAS_COLUMNS_SQL}
    FROM unnest(${[...versionIds]}::int[]) AS k(id)
    CROSS JOIN LATERAL (SELECT * FROM model_alias a WHERE a.version_id = k.id ORDER BY a.alias) a`));
}

export interface AliasKey {
  modelId: number;
  alias: string;
}

/** The version each (model, alias) points to now, in one statement; aliases that do not exist are absent. */
export async function aliasTargets(db: Reader, keys: readonly AliasKey[]): Promise<(ModelVersion & { alias: string })[]> {
  const wanted = keys.filter((k) => storable(k.alias));
  if (wanted.length === 0) return [];
  return versionRows(await queryRows<ModelVersion & { alias: string }>(db, Prisma.sql`/* aliasTargets */
    SELECT a.alias, ${VERSION_COLUMNS_SQL}
    FROM unnest(${wanted.map((k) => k.modelId)}::int[], ${wanted.map((k) => k.alias)}::text[]) AS k(model_id, alias)
    JOIN model_alias a ON a.model_id = k.model_id AND a.alias = k.alias
    JOIN model_version v ON v.id = a.version_id`));
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
  const rows = await queryRows<{ i: number; action: AuditAction; version: number | null }>(db, Prisma.sql`/* aliasVersionsAt */
    SELECT k.i, e.action, e.version
    FROM unnest(${wanted.map((k) => k.modelId)}::int[], ${wanted.map((k) => k.alias)}::text[],
                ${wanted.map((k) => k.at.toISOString())}::timestamptz[], ${wanted.map((k) => k.i)}::int[])
         AS k(model_id, alias, at, i)
    CROSS JOIN LATERAL (
      SELECT action, version FROM audit_event e
      WHERE e.model_id = k.model_id AND e.alias = k.alias AND e.at <= k.at
        AND e.action IN ('ALIAS_SET', 'ALIAS_DELETED')
      ORDER BY e.sequence DESC LIMIT 1
    ) e`);
  const found = new Map(rows.map((r) => [Number(r.i), r.action === 'ALIAS_SET' ? r.version : null]));
  return keys.map((_k, i) => found.get(i) ?? null);
}

// DataLoaders, created per request. Each turns all loads of one tick into one SQL statement.
import DataLoader from 'dataloader';
import type {
  AuditEvent,
  ModelAlias,
  ModelVersion,
  ModelVersionStage,
  ModelVersionTag,
  RegisteredModel,
  RegisteredModelTag,
} from '../generated/prisma/client.ts';
import type { Page } from '../registry/rules/paging.ts';
import type { RegistryReads } from '../registry/reads.ts';
import type { AliasAtKey, AliasKey } from '../store/aliases.ts';
import type { ModelHistoryArgs } from '../store/events.ts';
import type { PageArgs } from '../store/filters.ts';
import { groupBy } from '../store/group-by.ts';
import type { StageAtKey, VersionFilter, VersionOrder } from '../store/versions.ts';

/** One value per key, in key order, from rows fetched in any order. */
function byKey<K, R>(keys: readonly K[], rows: readonly R[], keyOf: (row: R) => K): (R | null)[] {
  const index = new Map(rows.map((r) => [keyOf(r), r]));
  return keys.map((k) => index.get(k) ?? null);
}

/** All rows per key, in key order, keeping the rows' order within a key. */
function groupedByKey<K, R>(keys: readonly K[], rows: readonly R[], keyOf: (row: R) => K): R[][] {
  const groups = groupBy(rows, keyOf);
  return keys.map((k) => groups.get(k) ?? []);
}

/**
 * Loads something per model (a page of versions, a count, a page of history) for all models of a
 * request in one call per distinct set of arguments: a dashboard asks every model the same thing.
 */
function perModelLoader<A, V>(
  load: (modelIds: number[], args: A) => Promise<Map<number, V>>,
  missing: (args: A) => V,
): DataLoader<{ modelId: number; args: A }, V, string> {
  return new DataLoader<{ modelId: number; args: A }, V, string>(
    async (keys) => {
      const groups = groupBy(
        keys.map((key, index) => ({ key, index })),
        (e) => JSON.stringify(e.key.args),
      );
      const results = new Array<V>(keys.length);
      await Promise.all(
        [...groups.values()].map(async (entries) => {
          const args = entries[0].key.args;
          const values = await load(
            entries.map((e) => e.key.modelId),
            args,
          );
          for (const e of entries) results[e.index] = values.get(e.key.modelId) ?? missing(args);
        }),
      );
      return results;
    },
    { cacheKeyFn: (k) => `${k.modelId}|${JSON.stringify(k.args)}` },
  );
}

/** Loaders over one caller's reads (src/registry/reads.ts), which apply its scope where it matters. */
export function createLoaders(reads: RegistryReads) {
  const loaders = {
    modelById: new DataLoader<number, RegisteredModel | null>(async (ids) =>
      byKey(ids, primeModels(await reads.modelsByIds(ids)), (m) => m.id),
    ),
    modelByName: new DataLoader<string, RegisteredModel | null>(async (names) =>
      byKey(names, primeModels(await reads.modelsByNames(names)), (m) => m.name),
    ),
    versionById: new DataLoader<number, ModelVersion | null>(async (ids) => byKey(ids, await reads.versionsByIds(ids), (v) => v.id)),
    versionByNumber: new DataLoader<{ modelId: number; version: number }, ModelVersion | null, string>(
      async (keys) => {
        const rows = await reads.versionsByNumbers(keys);
        return byKey(
          keys.map((k) => `${k.modelId}:${k.version}`),
          rows,
          (v) => `${v.modelId}:${v.version}`,
        );
      },
      { cacheKeyFn: (k) => `${k.modelId}:${k.version}` },
    ),
    latestVersionNumber: new DataLoader<number, number | null>(async (modelIds) => {
      const latest = await reads.latestVersionNumbers(modelIds);
      return modelIds.map((id) => latest.get(id) ?? null);
    }),
    modelTags: new DataLoader<number, RegisteredModelTag[]>(async (ids) => groupedByKey(ids, await reads.modelTags(ids), (t) => t.modelId)),
    versionTags: new DataLoader<number, ModelVersionTag[]>(async (ids) =>
      groupedByKey(ids, await reads.versionTags(ids), (t) => t.versionId),
    ),
    modelAliases: new DataLoader<number, ModelAlias[]>(async (ids) =>
      groupedByKey(ids, await reads.aliasesOfModels(ids), (a) => a.modelId),
    ),
    versionAliases: new DataLoader<number, ModelAlias[]>(async (ids) =>
      groupedByKey(ids, await reads.aliasesOfVersions(ids), (a) => a.versionId),
    ),
    versionPage: perModelLoader<PageArgs<VersionOrder> & { filter: VersionFilter | null }, Page<ModelVersion>>(
      (ids, args) => reads.versionPagesOfModels(ids, args),
      () => ({ rows: [], hasNextPage: false }),
    ),
    versionCount: perModelLoader<VersionFilter | null, number>(
      (ids, filter) => reads.versionCountsOfModels(ids, filter),
      () => 0,
    ),
    historyPage: perModelLoader<Omit<ModelHistoryArgs, 'scope'>, Page<AuditEvent>>(
      (ids, args) => reads.historyOfModels(ids, args),
      () => ({ rows: [], hasNextPage: false }),
    ),
    aliasTarget: new DataLoader<AliasKey, ModelVersion | null, string>(
      async (keys) => {
        const found = new Map((await reads.aliasTargets(keys)).map(({ alias, ...v }) => [`${v.modelId}|${alias}`, v]));
        return keys.map((k) => found.get(`${k.modelId}|${k.alias}`) ?? null);
      },
      { cacheKeyFn: (k) => `${k.modelId}|${k.alias}` },
    ),
    aliasVersionAt: new DataLoader<AliasAtKey, number | null, string>((keys) => reads.aliasVersionsAt(keys), {
      cacheKeyFn: (k) => `${k.modelId}|${k.alias}|${k.at.toISOString()}`,
    }),
    // The highest version of a model in a stage now: one get-latest-versions statement for all
    // models and stages asked in a tick (pairs not asked are fetched too, and dropped).
    versionInStage: new DataLoader<{ modelId: number; stage: ModelVersionStage }, ModelVersion | null, string>(
      async (keys) => {
        const rows = await reads.latestVersionsByStageOfModels(
          keys.map((k) => k.modelId),
          [...new Set(keys.map((k) => k.stage))],
        );
        return byKey(
          keys.map((k) => `${k.modelId}|${k.stage}`),
          rows,
          (v) => `${v.modelId}|${v.stage}`,
        );
      },
      { cacheKeyFn: (k) => `${k.modelId}|${k.stage}` },
    ),
    versionInStageAt: new DataLoader<StageAtKey, ModelVersion | null, string>((keys) => reads.versionsInStageAt(keys), {
      cacheKeyFn: (k) => `${k.modelId}|${k.stage}|${k.at.toISOString()}`,
    }),
  };

  // Rows from a top-level lookup or listing answer the nested lookups of the same rows without
  // another statement. Only there: priming from loads that race each other would make the number
  // of statements depend on which query returned first.
  function primeModels(models: RegisteredModel[]): RegisteredModel[] {
    for (const m of models) {
      loaders.modelById.prime(m.id, m);
      loaders.modelByName.prime(m.name, m);
    }
    return models;
  }
  function primeVersions(versions: ModelVersion[]): ModelVersion[] {
    for (const v of versions) {
      loaders.versionById.prime(v.id, v);
      loaders.versionByNumber.prime({ modelId: v.modelId, version: v.version }, v);
    }
    return versions;
  }

  /** The version with the highest existing number (RegisteredModel.latestVersion, models:/m/latest). */
  async function latestVersion(modelId: number): Promise<ModelVersion | null> {
    const number = await loaders.latestVersionNumber.load(modelId);
    return number == null ? null : loaders.versionByNumber.load({ modelId, version: number });
  }

  return { ...loaders, primeModels, primeVersions, latestVersion };
}

export type Loaders = ReturnType<typeof createLoaders>;

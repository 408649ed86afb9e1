// DataLoaders, created per request. Each turns all loads of one tick into one SQL statement.
import DataLoader from 'dataloader';
import type {
  AuditEvent,
  ModelAlias,
  ModelVersion,
  ModelVersionTag,
  PrismaClient,
  RegisteredModel,
  RegisteredModelTag,
} from '../generated/prisma/client.ts';
import type { Page } from '../registry/paging.ts';
import * as reads from '../registry/queries.ts';

export interface VersionPageKey {
  modelId: number;
  args: reads.PageArgs<reads.VersionOrder> & { filter?: reads.VersionFilter | null };
}

export interface VersionCountKey {
  modelId: number;
  filter?: reads.VersionFilter | null;
}

/** One value per key, in key order, from rows fetched in any order. */
function byKey<K, R>(keys: readonly K[], rows: readonly R[], keyOf: (row: R) => K): (R | null)[] {
  const index = new Map(rows.map((r) => [keyOf(r), r]));
  return keys.map((k) => index.get(k) ?? null);
}

/** All rows per key, in key order, keeping the rows' order within a key. */
function groupedByKey<K, R>(keys: readonly K[], rows: readonly R[], keyOf: (row: R) => K): R[][] {
  const groups = reads.groupBy(rows, keyOf);
  return keys.map((k) => groups.get(k) ?? []);
}

/** Batches keys that share `groupOf` (e.g. identical page arguments) into one call each. */
function groupedLoader<K, V>(
  groupOf: (key: K) => string,
  load: (keys: K[]) => Promise<V[]>,
  cacheKey: (key: K) => string,
): DataLoader<K, V, string> {
  return new DataLoader<K, V, string>(
    async (keys) => {
      const results = new Array<V>(keys.length);
      const groups = reads.groupBy(
        keys.map((key, index) => ({ key, index })),
        (e) => groupOf(e.key),
      );
      await Promise.all(
        [...groups.values()].map(async (entries) => {
          const values = await load(entries.map((e) => e.key));
          entries.forEach((e, i) => (results[e.index] = values[i]));
        }),
      );
      return results;
    },
    { cacheKeyFn: cacheKey },
  );
}

export function createLoaders(db: PrismaClient) {
  const loaders = {
    modelById: new DataLoader<number, RegisteredModel | null>(async (ids) =>
      byKey(ids, primeModels(await reads.modelsByIds(db, ids)), (m) => m.id),
    ),
    modelByName: new DataLoader<string, RegisteredModel | null>(async (names) =>
      byKey(names, primeModels(await reads.modelsByNames(db, names)), (m) => m.name),
    ),
    versionById: new DataLoader<number, ModelVersion | null>(async (ids) =>
      byKey(ids, await reads.versionsByIds(db, ids), (v) => v.id),
    ),
    versionByNumber: new DataLoader<{ modelId: number; version: number }, ModelVersion | null, string>(
      async (keys) => {
        const rows = await reads.versionsByNumbers(db, keys);
        return byKey(
          keys.map((k) => `${k.modelId}:${k.version}`),
          rows,
          (v) => `${v.modelId}:${v.version}`,
        );
      },
      { cacheKeyFn: (k) => `${k.modelId}:${k.version}` },
    ),
    latestVersionNumber: new DataLoader<number, number | null>(async (modelIds) => {
      const latest = await reads.latestVersionNumbers(db, modelIds);
      return modelIds.map((id) => latest.get(id) ?? null);
    }),
    modelTags: new DataLoader<number, RegisteredModelTag[]>(async (ids) =>
      groupedByKey(ids, await reads.modelTags(db, ids), (t) => t.modelId),
    ),
    versionTags: new DataLoader<number, ModelVersionTag[]>(async (ids) =>
      groupedByKey(ids, await reads.versionTags(db, ids), (t) => t.versionId),
    ),
    modelAliases: new DataLoader<number, ModelAlias[]>(async (ids) =>
      groupedByKey(ids, await reads.aliasesOfModels(db, ids), (a) => a.modelId),
    ),
    versionAliases: new DataLoader<number, ModelAlias[]>(async (ids) =>
      groupedByKey(ids, await reads.aliasesOfVersions(db, ids), (a) => a.versionId),
    ),
    versionPage: groupedLoader<VersionPageKey, Page<ModelVersion>>(
      (k) => JSON.stringify(k.args),
      async (keys) => {
        const pages = await reads.listVersionsOfModels(
          db,
          keys.map((k) => k.modelId),
          keys[0].args,
        );
        return keys.map((k) => pages.get(k.modelId)!);
      },
      (k) => `${k.modelId}|${JSON.stringify(k.args)}`,
    ),
    versionCount: groupedLoader<VersionCountKey, number>(
      (k) => JSON.stringify(k.filter ?? null),
      async (keys) => {
        const counts = await reads.countVersionsOfModels(
          db,
          keys.map((k) => k.modelId),
          keys[0].filter,
        );
        return keys.map((k) => counts.get(k.modelId) ?? 0);
      },
      (k) => `${k.modelId}|${JSON.stringify(k.filter ?? null)}`,
    ),
    historyPage: groupedLoader<{ modelId: number; args: reads.ModelHistoryArgs }, Page<AuditEvent>>(
      (k) => JSON.stringify(k.args),
      async (keys) => {
        const pages = await reads.listEventsOfModels(
          db,
          keys.map((k) => k.modelId),
          keys[0].args,
        );
        return keys.map((k) => pages.get(k.modelId)!);
      },
      (k) => `${k.modelId}|${JSON.stringify(k.args)}`,
    ),
    aliasVersionAt: new DataLoader<reads.AliasAtKey, number | null, string>((keys) => reads.aliasVersionsAt(db, keys), {
      cacheKeyFn: (k) => `${k.modelId}|${k.alias}|${k.at.toISOString()}`,
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

  return { ...loaders, primeModels, primeVersions };
}

export type Loaders = ReturnType<typeof createLoaders>;

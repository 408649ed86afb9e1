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
import type { OptionalVersionColumn } from '../store/columns.ts';
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

/** Each key's rows (none: an empty list) into `into`. */
function rememberGroups<K, R>(keys: readonly K[], rows: readonly R[], keyOf: (row: R) => K, into: Map<K, R[]>): void {
  const groups = groupBy(rows, keyOf);
  for (const key of keys) into.set(key, groups.get(key) ?? []);
}

/** What the items of a versions page will be asked, loaded with the page (Loaders.versionPage). */
export type VersionDetail = 'tags' | 'aliases';

export type VersionPageArgs = PageArgs<VersionOrder> & {
  filter: VersionFilter | null;
  details: readonly VersionDetail[];
  /** The optional columns its items' fields read (null: all); the rows go nowhere else. */
  columns: readonly OptionalVersionColumn[] | null;
};

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

/**
 * Loaders over one caller's reads (src/registry/reads.ts), which apply its scope where it matters.
 * Each is made on first use: a request uses a few of them (an alias lookup two), and a DataLoader
 * is an allocation of its own per request.
 */
export class Loaders {
  private readonly built: Record<string, unknown> = {};

  constructor(private readonly reads: RegistryReads) {}

  private once<T>(name: string, make: () => T): T {
    let loader = this.built[name] as T | undefined;
    if (loader === undefined) {
      loader = make();
      this.built[name] = loader;
    }
    return loader;
  }

  get modelById() {
    return this.once(
      'modelById',
      () =>
        new DataLoader<number, RegisteredModel | null>(async (ids) =>
          byKey(ids, this.primeModels(await this.reads.modelsByIds(ids)), (m) => m.id),
        ),
    );
  }

  get modelByName() {
    return this.once(
      'modelByName',
      () =>
        new DataLoader<string, RegisteredModel | null>(async (names) =>
          byKey(names, this.primeModels(await this.reads.modelsByNames(names)), (m) => m.name),
        ),
    );
  }

  get versionById() {
    return this.once(
      'versionById',
      () => new DataLoader<number, ModelVersion | null>(async (ids) => byKey(ids, await this.reads.versionsByIds(ids), (v) => v.id)),
    );
  }

  get versionByNumber() {
    return this.once(
      'versionByNumber',
      () =>
        new DataLoader<{ modelId: number; version: number }, ModelVersion | null, string>(
          async (keys) => {
            const rows = await this.reads.versionsByNumbers(keys);
            return byKey(
              keys.map((k) => `${k.modelId}:${k.version}`),
              rows,
              (v) => `${v.modelId}:${v.version}`,
            );
          },
          { cacheKeyFn: (k) => `${k.modelId}:${k.version}` },
        ),
    );
  }

  get latestVersionNumber() {
    return this.once(
      'latestVersionNumber',
      () =>
        new DataLoader<number, number | null>(async (modelIds) => {
          const latest = await this.reads.latestVersionNumbers(modelIds);
          return modelIds.map((id) => latest.get(id) ?? null);
        }),
    );
  }

  get modelTags() {
    return this.once(
      'modelTags',
      () =>
        new DataLoader<number, RegisteredModelTag[]>(async (ids) => groupedByKey(ids, await this.reads.modelTags(ids), (t) => t.modelId)),
    );
  }

  get versionTags() {
    return this.once(
      'versionTags',
      () =>
        new DataLoader<number, ModelVersionTag[]>(async (ids) => groupedByKey(ids, await this.reads.versionTags(ids), (t) => t.versionId)),
    );
  }

  get modelAliases() {
    return this.once(
      'modelAliases',
      () => new DataLoader<number, ModelAlias[]>(async (ids) => groupedByKey(ids, await this.reads.aliasesOfModels(ids), (a) => a.modelId)),
    );
  }

  get versionAliases() {
    return this.once(
      'versionAliases',
      () =>
        new DataLoader<number, ModelAlias[]>(async (ids) => groupedByKey(ids, await this.reads.aliasesOfVersions(ids), (a) => a.versionId)),
    );
  }

  get versionPage() {
    return this.once('versionPage', () =>
      perModelLoader<VersionPageArgs, Page<ModelVersion>>(
        async (ids, { details, columns, ...args }) => {
          const pages = await this.reads.versionPagesOfModels(ids, args, columns);
          if (details.length > 0)
            await this.loadVersionDetails(
              [...pages.values()].flatMap((p) => p.rows),
              details,
            );
          return pages;
        },
        () => ({ rows: [], hasNextPage: false }),
      ),
    );
  }

  // The tags and aliases of versions whose page asked for them (VersionPageArgs.details): loaded
  // with the page, for the versions of all its models at once, and then answered without a promise
  // each (a dashboard's 1,000 versions ask 2,000 times). The same two statements as the batched
  // loads they replace.
  private readonly loadedVersionTags = new Map<number, ModelVersionTag[]>();
  private readonly loadedVersionAliases = new Map<number, ModelAlias[]>();

  private async loadVersionDetails(versions: readonly ModelVersion[], details: readonly VersionDetail[]): Promise<void> {
    const ids = versions.map((v) => v.id);
    if (ids.length === 0) return;
    // The aliases by their models: a model has a few, so PostgreSQL probes the alias index once per
    // model instead of once per version (0.1 against 0.9 ms for a dashboard's 1,000 versions).
    const [tags, aliases] = await Promise.all([
      details.includes('tags') ? this.reads.versionTags(ids) : null,
      details.includes('aliases') ? this.reads.aliasesOfModels([...new Set(versions.map((v) => v.modelId))]) : null,
    ]);
    if (tags) rememberGroups(ids, tags, (t) => t.versionId, this.loadedVersionTags);
    if (aliases) rememberGroups(ids, aliases, (a) => a.versionId, this.loadedVersionAliases);
  }

  /** A version's tags: at once when its page brought them, else batched with the tick's others. */
  versionTagsOf(versionId: number): ModelVersionTag[] | Promise<ModelVersionTag[]> {
    return this.loadedVersionTags.get(versionId) ?? this.versionTags.load(versionId);
  }

  /** The aliases pointing at a version, likewise. */
  versionAliasesOf(versionId: number): ModelAlias[] | Promise<ModelAlias[]> {
    return this.loadedVersionAliases.get(versionId) ?? this.versionAliases.load(versionId);
  }

  get versionCount() {
    return this.once('versionCount', () =>
      perModelLoader<VersionFilter | null, number>(
        (ids, filter) => this.reads.versionCountsOfModels(ids, filter),
        () => 0,
      ),
    );
  }

  get historyPage() {
    return this.once('historyPage', () =>
      perModelLoader<Omit<ModelHistoryArgs, 'scope'>, Page<AuditEvent>>(
        (ids, args) => this.reads.historyOfModels(ids, args),
        () => ({ rows: [], hasNextPage: false }),
      ),
    );
  }

  get aliasTarget() {
    return this.once(
      'aliasTarget',
      () =>
        new DataLoader<AliasKey, ModelVersion | null, string>(
          async (keys) => {
            const found = new Map((await this.reads.aliasTargets(keys)).map(({ alias, ...v }) => [`${v.modelId}|${alias}`, v]));
            return keys.map((k) => found.get(`${k.modelId}|${k.alias}`) ?? null);
          },
          { cacheKeyFn: (k) => `${k.modelId}|${k.alias}` },
        ),
    );
  }

  get aliasVersionAt() {
    return this.once(
      'aliasVersionAt',
      () =>
        new DataLoader<AliasAtKey, number | null, string>((keys) => this.reads.aliasVersionsAt(keys), {
          cacheKeyFn: (k) => `${k.modelId}|${k.alias}|${k.at.toISOString()}`,
        }),
    );
  }

  // The highest version of a model in a stage now: one get-latest-versions statement for all
  // models and stages asked in a tick (pairs not asked are fetched too, and dropped).
  get versionInStage() {
    return this.once(
      'versionInStage',
      () =>
        new DataLoader<{ modelId: number; stage: ModelVersionStage }, ModelVersion | null, string>(
          async (keys) => {
            const rows = await this.reads.latestVersionsByStageOfModels(
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
    );
  }

  get versionInStageAt() {
    return this.once(
      'versionInStageAt',
      () =>
        new DataLoader<StageAtKey, ModelVersion | null, string>((keys) => this.reads.versionsInStageAt(keys), {
          cacheKeyFn: (k) => `${k.modelId}|${k.stage}|${k.at.toISOString()}`,
        }),
    );
  }

  // Rows from a top-level lookup or listing answer the nested lookups of the same rows without
  // another statement. Only there: priming from loads that race each other would make the number
  // of statements depend on which query returned first.
  // Properties, not methods: resolvers pass them on as callbacks.
  readonly primeModels = (models: RegisteredModel[]): RegisteredModel[] => {
    for (const m of models) {
      this.modelById.prime(m.id, m);
      this.modelByName.prime(m.name, m);
    }
    return models;
  };

  readonly primeVersions = (versions: ModelVersion[]): ModelVersion[] => {
    for (const v of versions) {
      this.versionById.prime(v.id, v);
      this.versionByNumber.prime({ modelId: v.modelId, version: v.version }, v);
    }
    return versions;
  };

  /**
   * The model of this name, with the versions `aliases` point to loaded in the same statement: its
   * versionByAlias fields then need none of their own. One statement per call (a lookup by name).
   */
  async modelByNameWithAliasTargets(name: string, aliases: readonly string[]): Promise<RegisteredModel | null> {
    const [found] = await this.reads.modelsWithAliasTargets([name], aliases);
    this.modelByName.prime(name, found?.model ?? null);
    if (!found) return null;
    this.primeModels([found.model]);
    for (const alias of aliases) this.aliasTarget.prime({ modelId: found.model.id, alias }, found.targets.get(alias) ?? null);
    return found.model;
  }

  /** The version with the highest existing number (RegisteredModel.latestVersion, models:/m/latest). */
  async latestVersion(modelId: number): Promise<ModelVersion | null> {
    const number = await this.latestVersionNumber.load(modelId);
    return number == null ? null : this.versionByNumber.load({ modelId, version: number });
  }
}

export function createLoaders(reads: RegistryReads): Loaders {
  return new Loaders(reads);
}

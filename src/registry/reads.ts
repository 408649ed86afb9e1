// Reads, as the registry answers them to one caller: the one place that applies the caller's
// scope. Listings and counts filter by it in SQL (pages and counts never include what is out of
// scope), single lookups answer null for a model outside it, and history is visible by the model
// name each event was recorded under. The batch loads by id (the GraphQL layer's DataLoaders) are
// not filtered: they only follow ids reached from rows this caller could already see.
import type { Access } from '../auth/access.ts';
import { isActive } from '../auth/tokens.ts';
import type {
  AuditEvent,
  ModelAlias,
  ModelVersion,
  ModelVersionStage,
  RegisteredModel,
  WebhookDelivery,
  WebhookDeliveryStatus,
} from '../generated/prisma/client.ts';
import type { ModelOrderKey, VersionOrderKey } from '../mlflow/search-filter.ts';
import * as aliases from '../store/aliases.ts';
import * as events from '../store/events.ts';
import type { PageArgs } from '../store/filters.ts';
import * as mlflowSearch from '../store/mlflow-search.ts';
import * as models from '../store/models.ts';
import { type Reader, prismaOf } from '../store/sql.ts';
import * as tags from '../store/tags.ts';
import type { OptionalVersionColumn } from '../store/columns.ts';
import * as versions from '../store/versions.ts';
import type { Page } from './rules/paging.ts';

export class RegistryReads {
  constructor(
    private readonly db: Reader,
    readonly access: Access,
  ) {}

  /** The model (or anything that names one) if this caller may see it, else null, as if it did not exist. */
  visible<M extends { name: string }>(model: M | null | undefined): M | null {
    return model && this.access.canSee(model.name) ? model : null;
  }

  listModels(args: PageArgs<models.ModelOrder> & { filter?: models.ModelFilter | null }): Promise<Page<RegisteredModel>> {
    return models.listModels(this.db, { ...args, scope: this.access.scope });
  }

  countModels(filter: models.ModelFilter | null | undefined): Promise<number> {
    return models.countModels(this.db, filter, this.access.scope);
  }

  listVersions(
    args: PageArgs<versions.VersionOrder> & { name?: string | null; filter?: versions.VersionFilter | null },
  ): Promise<Page<ModelVersion>> {
    return versions.listVersions(this.db, { ...args, scope: this.access.scope });
  }

  countVersions(args: { name?: string | null; filter?: versions.VersionFilter | null }): Promise<number> {
    return versions.countVersions(this.db, { ...args, scope: this.access.scope });
  }

  /** MLflow's registered-models/search, within this caller's scope. */
  searchModels(args: Omit<mlflowSearch.SearchArgs<ModelOrderKey>, 'scope'>): Promise<mlflowSearch.SearchPage<RegisteredModel>> {
    return mlflowSearch.searchRegisteredModels(this.db, { ...args, scope: this.access.scope });
  }

  /** MLflow's model-versions/search, within this caller's scope. */
  searchVersions(
    args: Omit<mlflowSearch.SearchArgs<VersionOrderKey>, 'scope'>,
  ): Promise<mlflowSearch.SearchPage<mlflowSearch.SearchedVersion>> {
    return mlflowSearch.searchModelVersions(this.db, { ...args, scope: this.access.scope });
  }

  listEvents(args: { first: number; after?: string | null; filter?: Omit<events.EventFilter, 'scope'> | null }): Promise<Page<AuditEvent>> {
    return events.listEvents(this.db, { first: args.first, after: args.after, filter: { ...args.filter, scope: this.access.scope } });
  }

  /** One page of history per model, of the events this caller may see. */
  historyOfModels(modelIds: readonly number[], args: Omit<events.ModelHistoryArgs, 'scope'>): Promise<Map<number, Page<AuditEvent>>> {
    return events.listEventsOfModels(this.db, modelIds, { ...args, scope: this.access.scope });
  }

  async event(sequence: number): Promise<AuditEvent | null> {
    const event = await prismaOf(this.db).auditEvent.findUnique({ where: { sequence } });
    return event && this.access.canSee(event.modelName) ? event : null;
  }

  /** The model now named `name`, if visible. */
  async model(name: string): Promise<RegisteredModel | null> {
    if (!this.access.canSee(name)) return null;
    const [found] = await models.modelsByNames(this.db, [name]);
    return found ?? null;
  }

  /** Version `version` of the model now named `name`, if visible. */
  async version(name: string, version: number): Promise<ModelVersion | null> {
    const model = await this.model(name);
    if (!model) return null;
    const [found] = await versions.versionsByNumbers(this.db, [{ modelId: model.id, version }]);
    return found ?? null;
  }

  /** The alias `alias` of the model now named `name`, if visible. */
  async alias(name: string, alias: string): Promise<ModelAlias | null> {
    if (!this.access.canSee(name)) return null;
    return prismaOf(this.db).modelAlias.findFirst({ where: { alias, model: { name } } });
  }

  /** A version with its model, by the model's id (history events carry it), if visible. */
  async versionWithModel(modelId: number, version: number): Promise<(ModelVersion & { model: RegisteredModel }) | null> {
    const found = await prismaOf(this.db).modelVersion.findUnique({
      where: { modelId_version: { modelId, version } },
      include: { model: true },
    });
    return found && this.access.canSee(found.model.name) ? found : null;
  }

  /** Whether this caller's token is still valid (a subscription outlives the request that checked it). */
  async tokenStillActive(): Promise<boolean> {
    const name = this.access.actor;
    if (name == null) return true;
    const token = await prismaOf(this.db).apiToken.findUnique({ where: { name } });
    return token !== null && isActive(token);
  }

  /** A webhook's delivery log, newest first (the webhook itself is only reachable by admins). */
  webhookDeliveries(webhookId: number, args: { first: number; status?: WebhookDeliveryStatus | null }): Promise<WebhookDelivery[]> {
    return prismaOf(this.db).webhookDelivery.findMany({
      where: { webhookId, ...(args.status ? { status: args.status } : {}) },
      orderBy: { id: 'desc' },
      take: args.first,
    });
  }

  // ---- Batch loads by key, for DataLoaders (methods, not arrow properties: a RegistryReads is
  // made per request, and each property would be a closure made with it)

  modelsByIds(ids: readonly number[]) {
    return models.modelsByIds(this.db, ids);
  }
  modelsByNames(names: readonly string[]) {
    return models.modelsByNames(this.db, names);
  }
  versionsByIds(ids: readonly number[]) {
    return versions.versionsByIds(this.db, ids);
  }
  versionsByNumbers(keys: readonly { modelId: number; version: number }[]) {
    return versions.versionsByNumbers(this.db, keys);
  }
  latestVersionNumbers(modelIds: readonly number[]) {
    return versions.latestVersionNumbers(this.db, modelIds);
  }
  modelTags(modelIds: readonly number[]) {
    return tags.modelTags(this.db, modelIds);
  }
  versionTags(versionIds: readonly number[]) {
    return tags.versionTags(this.db, versionIds);
  }
  aliasesOfModels(modelIds: readonly number[]) {
    return aliases.aliasesOfModels(this.db, modelIds);
  }
  aliasesOfVersions(versionIds: readonly number[]) {
    return aliases.aliasesOfVersions(this.db, versionIds);
  }
  aliasTargets(keys: readonly aliases.AliasKey[]) {
    return aliases.aliasTargets(this.db, keys);
  }
  /** Models by name with the versions some of their aliases point to, in one statement (not scoped: visible() decides). */
  modelsWithAliasTargets(names: readonly string[], aliasNames: readonly string[]) {
    return aliases.modelsWithAliasTargets(this.db, names, aliasNames);
  }
  aliasVersionsAt(keys: readonly aliases.AliasAtKey[]) {
    return aliases.aliasVersionsAt(this.db, keys);
  }
  /** MLflow's get-latest-versions, of a model reached through a visible row (as the batch loads above). */
  latestVersionsByStage(modelId: number, stages?: readonly ModelVersionStage[] | null) {
    return versions.latestVersionsByStage(this.db, modelId, stages);
  }
  /** latestVersionsByStage of many models in one statement, within this caller's scope (ordered by model, then stage). */
  latestVersionsByStageOfModels(modelIds: readonly number[], stages?: readonly ModelVersionStage[] | null) {
    return versions.latestVersionsByStageOfModels(this.db, modelIds, stages, this.access.scope);
  }
  /** The highest version of each (model, stage) at an instant, from history, within this caller's scope. */
  versionsInStageAt(keys: readonly versions.StageAtKey[]) {
    return versions.versionsInStageAt(this.db, keys, this.access.scope);
  }
  /** `columns`: the optional columns to read (null: all); see versionColumnsSql. */
  versionPagesOfModels(
    modelIds: readonly number[],
    args: PageArgs<versions.VersionOrder> & { filter?: versions.VersionFilter | null },
    columns: readonly OptionalVersionColumn[] | null = null,
  ) {
    return versions.listVersionsOfModels(this.db, modelIds, args, columns);
  }
  versionCountsOfModels(modelIds: readonly number[], filter: versions.VersionFilter | null | undefined) {
    return versions.countVersionsOfModels(this.db, modelIds, filter);
  }
}

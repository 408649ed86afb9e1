import type { ModelVersion } from '../../generated/prisma/client.ts';
import { type SortKey, cursorOf } from '../../registry/rules/paging.ts';
import { VERSION_IN_MODEL_SORT, VERSION_SORT, type VersionFilter, type VersionOrder } from '../../store/versions.ts';
import { builder } from '../builder.ts';
import type { GraphQLContext } from '../context.ts';
import type { VersionDetail } from '../loaders.ts';
import type { OptionalVersionColumn } from '../../store/columns.ts';
import { type ConnectionShape, connectionArgs, pageArgs, primed, withCursorErrors } from './connection.ts';
import { NodeRef } from './node.ts';
import { ModelVersionConnectionRef, ModelVersionRef, RegisteredModelRef, TagRef } from './refs.ts';
import { DateTime } from './scalars.ts';
import { TagFilterRef, tagValue } from './tag.ts';

export const ModelVersionStatusRef = builder.enumType('ModelVersionStatus', {
  description: 'Where a version is in its registration.',
  values: {
    PENDING_REGISTRATION: { description: 'Registered, artifacts still being prepared.' },
    READY: { description: 'Ready to serve (the status of a new version).' },
    FAILED_REGISTRATION: { description: 'Registration failed; see statusMessage.' },
  } as const,
});

export const ModelVersionStageRef = builder.enumType('ModelVersionStage', {
  description: "MLflow's legacy deployment stage of a version (deprecated in MLflow since 2.9; aliases are its successor).",
  values: {
    NONE: { description: "In no stage (MLflow's None): the stage of a new version." },
    STAGING: { description: 'In staging.' },
    PRODUCTION: { description: 'In production.' },
    ARCHIVED: { description: 'Retired, by a transition or by another version archiving its stage.' },
  } as const,
});

export const ModelVersionOrderRef = builder.enumType('ModelVersionOrder', {
  description: 'Sort orders for model versions.',
  values: {
    VERSION_DESC: { description: 'Highest version number first.' },
    VERSION_ASC: { description: 'Lowest version number first.' },
    CREATED_AT_DESC: { description: 'Most recently registered first.' },
  } as const,
});

export const ModelVersionFilterRef = builder.inputType('ModelVersionFilter', {
  description: 'Conditions a version must meet; all given conditions must hold.',
  fields: (t) => ({
    runId: t.string({ description: 'Only versions produced by this run.' }),
    status: t.field({ type: ModelVersionStatusRef, description: 'Only versions with this status.' }),
    tags: t.field({ type: [TagFilterRef], description: 'Every listed tag must match.' }),
  }),
});

ModelVersionRef.implement({
  description: 'One numbered version of a registered model.',
  interfaces: [NodeRef],
  isTypeOf: (value) => typeof value === 'object' && value !== null && 'source' in value,
  fields: (t) => ({
    model: t.field({
      type: RegisteredModelRef,
      description: 'The model this version belongs to.',
      resolve: async (v, _args, ctx) => (await ctx.loaders.modelById.load(v.modelId))!,
    }),
    version: t.exposeInt('version', { description: 'The version number: 1, 2, 3, ... per model, never reused.' }),
    source: t.exposeString('source', {
      description: 'Where the artifacts live, e.g. s3://bucket/path or runs:/<run id>/model.',
    }),
    runId: t.exposeString('runId', { nullable: true, description: 'The run that produced this version, if any.' }),
    runLink: t.exposeString('runLink', { nullable: true, description: 'A link to that run, if any.' }),
    description: t.exposeString('description', { nullable: true, description: 'Free text, up to 65,536 characters.' }),
    status: t.field({ type: ModelVersionStatusRef, description: 'Registration status.', resolve: (v) => v.status }),
    statusMessage: t.exposeString('statusMessage', { nullable: true, description: 'Detail on the status, e.g. why registration failed.' }),
    stage: t.field({
      type: ModelVersionStageRef,
      description: "MLflow's legacy stage; changed by transitionModelVersionStage.",
      resolve: (v) => v.stage,
    }),
    storageLocation: t.exposeString('storageLocation', {
      nullable: true,
      description:
        "Where the artifacts are when the source does not say it itself: for a models:/<name>/<version> source, that version's location at registration. Null: the source is the location (MLflow's download URI is storageLocation, else source).",
    }),
    createdAt: t.field({ type: DateTime, description: 'When the version was registered.', resolve: (v) => v.createdAt }),
    updatedAt: t.field({
      type: DateTime,
      description: 'When the version or its tags last changed.',
      resolve: (v) => v.updatedAt,
    }),
    tags: t.field({
      type: [TagRef],
      description: 'Tags sorted by key.',
      resolve: (v, _args, ctx) => ctx.loaders.versionTagsOf(v.id),
    }),
    tag: t.string({
      nullable: true,
      description: 'The value of one tag, or null.',
      args: { key: t.arg.string({ required: true, description: 'The tag key.' }) },
      resolve: async (v, { key }, ctx) => tagValue(await ctx.loaders.versionTagsOf(v.id), key),
    }),
    aliases: t.stringList({
      description: 'Names of the aliases that point at this version, sorted.',
      resolve: (v, _args, ctx) => {
        const aliases = ctx.loaders.versionAliasesOf(v.id);
        return Array.isArray(aliases) ? aliases.map((a) => a.alias) : aliases.then((list) => list.map((a) => a.alias));
      },
    }),
  }),
});

interface VersionListArgs {
  first?: number | null;
  after?: string | null;
  filter?: VersionFilter | null;
  orderBy?: VersionOrder | null;
}

function versionConnection(
  after: string | null,
  sortKey: SortKey<'version' | 'createdAt' | 'id'>,
  load: () => Promise<Omit<ConnectionShape<ModelVersion>, 'cursorOf' | 'afterGiven'>>,
): Promise<ConnectionShape<ModelVersion>> {
  return withCursorErrors(async () => ({
    ...(await load()),
    cursorOf: (v: ModelVersion) => cursorOf(v, sortKey),
    afterGiven: after != null,
  }));
}

/**
 * The optional columns (versionColumnsSql) each ModelVersion field reads. A field missing here
 * (one added later, say) makes a page read every column.
 */
const VERSION_FIELD_COLUMNS = new Map<string, readonly OptionalVersionColumn[]>([
  ...['__typename', 'id', 'version', 'source', 'createdAt', 'model', 'tags', 'tag', 'aliases'].map((f) => [f, []] as const),
  ...(['runId', 'runLink', 'description', 'status', 'statusMessage', 'stage', 'storageLocation', 'updatedAt'] as const).map(
    (f) => [f, [f]] as const,
  ),
]);

/** What a page of versions must read for these item fields: its optional columns (null: all) and details. */
export function versionPageNeeds(fields: ReadonlySet<string>): { columns: OptionalVersionColumn[] | null; details: VersionDetail[] } {
  const columns = new Set<OptionalVersionColumn>();
  let all = false;
  for (const field of fields) {
    const needed = VERSION_FIELD_COLUMNS.get(field);
    if (needed) for (const c of needed) columns.add(c);
    else all = true;
  }
  const details: VersionDetail[] = [];
  if (fields.has('tags') || fields.has('tag')) details.push('tags');
  if (fields.has('aliases')) details.push('aliases');
  // Sorted: the answer is part of a batch key, where the same needs must be equal.
  return { columns: all ? null : [...columns].sort(), details };
}

/**
 * RegisteredModel.versions: batched across all models of the request, reading only what its
 * items ask (itemFieldNames), their tags and aliases loaded together with the page.
 */
export function versionsOfModel(ctx: GraphQLContext, modelId: number, args: VersionListArgs, itemFields: ReadonlySet<string>) {
  const { columns, details } = versionPageNeeds(itemFields);
  const { first, after } = pageArgs(args);
  const orderBy = args.orderBy ?? 'VERSION_DESC';
  const filter = args.filter ?? null;
  return versionConnection(after, VERSION_IN_MODEL_SORT[orderBy], async () => ({
    page: await ctx.loaders.versionPage.load({ modelId, args: { first, after, orderBy, filter, details, columns } }),
    totalCount: () => ctx.loaders.versionCount.load({ modelId, args: filter }),
  }));
}

builder.queryFields((t) => ({
  modelVersion: t.field({
    type: ModelVersionRef,
    nullable: true,
    description: 'One version of a model, or null if the model or the version does not exist.',
    args: {
      name: t.arg.string({ required: true, description: 'The model name.' }),
      version: t.arg.int({ required: true, description: 'The version number.' }),
    },
    resolve: async (_root, { name, version }, ctx) => {
      const model = ctx.reads.visible(await ctx.loaders.modelByName.load(name));
      return model ? ctx.loaders.versionByNumber.load({ modelId: model.id, version }) : null;
    },
  }),
  modelVersions: t.field({
    type: ModelVersionConnectionRef,
    description: 'Versions across all models (or of model `name`), newest first by default.',
    args: {
      ...connectionArgs,
      name: t.arg.string({ description: 'Only versions of the model with this name.' }),
      filter: t.arg({ type: ModelVersionFilterRef, description: 'Only versions that match.' }),
      orderBy: t.arg({ type: ModelVersionOrderRef, description: 'Sort order; CREATED_AT_DESC by default.' }),
    },
    resolve: (_root, args, ctx) => {
      const { first, after } = pageArgs(args);
      const orderBy = args.orderBy ?? 'CREATED_AT_DESC';
      return versionConnection(after, VERSION_SORT[orderBy], async () => ({
        page: primed(
          await ctx.reads.listVersions({ first, after, orderBy, name: args.name, filter: args.filter }),
          ctx.loaders.primeVersions,
        ),
        totalCount: () => ctx.reads.countVersions({ name: args.name, filter: args.filter }),
      }));
    },
  }),
}));

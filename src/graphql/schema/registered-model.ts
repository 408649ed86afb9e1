import type { RegisteredModel } from '../../generated/prisma/client.ts';
import { type ModelOrder, MODEL_SORT } from '../../store/models.ts';
import { cursorOf } from '../../registry/rules/paging.ts';
import { builder } from '../builder.ts';
import { AuditActionRef, historyOfModel } from './audit-event.ts';
import { connectionArgs, pageArgs, primed, withCursorErrors } from './connection.ts';
import { ModelVersionFilterRef, ModelVersionOrderRef, ModelVersionStageRef, versionsOfModel } from './model-version.ts';
import { NodeRef } from './node.ts';
import {
  AuditEventConnectionRef,
  ModelAliasRef,
  ModelVersionConnectionRef,
  ModelVersionRef,
  RegisteredModelConnectionRef,
  RegisteredModelRef,
  TagRef,
} from './refs.ts';
import { aliasesLookedUp, itemFieldNames } from '../lookahead.ts';
import { DateTime } from './scalars.ts';
import { TagFilterRef, tagValue } from './tag.ts';

export const RegisteredModelOrderRef = builder.enumType('RegisteredModelOrder', {
  description: 'Sort orders for registered models.',
  values: {
    NAME_ASC: { description: 'By name, A to Z (the default).' },
    NAME_DESC: { description: 'By name, Z to A.' },
    UPDATED_AT_DESC: { description: 'Most recently changed first (any change to the model, its tags, aliases or versions).' },
    CREATED_AT_DESC: { description: 'Newest first.' },
  } as const,
});

export const RegisteredModelFilterRef = builder.inputType('RegisteredModelFilter', {
  description: 'Conditions a model must meet; all given conditions must hold.',
  fields: (t) => ({
    nameContains: t.string({ description: 'Case-insensitive substring of the name.' }),
    tags: t.field({ type: [TagFilterRef], description: 'Every listed tag must match.' }),
    hasAlias: t.string({ description: 'Only models that have this alias.' }),
  }),
});

RegisteredModelRef.implement({
  description: 'A named model; its versions are numbered 1, 2, 3, ... and a number is never reused.',
  interfaces: [NodeRef],
  isTypeOf: (value) => typeof value === 'object' && value !== null && 'lastVersion' in value,
  fields: (t) => ({
    name: t.exposeString('name', { description: 'Unique name: 1-256 characters, no `/`, `:` or control characters.' }),
    description: t.exposeString('description', { nullable: true, description: 'Free text, up to 65,536 characters.' }),
    createdAt: t.field({ type: DateTime, description: 'When the model was registered.', resolve: (m) => m.createdAt }),
    updatedAt: t.field({
      type: DateTime,
      description: 'When the model, its tags, its aliases or any of its versions last changed.',
      resolve: (m) => m.updatedAt,
    }),
    tags: t.field({
      type: [TagRef],
      description: 'Tags sorted by key.',
      resolve: (m, _args, ctx) => ctx.loaders.modelTags.load(m.id),
    }),
    tag: t.string({
      nullable: true,
      description: 'The value of one tag, or null.',
      args: { key: t.arg.string({ required: true, description: 'The tag key.' }) },
      resolve: async (m, { key }, ctx) => tagValue(await ctx.loaders.modelTags.load(m.id), key),
    }),
    aliases: t.field({
      type: [ModelAliasRef],
      description: 'Aliases of this model sorted by name.',
      resolve: (m, _args, ctx) => ctx.loaders.modelAliases.load(m.id),
    }),
    versionByAlias: t.field({
      type: ModelVersionRef,
      nullable: true,
      description:
        'The version `alias` points to now or, with `at`, the one it pointed to at that instant (null if none). ' +
        'Past answers come from the recorded history.',
      args: {
        alias: t.arg.string({ required: true, description: 'The alias name, e.g. champion.' }),
        at: t.arg({ type: DateTime, description: 'An instant in the past; omitted means now.' }),
      },
      resolve: async (m, { alias, at }, ctx) => {
        if (at == null) return ctx.loaders.aliasTarget.load({ modelId: m.id, alias });
        const number = await ctx.loaders.aliasVersionAt.load({ modelId: m.id, alias, at });
        return number == null ? null : ctx.loaders.versionByNumber.load({ modelId: m.id, version: number });
      },
    }),
    versionByStage: t.field({
      type: ModelVersionRef,
      nullable: true,
      description:
        "The highest-numbered version in `stage` now (MLflow's get-latest-versions for one stage) or, with `at`, " +
        'the highest-numbered one that was in that stage at that instant, as it is now (null if none, or if that ' +
        'version has been deleted since). Past answers come from the recorded history: a version is in NONE from ' +
        'its creation or import until its first transition, and in no stage once deleted.',
      args: {
        stage: t.arg({ type: ModelVersionStageRef, required: true, description: 'The stage, e.g. PRODUCTION; NONE is a stage too.' }),
        at: t.arg({ type: DateTime, description: 'An instant in the past; omitted means now.' }),
      },
      resolve: (m, { stage, at }, ctx) =>
        at == null
          ? ctx.loaders.versionInStage.load({ modelId: m.id, stage })
          : ctx.loaders.versionInStageAt.load({ modelId: m.id, stage, at }),
    }),
    version: t.field({
      type: ModelVersionRef,
      nullable: true,
      description: 'One version by number, or null if it does not exist.',
      args: { version: t.arg.int({ required: true, description: 'The version number.' }) },
      resolve: (m, { version }, ctx) => ctx.loaders.versionByNumber.load({ modelId: m.id, version }),
    }),
    latestVersion: t.field({
      type: ModelVersionRef,
      nullable: true,
      description: 'The version with the highest number, or null.',
      resolve: (m, _args, ctx) => ctx.loaders.latestVersion(m.id),
    }),
    versions: t.field({
      type: ModelVersionConnectionRef,
      description: "This model's versions; newest (highest number) first unless orderBy says otherwise.",
      args: {
        ...connectionArgs,
        filter: t.arg({ type: ModelVersionFilterRef, description: 'Only versions that match.' }),
        orderBy: t.arg({ type: ModelVersionOrderRef, description: 'Sort order; VERSION_DESC by default.' }),
      },
      resolve: (m, args, ctx, info) => versionsOfModel(ctx, m.id, args, itemFieldNames(info)),
    }),
    history: t.field({
      type: AuditEventConnectionRef,
      description: "Recorded changes to this model, newest first; `alias` limits it to one alias's history.",
      args: {
        ...connectionArgs,
        alias: t.arg.string({ description: 'Only events about this alias.' }),
        actions: t.arg({ type: [AuditActionRef], description: 'Only events with one of these actions.' }),
      },
      resolve: (m, args, ctx) => historyOfModel(ctx, m.id, args),
    }),
  }),
});

builder.queryFields((t) => ({
  registeredModel: t.field({
    type: RegisteredModelRef,
    nullable: true,
    description: 'One model by its exact name, or null.',
    args: { name: t.arg.string({ required: true, description: 'The exact model name.' }) },
    resolve: async (_root, { name }, ctx, info) => {
      // An alias lookup asks for the model only to follow its alias: both in one statement.
      const aliases = aliasesLookedUp(info);
      const model =
        aliases.length > 0 ? await ctx.loaders.modelByNameWithAliasTargets(name, aliases) : await ctx.loaders.modelByName.load(name);
      return ctx.reads.visible(model);
    },
  }),
  registeredModels: t.field({
    type: RegisteredModelConnectionRef,
    description: 'Models, by name (NAME_ASC) unless orderBy says otherwise.',
    args: {
      ...connectionArgs,
      filter: t.arg({ type: RegisteredModelFilterRef, description: 'Only models that match.' }),
      orderBy: t.arg({ type: RegisteredModelOrderRef, description: 'Sort order; NAME_ASC by default.' }),
    },
    resolve: (_root, args, ctx) => {
      const { first, after } = pageArgs(args);
      const orderBy: ModelOrder = args.orderBy ?? 'NAME_ASC';
      return withCursorErrors(async () => ({
        page: primed(await ctx.reads.listModels({ first, after, orderBy, filter: args.filter }), ctx.loaders.primeModels),
        cursorOf: (m: RegisteredModel) => cursorOf(m, MODEL_SORT[orderBy]),
        afterGiven: after != null,
        totalCount: () => ctx.reads.countModels(args.filter),
      }));
    },
  }),
}));

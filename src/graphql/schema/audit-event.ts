import type { AuditAction, AuditEvent } from '../../generated/prisma/client.ts';
import { type Page, cursorOf } from '../../registry/rules/paging.ts';
import { EVENT_SORT } from '../../store/events.ts';
import { builder } from '../builder.ts';
import type { GraphQLContext } from '../context.ts';
import { type ConnectionShape, connectionArgs, pageArgs, withCursorErrors } from './connection.ts';
import { NodeRef } from './node.ts';
import { AuditEventConnectionRef, AuditEventRef, RegisteredModelRef } from './refs.ts';
import { DateTime } from './scalars.ts';

export const AuditActionRef = builder.enumType('AuditAction', {
  description: 'What a recorded change did.',
  values: {
    MODEL_CREATED: { description: 'A model was created (newValue: its description).' },
    MODEL_UPDATED: { description: "A model's description changed (key: description; previousValue, newValue)." },
    MODEL_RENAMED: { description: 'A model was renamed (previousValue: old name, newValue: new name; modelName: the new name).' },
    MODEL_DELETED: { description: 'A model was deleted with its versions, tags and aliases (newValue: how many versions).' },
    VERSION_CREATED: { description: 'A version was registered (version; newValue: its source).' },
    VERSION_UPDATED: { description: 'A version field changed (key: description, status or statusMessage; previousValue, newValue).' },
    VERSION_DELETED: { description: 'A version was deleted (version).' },
    MODEL_TAG_SET: { description: 'A model tag was added or overwritten (key; previousValue, newValue).' },
    MODEL_TAG_DELETED: { description: 'A model tag was removed (key; previousValue).' },
    VERSION_TAG_SET: { description: 'A version tag was added or overwritten (version, key; previousValue, newValue).' },
    VERSION_TAG_DELETED: { description: 'A version tag was removed (version, key; previousValue).' },
    ALIAS_SET: { description: 'An alias was created or moved (alias, version; previousVersion).' },
    ALIAS_DELETED: { description: 'An alias was removed, directly or with its version (alias; previousVersion).' },
    VERSION_STAGE_CHANGED: {
      description:
        "A version's legacy MLflow stage changed, directly or archived by another's transition (version; previousValue, newValue).",
    },
    MODEL_IMPORTED: {
      description:
        'A model was brought in from another registry (npm run import:mlflow; version: the highest version number the source had handed out; previousValue: when it was created there, ISO 8601; newValue: its description).',
    },
    VERSION_IMPORTED: {
      description:
        'A version was brought in from another registry (version; previousValue: when it was created there, ISO 8601; newValue: its source).',
    },
  } as const,
});

export const AuditEventFilterRef = builder.inputType('AuditEventFilter', {
  description: 'Conditions a recorded change must meet; all given conditions must hold.',
  fields: (t) => ({
    modelName: t.string({
      description: 'The whole history of every model that ever had this name: across renames, and after the model was deleted.',
    }),
    alias: t.string({ description: 'Only events about this alias.' }),
    actions: t.field({ type: [AuditActionRef], description: 'Only events with one of these actions.' }),
    actor: t.string({ description: 'Only changes made by this actor (token name).' }),
    since: t.field({ type: DateTime, description: 'Only events at or after this instant.' }),
    until: t.field({ type: DateTime, description: 'Only events before this instant.' }),
  }),
});

AuditEventRef.implement({
  description: 'One recorded change. Events are append-only and totally ordered by `sequence`.',
  interfaces: [NodeRef],
  isTypeOf: (value) => typeof value === 'object' && value !== null && 'sequence' in value,
  fields: (t) => ({
    sequence: t.exposeInt('sequence', { description: 'Position in the history of the whole registry; increases with every event.' }),
    at: t.field({ type: DateTime, description: "When the change was made (the database's clock).", resolve: (e) => e.at }),
    actor: t.exposeString('actor', { nullable: true, description: 'Who made the change (token name), or null when anonymous.' }),
    action: t.field({ type: AuditActionRef, description: 'What the change did.', resolve: (e) => e.action }),
    modelName: t.exposeString('modelName', { description: "The model's name when the change was made." }),
    model: t.field({
      type: RegisteredModelRef,
      nullable: true,
      description: 'The model as it is now; null if it was deleted.',
      resolve: async (e, _args, ctx) => ctx.reads.visible(await ctx.loaders.modelById.load(e.modelId)),
    }),
    version: t.exposeInt('version', {
      nullable: true,
      description: 'The version number the change concerns: the tagged, created, deleted or newly aliased version.',
    }),
    previousVersion: t.exposeInt('previousVersion', {
      nullable: true,
      description: 'For ALIAS_SET / ALIAS_DELETED: the version the alias pointed to before (null if it did not exist).',
    }),
    alias: t.exposeString('alias', { nullable: true, description: 'The alias, for alias actions.' }),
    key: t.exposeString('key', {
      nullable: true,
      description: 'Tag key for tag actions; the changed field for MODEL_UPDATED and VERSION_UPDATED.',
    }),
    previousValue: t.exposeString('previousValue', {
      nullable: true,
      description: 'Old value for tag changes, description updates and renames (old name).',
    }),
    newValue: t.exposeString('newValue', {
      nullable: true,
      description: 'New value for tag changes, description updates and renames (new name).',
    }),
  }),
});

function historyConnection(after: string | null, load: () => Promise<Page<AuditEvent>>): Promise<ConnectionShape<AuditEvent>> {
  return withCursorErrors(async () => ({
    page: await load(),
    cursorOf: (e: AuditEvent) => cursorOf(e, EVENT_SORT),
    afterGiven: after != null,
  }));
}

/** RegisteredModel.history: batched across all models of the request. */
export function historyOfModel(
  ctx: GraphQLContext,
  modelId: number,
  args: { first?: number | null; after?: string | null; alias?: string | null; actions?: readonly AuditAction[] | null },
): Promise<ConnectionShape<AuditEvent>> {
  const { first, after } = pageArgs(args);
  const key = { modelId, args: { first, after, alias: args.alias ?? null, actions: args.actions ?? null } };
  return historyConnection(after, () => ctx.loaders.historyPage.load(key));
}

builder.queryField('auditEvents', (t) =>
  t.field({
    type: AuditEventConnectionRef,
    description: 'All recorded changes, newest first.',
    args: {
      ...connectionArgs,
      filter: t.arg({ type: AuditEventFilterRef, description: 'Only events that match.' }),
    },
    resolve: (_root, args, ctx) => {
      const { first, after } = pageArgs(args);
      return historyConnection(after, () => ctx.reads.listEvents({ first, after, filter: args.filter }));
    },
  }),
);

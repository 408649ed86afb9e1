// Live updates over SSE (yoga) and WebSocket (graphql-ws, src/http/websocket.ts). Both read the
// history table through the event feed (src/events/feed.ts), so a subscriber gets every recorded
// change once, in sequence order, whichever replica made it.
//
// Each event resolves with its own DataLoaders, so nested fields show the state as of that event:
// envelop's per-event context does that for every subscription field (plugins/subscription-event-loaders.ts).
// The token re-check stays here, in the feed's `beforePage`: no envelop or yoga plugin re-authenticates
// a running subscription, and per page it costs one look-up per batch of events read together
// (a replay or a burst of commits) instead of one per event, while a revoked token still stops
// before any event read after the revocation is delivered.
import { GraphQLError } from 'graphql';
import type { AuditAction, AuditEvent, ModelAlias, ModelVersion, RegisteredModel } from '../../generated/prisma/client.ts';
import { FeedClosedError, type RegistryEventFilter, SubscriptionLimitError } from '../../events/feed.ts';
import { checkAuditActions } from '../../store/events.ts';
import { isStorableText } from '../../registry/rules/validation.ts';
import { builder } from '../builder.ts';
import type { GraphQLContext } from '../context.ts';
import { AuditActionRef } from './audit-event.ts';
import { AuditEventRef, ModelAliasRef } from './refs.ts';

/** Most aliases one registryEvents subscription may filter on. */
export const MAX_SUBSCRIPTION_ALIASES = 100;

builder.subscriptionType({
  description:
    'Live updates, over Server-Sent Events (POST or GET /graphql with `accept: text/event-stream`) or WebSocket (graphql-ws protocol at /graphql).',
});

/**
 * A subscription outlives the request that checked its token: before each page of events it checks
 * again, so a revoked or expired token stops receiving at the next event, on every replica.
 */
async function checkTokenStillActive(ctx: GraphQLContext): Promise<void> {
  if (!(await ctx.reads.tokenStillActive())) {
    throw new GraphQLError(`token "${ctx.access.actor}" was revoked or has expired`, { extensions: { code: 'UNAUTHENTICATED' } });
  }
}

async function openEvents(
  ctx: GraphQLContext,
  filter: RegistryEventFilter,
  afterSequence: number | null,
): Promise<AsyncIterableIterator<AuditEvent>> {
  // Before the feed opens: a refused filter must not take a subscription slot.
  filter = { ...filter, actions: checkAuditActions(filter.actions) };
  try {
    // The token's scope goes into the SQL: events it cannot see are never read (canSee stays as a guard).
    return await ctx.feed.subscribe(
      { ...filter, scope: ctx.access.scope },
      { afterSequence, actor: ctx.access.actor, beforePage: () => checkTokenStillActive(ctx) },
    );
  } catch (error) {
    if (error instanceof SubscriptionLimitError || error instanceof FeedClosedError) {
      throw new GraphQLError(error.message, {
        extensions: { code: error instanceof SubscriptionLimitError ? 'TOO_MANY_SUBSCRIPTIONS' : 'UNAVAILABLE' },
      });
    }
    throw error;
  }
}

/** `source` mapped through `map` (undefined: skip); ending the result ends the source. */
function mapIterator<T, U>(
  source: AsyncIterableIterator<T>,
  map: (value: T) => Promise<U | undefined> | U | undefined,
): AsyncIterableIterator<U> {
  const iterator: AsyncIterableIterator<U> = {
    [Symbol.asyncIterator]: () => iterator,
    async next() {
      for (;;) {
        const item = await source.next();
        if (item.done) return { done: true, value: undefined };
        const mapped = await map(item.value);
        if (mapped !== undefined) return { done: false, value: mapped };
      }
    },
    async return() {
      await source.return?.();
      return { done: true, value: undefined };
    },
  };
  return iterator;
}

function checkText(value: string, argument: string): void {
  if (!isStorableText(value)) throw new GraphQLError(`${argument} contains characters that cannot be stored`);
}

builder.subscriptionField('registryEvents', (t) =>
  t.field({
    type: AuditEventRef,
    description:
      'Recorded changes as they commit, in `sequence` order, on whichever replica they were made. With `afterSequence`, first replays every matching event after it, then continues live with no gap and no duplicate. To resume after a disconnect, subscribe again with the last `sequence` received.',
    args: {
      modelName: t.arg.string({
        description: 'Only events of models that ever bore this name (across renames, and after deletion), as in history filters.',
      }),
      aliases: t.arg.stringList({ description: `Only events about one of these aliases (at most ${MAX_SUBSCRIPTION_ALIASES}).` }),
      actions: t.arg({ type: [AuditActionRef], description: 'Only events with one of these actions.' }),
      afterSequence: t.arg.int({
        description:
          'Replay matching events with a higher sequence first (0: the whole history). Absent: only changes committed from now on.',
      }),
    },
    subscribe: async (_root, args, ctx) => {
      if (args.afterSequence != null && args.afterSequence < 0) throw new GraphQLError('afterSequence must be 0 or more');
      if (args.aliases && args.aliases.length > MAX_SUBSCRIPTION_ALIASES) {
        throw new GraphQLError(`aliases: at most ${MAX_SUBSCRIPTION_ALIASES}`);
      }
      if (args.modelName != null) checkText(args.modelName, 'modelName');
      for (const alias of args.aliases ?? []) checkText(alias, 'aliases');
      const filter: RegistryEventFilter = {
        modelName: args.modelName,
        aliases: args.aliases,
        actions: args.actions as AuditAction[] | null | undefined,
      };
      return mapIterator(await openEvents(ctx, filter, args.afterSequence ?? null), (event) =>
        ctx.access.canSee(event.modelName) ? event : undefined,
      );
    },
    resolve: (event) => event,
  }),
);

interface AliasState {
  alias: ModelAlias | null;
  /** The rows the alias pointed at when the event was read, so the payload resolves even if they go meanwhile. */
  rows?: { model: RegisteredModel; version: ModelVersion };
}

builder.subscriptionField('aliasChanged', (t) =>
  t.field({
    type: ModelAliasRef,
    nullable: true,
    description:
      "The alias's new state each time it is set, moved or removed (null when removed, also when its version or model is deleted). Follows the model across renames.",
    args: {
      name: t.arg.string({ required: true, description: 'The registered model (any name it ever bore).' }),
      alias: t.arg.string({ required: true, description: 'The alias to watch.' }),
    },
    subscribe: async (_root, args, ctx) => {
      checkText(args.name, 'name');
      checkText(args.alias, 'alias');
      // Whether the alias exists now: a model deletion only reports a change if it did.
      const current = await ctx.reads.alias(args.name, args.alias);
      let exists = current !== null;
      const events = await openEvents(ctx, { modelName: args.name, actions: ['ALIAS_SET', 'ALIAS_DELETED', 'MODEL_DELETED'] }, null);
      return mapIterator<AuditEvent, AliasState>(events, async (event) => {
        if (!ctx.access.canSee(event.modelName)) return undefined;
        if (event.action === 'MODEL_DELETED' || event.action === 'ALIAS_DELETED') {
          if (event.action === 'ALIAS_DELETED' && event.alias !== args.alias) return undefined;
          if (!exists) return undefined;
          exists = false;
          return { alias: null };
        }
        if (event.alias !== args.alias || event.version == null) return undefined;
        const version = await ctx.reads.versionWithModel(event.modelId, event.version);
        // Gone already: its deletion recorded ALIAS_DELETED (or MODEL_DELETED), which comes next.
        if (!version) return undefined;
        exists = true;
        const { model, ...versionRow } = version;
        return {
          alias: { modelId: event.modelId, alias: args.alias, versionId: version.id, updatedAt: event.at },
          rows: { model, version: versionRow },
        };
      });
    },
    resolve: (state: AliasState, _args, ctx) => {
      // ctx.loaders are this event's own (see the header): priming them cannot leak into the next event.
      if (state.rows) {
        ctx.loaders.primeModels([state.rows.model]);
        ctx.loaders.primeVersions([state.rows.version]);
      }
      return state.alias;
    },
  }),
);

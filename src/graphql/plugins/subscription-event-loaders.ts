// A subscription's context lives as long as the subscription, but DataLoaders cache for their
// whole life: sharing one set across events would answer an event's nested fields (model.aliases,
// version.tags) as of the first event that loaded them. envelop's per-event context gives every
// event a copy of the subscription's context with new loaders, for every subscription field at
// once, over SSE and graphql-ws alike (both run operations through yoga's envelop).
//
// The plugin replaces envelop's subscribe with its own port of graphql-js's, whose events run
// through graphql-js's execute: graphql-jit does not apply, which costs nothing as long as
// performance.ts keeps subscriptions out of jit. It must come after the jit plugin in the list,
// so that if jit ever took subscriptions, fresh loaders would still win over a faster stale answer.
import { useExtendContextValuePerExecuteSubscriptionEvent } from '@envelop/execute-subscription-event';
import type { Plugin, YogaInitialContext } from 'graphql-yoga';
import type { GraphQLContext } from '../context.ts';
import { createLoaders } from '../loaders.ts';

export function useFreshLoadersPerSubscriptionEvent(): Plugin<YogaInitialContext & GraphQLContext> {
  return useExtendContextValuePerExecuteSubscriptionEvent<YogaInitialContext & GraphQLContext>(({ args }) => ({
    contextPartial: { loaders: createLoaders((args.contextValue as GraphQLContext).reads) },
  }));
}

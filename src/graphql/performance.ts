// Execution speed: queries and mutations run through graphql-jit, which compiles each document
// once (yoga's parser cache hands back the same document object, the compiled query is cached
// on it) instead of interpreting the tree of fields for every row of every request. Measured by
// `npm run bench` (see BENCHMARKS.md): it roughly halves the CPU time of a 100-model dashboard.
import { useGraphQlJit } from '@envelop/graphql-jit';
import { Kind, type OperationDefinitionNode } from 'graphql';

export function performancePlugins() {
  return [
    useGraphQlJit(
      // Strings, numbers, booleans and enum values go into the response as the resolvers return
      // them, without graphql-js's coercion call per leaf (about 17,000 per dashboard). Resolvers
      // are typed by Pothos to return exactly those types; DateTime is still serialized.
      { disableLeafSerialization: true },
      {
        // The compiled query is cached per document, whatever operationName selected: only
        // single-operation documents may share it. Subscriptions stay with graphql-js, whose
        // execute runs each of their events (plugins/subscription-event-loaders.ts replaces subscribe).
        enableIf: ({ document }) => {
          const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
          return operations.length === 1 && operations[0].operation !== 'subscription';
        },
      },
    ),
  ];
}

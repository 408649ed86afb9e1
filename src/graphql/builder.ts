// The one Pothos builder. Every GraphQL type is defined through it in src/graphql/schema/*.
//
// No Pothos plugins, for these reasons (checked against @pothos/plugin-relay 4.8 and
// @pothos/plugin-errors 4.9; schema.graphql and test/fixtures/api-contract.graphql are the bar):
//
// - plugin-relay (for connection.ts's connectionType/PageInfo and node.ts's toGlobalId/Node):
//   `t.connection` always adds `last` and `before` to a connection field, which the schema does not
//   have, and its Connection/Edge/PageInfo types expose fields of an object built up front: every
//   page would allocate an edge and encode a cursor per row even when, as on the dashboard, only
//   `nodes` is selected (connectionType computes cursors only for `edges`/`pageInfo`, totalCount only
//   when asked). No BENCHMARKS.md step measured that eager building. Step 7 found the dashboard
//   bound by what each request keeps alive (scavenges per request; GC still 18.5% of its profile),
//   which argues against it; "tried and not kept" found 2,200 promises fewer per dashboard not
//   measurable, so relay's async globalID wrapper per `id` is probably no cost. An `npm run bench`
//   dashboard with edges and cursors built for every page would decide. Its node
//   query would also have to keep node.ts's rules (visibility per token, a forged ID answers null).
// - plugin-errors (for errors.ts's resultUnion/ErrorData/toErrorData): no hot-path cost, since its
//   wrapResolve wraps only fields that declare `errors` (one mutation field per request; no step
//   measured it, the alias-move workload's CPU ms/req would). It is not adopted here because the
//   `errors` option sits on each mutation field (src/graphql/schema/*-mutations.ts, tokens.ts,
//   webhooks.ts, outside this change), each needs `directResult` and its union's name given to
//   print the same schema (the plugin's default is a <Field>Success wrapper with a `data` field),
//   and `run`'s ctx.write (the loaders reset after a command) stays hand-written either way.
//   A candidate for a change that may edit those files, with test/graphql/schema.test.ts as the check.
import SchemaBuilder from '@pothos/core';
import type { GraphQLContext } from './context.ts';

export const builder = new SchemaBuilder<{
  Context: GraphQLContext;
  Scalars: {
    DateTime: { Input: Date; Output: Date };
    ID: { Input: string; Output: string };
  };
  DefaultInputFieldRequiredness: false;
  DefaultFieldNullability: false;
}>({ defaultFieldNullability: false });

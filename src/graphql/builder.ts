// The one Pothos builder. Every GraphQL type is defined through it in src/graphql/schema/*.
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

// schema.graphql -> the introspection type gql.tada reads (src/ui/src/graphql-env.d.ts).
import { buildSchema, introspectionFromSchema } from 'graphql';
import { minifyIntrospection, outputIntrospectionFile } from '@gql.tada/internal';

/** The contents of graphql-env.d.ts for this schema text. */
export function uiSchemaTypes(sdl) {
  const introspection = minifyIntrospection(introspectionFromSchema(buildSchema(sdl)));
  return outputIntrospectionFile(introspection, { fileType: '.d.ts', shouldPreprocess: true });
}

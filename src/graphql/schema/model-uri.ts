import { GraphQLError } from 'graphql';
import { MalformedUriError, parseModelUri } from '../../registry/rules/uri.ts';
import { builder } from '../builder.ts';
import { ModelVersionRef } from './refs.ts';

builder.queryField('resolveModelUri', (t) =>
  t.field({
    type: ModelVersionRef,
    nullable: true,
    description:
      'Resolves models:/<name>/<version>, models:/<name>@<alias> and models:/<name>/latest; null if nothing matches; ' +
      'a malformed URI is a GraphQL error.',
    args: { uri: t.arg.string({ required: true, description: 'The URI, e.g. models:/fraud@champion.' }) },
    resolve: async (_root, { uri }, ctx) => {
      let parsed: ReturnType<typeof parseModelUri>;
      try {
        parsed = parseModelUri(uri);
      } catch (error) {
        if (error instanceof MalformedUriError) throw new GraphQLError(error.message, { extensions: { code: 'BAD_USER_INPUT' } });
        throw error;
      }
      const model = ctx.reads.visible(await ctx.loaders.modelByName.load(parsed.name));
      if (!model) return null;
      switch (parsed.kind) {
        case 'version':
          return ctx.loaders.versionByNumber.load({ modelId: model.id, version: parsed.version });
        case 'latest':
          return ctx.loaders.latestVersion(model.id);
        case 'alias':
          return ctx.loaders.aliasTarget.load({ modelId: model.id, alias: parsed.alias });
      }
    },
  }),
);

import { ModelAliasRef, ModelVersionRef, RegisteredModelRef } from './refs.ts';
import { DateTime } from './scalars.ts';

ModelAliasRef.implement({
  description: 'A mutable named pointer (champion, production, ...) to exactly one version of a model.',
  fields: (t) => ({
    alias: t.exposeString('alias', { description: 'The alias name: letters, digits, `_` and `-`, 1-255 characters.' }),
    model: t.field({
      type: RegisteredModelRef,
      description: 'The model the alias belongs to.',
      resolve: async (a, _args, ctx) => (await ctx.loaders.modelById.load(a.modelId))!,
    }),
    version: t.field({
      type: ModelVersionRef,
      description: 'The version the alias points to.',
      resolve: async (a, _args, ctx) => (await ctx.loaders.versionById.load(a.versionId))!,
    }),
    updatedAt: t.field({ type: DateTime, description: 'When the alias last moved.', resolve: (a) => a.updatedAt }),
  }),
});

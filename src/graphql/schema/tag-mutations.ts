import type { ModelTagResult, VersionTagResult } from '../../registry/commands/tags.ts';
import { builder } from '../builder.ts';
import { NotFoundErrorRef, ValidationErrorRef, resultUnion } from './errors.ts';
import { ModelVersionRef, RegisteredModelRef, TagRef } from './refs.ts';

const RegisteredModelTagPayloadRef = builder.objectRef<ModelTagResult>('RegisteredModelTagPayload').implement({
  description: 'A model tag change.',
  fields: (t) => ({
    registeredModel: t.field({ type: RegisteredModelRef, description: 'The model.', resolve: (p) => p.registeredModel }),
    tag: t.field({ type: TagRef, description: 'The tag as set, or the removed tag for deletes.', resolve: (p) => p.tag }),
  }),
});

const ModelVersionTagPayloadRef = builder.objectRef<VersionTagResult>('ModelVersionTagPayload').implement({
  description: 'A version tag change.',
  fields: (t) => ({
    modelVersion: t.field({ type: ModelVersionRef, description: 'The version.', resolve: (p) => p.modelVersion }),
    tag: t.field({ type: TagRef, description: 'The tag as set, or the removed tag for deletes.', resolve: (p) => p.tag }),
  }),
});

const modelName = 'The model name.';
const tagKey = 'The tag key (1-250 characters of letters, digits, `_ - . / :` and space; no empty path segments).';

const SetModelTagInput = builder.inputType('SetRegisteredModelTagInput', {
  description: 'A tag to set on a model.',
  fields: (t) => ({
    name: t.string({ required: true, description: modelName }),
    key: t.string({ required: true, description: tagKey }),
    value: t.string({ required: true, description: 'The value (up to 100,000 characters, may be empty).' }),
  }),
});
const DeleteModelTagInput = builder.inputType('DeleteRegisteredModelTagInput', {
  description: 'A tag to remove from a model.',
  fields: (t) => ({
    name: t.string({ required: true, description: modelName }),
    key: t.string({ required: true, description: 'The tag key.' }),
  }),
});
const SetVersionTagInput = builder.inputType('SetModelVersionTagInput', {
  description: 'A tag to set on a version.',
  fields: (t) => ({
    name: t.string({ required: true, description: modelName }),
    version: t.int({ required: true, description: 'The version number.' }),
    key: t.string({ required: true, description: tagKey }),
    value: t.string({ required: true, description: 'The value (up to 100,000 characters, may be empty).' }),
  }),
});
const DeleteVersionTagInput = builder.inputType('DeleteModelVersionTagInput', {
  description: 'A tag to remove from a version.',
  fields: (t) => ({
    name: t.string({ required: true, description: modelName }),
    version: t.int({ required: true, description: 'The version number.' }),
    key: t.string({ required: true, description: 'The tag key.' }),
  }),
});

const setModelTag = resultUnion<ModelTagResult>(
  'SetRegisteredModelTagResult',
  'The tag as set, or why it was not.',
  RegisteredModelTagPayloadRef,
  [ValidationErrorRef, NotFoundErrorRef],
);
const deleteModelTag = resultUnion<ModelTagResult>(
  'DeleteRegisteredModelTagResult',
  'The removed tag, or why nothing was removed.',
  RegisteredModelTagPayloadRef,
  [NotFoundErrorRef],
);
const setVersionTag = resultUnion<VersionTagResult>(
  'SetModelVersionTagResult',
  'The tag as set, or why it was not.',
  ModelVersionTagPayloadRef,
  [ValidationErrorRef, NotFoundErrorRef],
);
const deleteVersionTag = resultUnion<VersionTagResult>(
  'DeleteModelVersionTagResult',
  'The removed tag, or why nothing was removed.',
  ModelVersionTagPayloadRef,
  [NotFoundErrorRef],
);

builder.mutationFields((t) => ({
  setRegisteredModelTag: t.field({
    type: setModelTag.union,
    description: 'Sets (adds or overwrites) a tag on a model.',
    args: { input: t.arg({ type: SetModelTagInput, required: true, description: 'The tag.' }) },
    resolve: (_root, { input }, ctx) => setModelTag.run(ctx, () => ctx.registry.setRegisteredModelTag(ctx.access, input)),
  }),
  deleteRegisteredModelTag: t.field({
    type: deleteModelTag.union,
    description: 'Removes a tag from a model; NotFoundError when it is not there.',
    args: { input: t.arg({ type: DeleteModelTagInput, required: true, description: 'The tag.' }) },
    resolve: (_root, { input }, ctx) => deleteModelTag.run(ctx, () => ctx.registry.deleteRegisteredModelTag(ctx.access, input)),
  }),
  setModelVersionTag: t.field({
    type: setVersionTag.union,
    description: 'Sets (adds or overwrites) a tag on a version.',
    args: { input: t.arg({ type: SetVersionTagInput, required: true, description: 'The tag.' }) },
    resolve: (_root, { input }, ctx) => setVersionTag.run(ctx, () => ctx.registry.setModelVersionTag(ctx.access, input)),
  }),
  deleteModelVersionTag: t.field({
    type: deleteVersionTag.union,
    description: 'Removes a tag from a version; NotFoundError when it is not there.',
    args: { input: t.arg({ type: DeleteVersionTagInput, required: true, description: 'The tag.' }) },
    resolve: (_root, { input }, ctx) => deleteVersionTag.run(ctx, () => ctx.registry.deleteModelVersionTag(ctx.access, input)),
  }),
}));

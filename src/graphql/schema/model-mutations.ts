import type { RegisteredModel } from '../../generated/prisma/client.ts';
import { builder } from '../builder.ts';
import { AlreadyExistsErrorRef, NotFoundErrorRef, ValidationErrorRef, resultUnion } from './errors.ts';
import { RegisteredModelRef } from './refs.ts';
import { TagInputRef } from './tag.ts';

const RegisteredModelPayloadRef = builder.objectRef<{ registeredModel: RegisteredModel }>('RegisteredModelPayload').implement({
  description: 'The model as the mutation left it.',
  fields: (t) => ({
    registeredModel: t.field({ type: RegisteredModelRef, description: 'The model.', resolve: (p) => p.registeredModel }),
  }),
});

const DeleteRegisteredModelPayloadRef = builder
  .objectRef<{ name: string; deletedVersions: number }>('DeleteRegisteredModelPayload')
  .implement({
    description: 'What a model deletion removed.',
    fields: (t) => ({
      name: t.exposeString('name', { description: 'The name of the deleted model (free for reuse now).' }),
      deletedVersions: t.exposeInt('deletedVersions', { description: 'How many versions were deleted with it.' }),
    }),
  });

const CreateInput = builder.inputType('CreateRegisteredModelInput', {
  description: 'A new model.',
  fields: (t) => ({
    name: t.string({
      required: true,
      description: 'Unique name: 1-256 characters, no `/`, `:`, control characters or surrounding spaces.',
    }),
    description: t.string({ description: 'Free text, up to 65,536 characters.' }),
    tags: t.field({ type: [TagInputRef], description: 'Tags to set at creation, keys unique.' }),
    idempotencyKey: t.string({
      description:
        'Makes retries safe: a retry with the same key and input returns the first result without writing again; the same key with another input is a ValidationError. Keys are per token and expire (default after 24 hours).',
    }),
  }),
});

const UpdateInput = builder.inputType('UpdateRegisteredModelInput', {
  description: "Changes to a model's description.",
  fields: (t) => ({
    name: t.string({ required: true, description: 'The model to change.' }),
    description: t.string({ description: 'The new description; null clears it; omitted leaves it as it is.' }),
  }),
});

const RenameInput = builder.inputType('RenameRegisteredModelInput', {
  description: 'A rename.',
  fields: (t) => ({
    name: t.string({ required: true, description: 'The current name.' }),
    newName: t.string({ required: true, description: 'The new name (same rules as at creation).' }),
  }),
});

const DeleteInput = builder.inputType('DeleteRegisteredModelInput', {
  description: 'The model to delete.',
  fields: (t) => ({ name: t.string({ required: true, description: 'The model name.' }) }),
});

const create = resultUnion<{ registeredModel: RegisteredModel }>(
  'CreateRegisteredModelResult',
  'The new model, or why it was not created (NotFoundError: an idempotent retry whose model was deleted since).',
  RegisteredModelPayloadRef,
  [ValidationErrorRef, AlreadyExistsErrorRef, NotFoundErrorRef],
);
const update = resultUnion<{ registeredModel: RegisteredModel }>(
  'UpdateRegisteredModelResult',
  'The updated model, or why it was not updated.',
  RegisteredModelPayloadRef,
  [ValidationErrorRef, NotFoundErrorRef],
);
const rename = resultUnion<{ registeredModel: RegisteredModel }>(
  'RenameRegisteredModelResult',
  'The renamed model, or why it was not renamed.',
  RegisteredModelPayloadRef,
  [ValidationErrorRef, NotFoundErrorRef, AlreadyExistsErrorRef],
);
const remove = resultUnion<{ name: string; deletedVersions: number }>(
  'DeleteRegisteredModelResult',
  'What was deleted, or why nothing was.',
  DeleteRegisteredModelPayloadRef,
  [NotFoundErrorRef],
);

builder.mutationFields((t) => ({
  createRegisteredModel: t.field({
    type: create.union,
    description: 'Creates a model, with optional description and tags.',
    args: { input: t.arg({ type: CreateInput, required: true, description: 'The new model.' }) },
    resolve: (_root, { input }, ctx) => create.run(ctx, () => ctx.registry.createRegisteredModel(ctx.access, input)),
  }),
  updateRegisteredModel: t.field({
    type: update.union,
    description: "Changes a model's description.",
    args: { input: t.arg({ type: UpdateInput, required: true, description: 'The change.' }) },
    resolve: (_root, { input }, ctx) => update.run(ctx, () => ctx.registry.updateRegisteredModel(ctx.access, input)),
  }),
  renameRegisteredModel: t.field({
    type: rename.union,
    description: 'Renames a model; its versions, tags, aliases and history follow it.',
    args: { input: t.arg({ type: RenameInput, required: true, description: 'Old and new name.' }) },
    resolve: (_root, { input }, ctx) => rename.run(ctx, () => ctx.registry.renameRegisteredModel(ctx.access, input)),
  }),
  deleteRegisteredModel: t.field({
    type: remove.union,
    description: 'Deletes a model with its versions, tags and aliases; its history stays readable.',
    args: { input: t.arg({ type: DeleteInput, required: true, description: 'The model to delete.' }) },
    resolve: (_root, { input }, ctx) => remove.run(ctx, () => ctx.registry.deleteRegisteredModel(ctx.access, input)),
  }),
}));

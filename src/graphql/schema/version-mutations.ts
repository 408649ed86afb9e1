import type { VersionChange } from '../../registry/commands/versions.ts';
import { builder } from '../builder.ts';
import { NotFoundErrorRef, ValidationErrorRef, resultUnion } from './errors.ts';
import { ModelVersionStageRef, ModelVersionStatusRef } from './model-version.ts';
import { ModelVersionRef } from './refs.ts';
import { TagInputRef } from './tag.ts';

const ModelVersionPayloadRef = builder.objectRef<VersionChange>('ModelVersionPayload').implement({
  description: 'The version as the mutation left it.',
  fields: (t) => ({
    modelVersion: t.field({ type: ModelVersionRef, description: 'The version.', resolve: (p) => p.modelVersion }),
  }),
});

const DeleteModelVersionPayloadRef = builder
  .objectRef<{ name: string; version: number; removedAliases: string[] }>('DeleteModelVersionPayload')
  .implement({
    description: 'What a version deletion removed.',
    fields: (t) => ({
      name: t.exposeString('name', { description: 'The model name.' }),
      version: t.exposeInt('version', { description: 'The deleted version number (never handed out again).' }),
      removedAliases: t.exposeStringList('removedAliases', {
        description: 'Aliases that pointed at the version and were removed with it, sorted.',
      }),
    }),
  });

const CreateInput = builder.inputType('CreateModelVersionInput', {
  description: 'A new version of an existing model.',
  fields: (t) => ({
    name: t.string({ required: true, description: 'The model to add a version to.' }),
    source: t.string({ required: true, description: 'Where the artifacts live (1-4,096 characters), e.g. s3://bucket/path.' }),
    runId: t.string({ description: 'The run that produced it (up to 256 characters).' }),
    runLink: t.string({ description: 'A link to that run (up to 4,096 characters).' }),
    description: t.string({ description: 'Free text, up to 65,536 characters.' }),
    tags: t.field({ type: [TagInputRef], description: 'Tags to set at registration, keys unique.' }),
    idempotencyKey: t.string({
      description:
        'Makes retries safe: a retry with the same key and input returns the first result without writing again; the same key with another input is a ValidationError. Keys are per token and expire (default after 24 hours).',
    }),
  }),
});

const UpdateInput = builder.inputType('UpdateModelVersionInput', {
  description: 'Changes to a version; omitted fields stay as they are.',
  fields: (t) => ({
    name: t.string({ required: true, description: 'The model name.' }),
    version: t.int({ required: true, description: 'The version number.' }),
    description: t.string({ description: 'The new description; null clears it.' }),
    status: t.field({ type: ModelVersionStatusRef, description: 'The new status.' }),
    statusMessage: t.string({ description: 'The new status message (up to 4,096 characters); null clears it.' }),
  }),
});

const TransitionStageInput = builder.inputType('TransitionModelVersionStageInput', {
  description: "A version's move to another of MLflow's legacy stages.",
  fields: (t) => ({
    name: t.string({ required: true, description: 'The model name.' }),
    version: t.int({ required: true, description: 'The version number.' }),
    stage: t.field({ type: ModelVersionStageRef, required: true, description: 'The stage to move the version to.' }),
    archiveExistingVersions: t.boolean({
      description:
        "Also moves the model's other versions in that stage to ARCHIVED (each recorded as its own VERSION_STAGE_CHANGED). Only into STAGING or PRODUCTION; otherwise a ValidationError.",
    }),
  }),
});

const DeleteInput = builder.inputType('DeleteModelVersionInput', {
  description: 'The version to delete.',
  fields: (t) => ({
    name: t.string({ required: true, description: 'The model name.' }),
    version: t.int({ required: true, description: 'The version number.' }),
  }),
});

const create = resultUnion<VersionChange>(
  'CreateModelVersionResult',
  'The new version, or why it was not registered.',
  ModelVersionPayloadRef,
  [ValidationErrorRef, NotFoundErrorRef],
);
const update = resultUnion<VersionChange>(
  'UpdateModelVersionResult',
  'The updated version, or why it was not updated.',
  ModelVersionPayloadRef,
  [ValidationErrorRef, NotFoundErrorRef],
);
const transition = resultUnion<VersionChange>(
  'TransitionModelVersionStageResult',
  'The version in its new stage, or why it was not moved.',
  ModelVersionPayloadRef,
  [ValidationErrorRef, NotFoundErrorRef],
);
const remove = resultUnion<{ name: string; version: number; removedAliases: string[] }>(
  'DeleteModelVersionResult',
  'What was deleted, or why nothing was.',
  DeleteModelVersionPayloadRef,
  [NotFoundErrorRef],
);

builder.mutationFields((t) => ({
  createModelVersion: t.field({
    type: create.union,
    description: 'Registers the next version (highest number ever used + 1).',
    args: { input: t.arg({ type: CreateInput, required: true, description: 'The new version.' }) },
    resolve: (_root, { input }, ctx) => create.run(ctx, () => ctx.registry.createModelVersion(ctx.access, input)),
  }),
  updateModelVersion: t.field({
    type: update.union,
    description: "Changes a version's description, status or status message.",
    args: { input: t.arg({ type: UpdateInput, required: true, description: 'The change.' }) },
    resolve: (_root, { input }, ctx) => update.run(ctx, () => ctx.registry.updateModelVersion(ctx.access, input)),
  }),
  transitionModelVersionStage: t.field({
    type: transition.union,
    description:
      "Moves a version to another of MLflow's legacy stages (MLflow's transition-stage). Moving it to the stage it is in records nothing.",
    args: { input: t.arg({ type: TransitionStageInput, required: true, description: 'The transition.' }) },
    resolve: (_root, { input }, ctx) => transition.run(ctx, () => ctx.registry.transitionModelVersionStage(ctx.access, input)),
  }),
  deleteModelVersion: t.field({
    type: remove.union,
    description: 'Deletes a version and the aliases pointing at it; the number is never reused.',
    args: { input: t.arg({ type: DeleteInput, required: true, description: 'The version to delete.' }) },
    resolve: (_root, { input }, ctx) => remove.run(ctx, () => ctx.registry.deleteModelVersion(ctx.access, input)),
  }),
}));

import type { DeleteAliasResult, SetAliasResult } from '../../registry/commands/aliases.ts';
import { builder } from '../builder.ts';
import { ConflictErrorRef, NotFoundErrorRef, ValidationErrorRef, resultUnion } from './errors.ts';
import { ModelAliasRef, ModelVersionRef, RegisteredModelRef } from './refs.ts';

const SetModelAliasPayloadRef = builder.objectRef<SetAliasResult>('SetModelAliasPayload').implement({
  description: 'An alias after it was set.',
  fields: (t) => ({
    alias: t.field({ type: ModelAliasRef, description: 'The alias as it is now.', resolve: (p) => p.alias }),
    previousVersion: t.field({
      type: ModelVersionRef,
      nullable: true,
      description: 'Where the alias pointed before; null if it is new or did not move.',
      resolve: (p) => p.previousVersion,
    }),
    changed: t.exposeBoolean('changed', {
      description: 'False when the alias already pointed at that version (nothing changed, nothing recorded).',
    }),
  }),
});

const DeleteModelAliasPayloadRef = builder.objectRef<DeleteAliasResult>('DeleteModelAliasPayload').implement({
  description: 'An alias that was removed.',
  fields: (t) => ({
    alias: t.exposeString('alias', { description: 'The removed alias.' }),
    registeredModel: t.field({ type: RegisteredModelRef, description: 'Its model.', resolve: (p) => p.registeredModel }),
    previousVersion: t.field({
      type: ModelVersionRef,
      nullable: true,
      description: 'The version it pointed to.',
      resolve: (p) => p.previousVersion,
    }),
  }),
});

const expectedVersion = 'Compare-and-set: act only if the alias now points to this version; 0 means only if it does not exist yet.';

const SetInput = builder.inputType('SetModelAliasInput', {
  description: 'Point an alias at a version.',
  fields: (t) => ({
    name: t.string({ required: true, description: 'The model name.' }),
    alias: t.string({
      required: true,
      description: 'The alias: letters, digits, `_` and `-`, 1-255 characters; not `latest` nor v<digits>.',
    }),
    version: t.int({ required: true, description: 'The version number to point at.' }),
    expectedVersion: t.int({
      description: expectedVersion,
    }),
  }),
});

const DeleteInput = builder.inputType('DeleteModelAliasInput', {
  description: 'An alias to remove.',
  fields: (t) => ({
    name: t.string({ required: true, description: 'The model name.' }),
    alias: t.string({ required: true, description: 'The alias.' }),
    expectedVersion: t.int({ description: expectedVersion }),
  }),
});

const set = resultUnion<SetAliasResult>('SetModelAliasResult', 'The alias as set, or why it was not.', SetModelAliasPayloadRef, [
  ValidationErrorRef,
  NotFoundErrorRef,
  ConflictErrorRef,
]);
const remove = resultUnion<DeleteAliasResult>(
  'DeleteModelAliasResult',
  'The removed alias, or why nothing was removed.',
  DeleteModelAliasPayloadRef,
  [NotFoundErrorRef, ConflictErrorRef],
);

builder.mutationFields((t) => ({
  setModelAlias: t.field({
    type: set.union,
    description: 'Points an alias at a version, creating it or moving it from another version.',
    args: { input: t.arg({ type: SetInput, required: true, description: 'The alias and its target.' }) },
    resolve: (_root, { input }, ctx) => set.run(ctx, () => ctx.registry.setModelAlias(ctx.access, input)),
  }),
  deleteModelAlias: t.field({
    type: remove.union,
    description: 'Removes an alias; NotFoundError when it does not exist.',
    args: { input: t.arg({ type: DeleteInput, required: true, description: 'The alias.' }) },
    resolve: (_root, { input }, ctx) => remove.run(ctx, () => ctx.registry.deleteModelAlias(ctx.access, input)),
  }),
}));

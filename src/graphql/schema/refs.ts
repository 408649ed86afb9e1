// References to the object types, declared before any is implemented so that the type families
// (one file each) can point at one another without import cycles.
import type { AuditEvent, ModelAlias, ModelVersion, RegisteredModel } from '../../generated/prisma/client.ts';
import type { TagInput } from '../../registry/commands/models.ts';
import { builder } from '../builder.ts';
import { connectionType } from './connection.ts';

export const RegisteredModelRef = builder.objectRef<RegisteredModel>('RegisteredModel');
export const ModelVersionRef = builder.objectRef<ModelVersion>('ModelVersion');
export const ModelAliasRef = builder.objectRef<ModelAlias>('ModelAlias');
export const AuditEventRef = builder.objectRef<AuditEvent>('AuditEvent');
export const TagRef = builder.objectRef<TagInput>('Tag');

export const RegisteredModelConnectionRef = connectionType<RegisteredModel>('RegisteredModel', RegisteredModelRef, {
  description: '`first` defaults to 20 and must be 1..100; `after` takes an endCursor from an earlier page.',
  nodeDescription: 'The registered model.',
  totalCountDescription: 'How many models match the filter, on all pages.',
});

export const ModelVersionConnectionRef = connectionType<ModelVersion>('ModelVersion', ModelVersionRef, {
  description: 'A page of model versions; `first` defaults to 20 and must be 1..100.',
  nodeDescription: 'The model version.',
  totalCountDescription: 'How many versions match the filter, on all pages.',
});

export const AuditEventConnectionRef = connectionType<AuditEvent>('AuditEvent', AuditEventRef, {
  description: 'A page of recorded changes, newest first; `first` defaults to 20 and must be 1..100.',
  nodeDescription: 'The recorded change.',
});

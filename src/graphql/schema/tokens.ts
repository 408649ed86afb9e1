// API token management for admins: create (the secret is shown once), revoke, list.
import type { ApiToken } from '../../generated/prisma/client.ts';
import { isActive } from '../../auth/tokens.ts';
import { builder } from '../builder.ts';
import { AlreadyExistsErrorRef, NotFoundErrorRef, ValidationErrorRef, resultUnion } from './errors.ts';
import { DateTime } from './scalars.ts';

export const ApiTokenRoleRef = builder.enumType('ApiTokenRole', {
  description: 'What a token may do.',
  values: {
    READER: { description: 'Queries only.' },
    WRITER: { description: 'Queries and registry mutations (within its models; protected aliases need promote).' },
    ADMIN: { description: 'Everything, including token management.' },
  } as const,
});

const ApiTokenRef = builder.objectRef<ApiToken>('ApiToken').implement({
  description: 'A bearer token, without its secret (only a hash of it is stored).',
  fields: (t) => ({
    name: t.exposeString('name', { description: 'Unique name; the actor recorded in every change made with the token.' }),
    role: t.field({ type: ApiTokenRoleRef, description: 'What the token may do.', resolve: (k) => k.role }),
    models: t.stringList({
      nullable: true,
      description: 'Model-name patterns (`*` matches any characters) the token may see and change; null: every model.',
      resolve: (k) => (k.modelPatterns === null ? null : k.modelPatterns.split('\n')),
    }),
    promote: t.exposeBoolean('promote', { description: 'Whether the token may set and delete protected aliases.' }),
    createdAt: t.field({ type: DateTime, description: 'When the token was created.', resolve: (k) => k.createdAt }),
    createdBy: t.exposeString('createdBy', { nullable: true, description: 'The token that created it; null for the CLI or anonymous.' }),
    expiresAt: t.field({ type: DateTime, nullable: true, description: 'When it stops working; null: never.', resolve: (k) => k.expiresAt }),
    lastUsedAt: t.field({
      type: DateTime,
      nullable: true,
      description: 'When it was last used (to the minute); null: never.',
      resolve: (k) => k.lastUsedAt,
    }),
    revokedAt: t.field({
      type: DateTime,
      nullable: true,
      description: 'When it was revoked; null: not revoked.',
      resolve: (k) => k.revokedAt,
    }),
    active: t.boolean({ description: 'Neither revoked nor expired.', resolve: (k) => isActive(k) }),
  }),
});

const CreatePayloadRef = builder.objectRef<{ token: ApiToken; secret: string }>('CreateApiTokenPayload').implement({
  description: 'A new token and its secret.',
  fields: (t) => ({
    token: t.field({ type: ApiTokenRef, description: 'The token.', resolve: (p) => p.token }),
    secret: t.exposeString('secret', {
      description: 'The bearer secret. Shown only now: the registry keeps only its hash.',
    }),
  }),
});

const RevokePayloadRef = builder.objectRef<{ token: ApiToken }>('RevokeApiTokenPayload').implement({
  description: 'A revoked token.',
  fields: (t) => ({ token: t.field({ type: ApiTokenRef, description: 'The token, now revoked.', resolve: (p) => p.token }) }),
});

const CreateInput = builder.inputType('CreateApiTokenInput', {
  description: 'A new token.',
  fields: (t) => ({
    name: t.string({ required: true, description: 'Unique name, 1-100 letters, digits, `.`, `_`, `@`, `-`; recorded as the actor.' }),
    role: t.field({ type: ApiTokenRoleRef, required: true, description: 'What it may do.' }),
    models: t.stringList({ description: 'Model-name patterns it is limited to, e.g. ["fraud-*"]; omitted: every model.' }),
    promote: t.boolean({ description: 'May set and delete protected aliases (default false).' }),
    expiresAt: t.field({ type: DateTime, description: 'When it stops working; omitted: never.' }),
  }),
});

const RevokeInput = builder.inputType('RevokeApiTokenInput', {
  description: 'The token to revoke.',
  fields: (t) => ({ name: t.string({ required: true, description: 'The token name.' }) }),
});

const create = resultUnion<{ token: ApiToken; secret: string }>(
  'CreateApiTokenResult',
  'The new token, or why it was not created.',
  CreatePayloadRef,
  [ValidationErrorRef, AlreadyExistsErrorRef],
);
const revoke = resultUnion<{ token: ApiToken }>('RevokeApiTokenResult', 'The revoked token, or why not.', RevokePayloadRef, [
  NotFoundErrorRef,
]);

builder.mutationFields((t) => ({
  createApiToken: t.field({
    type: create.union,
    description: 'Creates a bearer token (admin only). The secret is in the payload, once.',
    args: { input: t.arg({ type: CreateInput, required: true, description: 'The token.' }) },
    resolve: (_root, { input }, ctx) => create.run(ctx, () => ctx.registry.createApiToken(ctx.access, input)),
  }),
  revokeApiToken: t.field({
    type: revoke.union,
    description: 'Revokes a token at once, on every replica (admin only).',
    args: { input: t.arg({ type: RevokeInput, required: true, description: 'The token.' }) },
    resolve: (_root, { input }, ctx) => revoke.run(ctx, () => ctx.registry.revokeApiToken(ctx.access, input)),
  }),
}));

builder.queryField('apiTokens', (t) =>
  t.field({
    type: [ApiTokenRef],
    description: 'Every token, revoked and expired ones included, by name (admin only; a scoped admin sees only tokens within its models).',
    resolve: (_root, _args, ctx) => ctx.registry.apiTokens(ctx.access),
  }),
);

// Global object identification: opaque IDs that Query.node resolves, for every Node type.
import type { AuditEvent, ModelVersion, RegisteredModel } from '../../generated/prisma/client.ts';
import { builder } from '../builder.ts';

type NodeTypeName = 'RegisteredModel' | 'ModelVersion' | 'AuditEvent';
type NodeShape = RegisteredModel | ModelVersion | AuditEvent;

export function toGlobalId(type: NodeTypeName, id: number): string {
  return Buffer.from(`${type}:${id}`).toString('base64');
}

export function fromGlobalId(globalId: string): { type: NodeTypeName; id: number } | null {
  const match = /^(RegisteredModel|ModelVersion|AuditEvent):([1-9]\d{0,9})$/.exec(Buffer.from(globalId, 'base64').toString('utf8'));
  if (!match) return null;
  const target = { type: match[1] as NodeTypeName, id: Number(match[2]) };
  // Base64 decoding skips stray characters; only the exact encoding we hand out is an ID.
  return target.id <= 2 ** 31 - 1 && toGlobalId(target.type, target.id) === globalId ? target : null;
}

export const NodeRef = builder.interfaceRef<NodeShape>('Node').implement({
  description: 'Anything with a global, opaque ID that `Query.node` resolves.',
  fields: (t) => ({
    id: t.id({
      description: 'Globally unique, opaque identifier; stable for the life of the object.',
      resolve: (node) => {
        if ('sequence' in node) return toGlobalId('AuditEvent', node.sequence);
        if ('source' in node) return toGlobalId('ModelVersion', node.id);
        return toGlobalId('RegisteredModel', node.id);
      },
    }),
  }),
});

builder.queryField('node', (t) =>
  t.field({
    type: NodeRef,
    nullable: true,
    description: 'Fetches any object by its global ID; null when it does not exist (any more).',
    args: { id: t.arg.id({ required: true, description: "A global ID as returned by a Node type's `id` field." }) },
    resolve: async (_root, { id }, ctx) => {
      const target = fromGlobalId(id);
      if (!target) return null;
      switch (target.type) {
        case 'RegisteredModel':
          return ctx.reads.visible(await ctx.loaders.modelById.load(target.id));
        case 'ModelVersion': {
          const version = await ctx.loaders.versionById.load(target.id);
          return version && ctx.reads.visible(await ctx.loaders.modelById.load(version.modelId)) ? version : null;
        }
        case 'AuditEvent': {
          return ctx.reads.event(target.id);
        }
      }
    },
  }),
);

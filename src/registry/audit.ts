// Appends history. Called only from registry writes, inside their transaction.
import type { AuditAction } from '../generated/prisma/client.ts';
import type { WriteContext } from './context.ts';

export interface EventDetails {
  version?: number | null;
  previousVersion?: number | null;
  alias?: string | null;
  key?: string | null;
  previousValue?: string | null;
  newValue?: string | null;
}

export async function recordEvent(
  ctx: WriteContext,
  model: { id: number; name: string },
  action: AuditAction,
  details: EventDetails = {},
): Promise<void> {
  await ctx.tx.auditEvent.create({
    data: { at: ctx.now, actor: ctx.actor, action, modelId: model.id, modelName: model.name, ...details },
  });
}

export async function recordEvents(
  ctx: WriteContext,
  model: { id: number; name: string },
  events: ReadonlyArray<{ action: AuditAction } & EventDetails>,
): Promise<void> {
  if (events.length === 0) return;
  await ctx.tx.auditEvent.createMany({
    data: events.map((e) => ({ at: ctx.now, actor: ctx.actor, modelId: model.id, modelName: model.name, ...e })),
  });
}

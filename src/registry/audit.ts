// Appends history. Called only from registry writes, inside their transaction.
import { type AuditAction, Prisma } from '../generated/prisma/client.ts';
import type { WriteContext } from './context.ts';

export interface EventDetails {
  version?: number | null;
  previousVersion?: number | null;
  alias?: string | null;
  key?: string | null;
  previousValue?: string | null;
  newValue?: string | null;
}

/** The INSERT of one event, for a write that sends it inside a larger statement (a CTE). */
export function eventInsertSql(
  ctx: Omit<WriteContext, 'tx'>,
  model: { id: number; name: string },
  action: AuditAction,
  details: EventDetails = {},
): Prisma.Sql {
  return Prisma.sql`INSERT INTO audit_event
      (at, actor, action, model_id, model_name, version, previous_version, alias, key, previous_value, new_value)
    VALUES (${ctx.now.toISOString()}::timestamptz, ${ctx.actor}, ${action}::"AuditAction", ${model.id}, ${model.name},
      ${details.version ?? null}::int, ${details.previousVersion ?? null}::int, ${details.alias ?? null}, ${details.key ?? null},
      ${details.previousValue ?? null}, ${details.newValue ?? null})`;
}

export async function recordEvent(
  ctx: WriteContext,
  model: { id: number; name: string },
  action: AuditAction,
  details: EventDetails = {},
): Promise<void> {
  await ctx.tx.$executeRaw(eventInsertSql(ctx, model, action, details));
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

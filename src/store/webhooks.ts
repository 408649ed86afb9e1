// Webhooks and their delivery log (the rules are src/webhooks/webhooks.ts; deliveries made by the
// dispatcher, src/webhooks/dispatcher.ts, which keeps its own statements for its queue).
import type { Webhook, WebhookDelivery } from '../generated/prisma/client.ts';
import { type Reader, type Tx, prismaOf } from './sql.ts';

export function listWebhooks(db: Reader): Promise<Webhook[]> {
  return prismaOf(db).webhook.findMany({ orderBy: { id: 'asc' } });
}

export function findWebhook(db: Reader, id: number): Promise<Webhook | null> {
  return prismaOf(db).webhook.findUnique({ where: { id } });
}

export type WebhookFields = Pick<Webhook, 'url' | 'secret' | 'modelName' | 'actions' | 'active'>;

export function insertWebhook(tx: Tx, fields: WebhookFields, lastSequence: number, now: Date): Promise<Webhook> {
  return tx.webhook.create({ data: { ...fields, lastSequence, createdAt: now, updatedAt: now } });
}

export function updateWebhook(tx: Tx, id: number, fields: Partial<WebhookFields>, now: Date): Promise<Webhook> {
  return tx.webhook.update({ where: { id }, data: { ...fields, updatedAt: now } });
}

/** Its delivery log goes by ON DELETE CASCADE. */
export async function deleteWebhook(tx: Tx, id: number): Promise<void> {
  await tx.webhook.delete({ where: { id } });
}

/** A test ping's delivery, recorded as in flight until its outcome is known. */
export function insertTestDelivery(tx: Tx, webhookId: number, now: Date): Promise<WebhookDelivery> {
  return tx.webhookDelivery.create({
    data: { webhookId, status: 'FAILED', attempts: 1, nextAttemptAt: now, createdAt: now, lastError: 'sending' },
  });
}

export function recordTestOutcome(
  db: Reader,
  id: number,
  outcome: Pick<WebhookDelivery, 'status' | 'responseCode' | 'lastError' | 'deliveredAt'>,
): Promise<WebhookDelivery> {
  return prismaOf(db).webhookDelivery.update({ where: { id }, data: outcome });
}

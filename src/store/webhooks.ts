// Webhooks and their delivery log (the rules are src/webhooks/webhooks.ts), and the delivery queue
// of the dispatcher (src/webhooks/dispatcher.ts, which says how its phases fit together). The
// queue's statements are raw where they lock: SKIP LOCKED, and the lease on the database clock.
import { Prisma, type Webhook, type WebhookDelivery } from '../generated/prisma/client.ts';
import { type Reader, type Tx, named, prismaOf } from './sql.ts';

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

/** What the queue needs of a webhook. */
export type QueueableWebhook = Pick<Webhook, 'id' | 'modelName' | 'actions' | 'lastSequence'>;

/**
 * The active webhooks with events to queue below `watermark`, row-locked; SKIP LOCKED leaves those
 * another replica is queueing to it.
 */
export function lockQueueableWebhooks(tx: Tx, watermark: number): Promise<QueueableWebhook[]> {
  return tx.$queryRaw<QueueableWebhook[]>(
    named(
      'lockQueueableWebhooks',
      Prisma.sql`
        SELECT id, model_name AS "modelName", actions, last_sequence AS "lastSequence" FROM webhook
        WHERE active AND last_sequence < ${watermark}
        ORDER BY id FOR UPDATE SKIP LOCKED`,
    ),
  );
}

export function countPendingDeliveries(tx: Tx, webhookId: number): Promise<number> {
  return tx.webhookDelivery.count({ where: { webhookId, status: 'PENDING' } });
}

/** One pending delivery per event, due now; an event already queued for the webhook is left as it is. */
export async function queueDeliveries(tx: Tx, webhookId: number, sequences: number[]): Promise<void> {
  await tx.$executeRaw(
    named(
      'queueDeliveries',
      Prisma.sql`
            INSERT INTO webhook_delivery (webhook_id, sequence, next_attempt_at, created_at)
            SELECT ${webhookId}, s, clock_timestamp(), clock_timestamp() FROM unnest(${sequences}::int[]) AS s
            ON CONFLICT (webhook_id, sequence) DO NOTHING`,
    ),
  );
}

/** Every event up to `lastSequence` is queued (or filtered out) for the webhook. */
export async function advanceWebhookCursor(tx: Tx, webhookId: number, lastSequence: number): Promise<void> {
  await tx.webhook.update({ where: { id: webhookId }, data: { lastSequence } });
}

/** A delivery claimed for sending, its attempt counted. */
export interface ClaimedDelivery {
  id: number;
  webhookId: number;
  sequence: number;
  attempts: number;
}

/**
 * Leases up to `limit` due deliveries for `leaseMs`, each its webhook's oldest pending one and
 * nobody else's lease (SKIP LOCKED: one replica claims each), and counts the attempt.
 */
export function claimDeliveries(db: Reader, leaseMs: number, limit: number): Promise<ClaimedDelivery[]> {
  return prismaOf(db).$queryRaw<ClaimedDelivery[]>(
    named(
      'claimDeliveries',
      Prisma.sql`
      UPDATE webhook_delivery d
      SET lease_until = clock_timestamp() + make_interval(secs => ${leaseMs / 1000}::float8), attempts = d.attempts + 1
      WHERE d.id IN (
        SELECT c.id FROM webhook_delivery c JOIN webhook w ON w.id = c.webhook_id
        WHERE c.status = 'PENDING' AND c.next_attempt_at <= clock_timestamp()
          AND (c.lease_until IS NULL OR c.lease_until < clock_timestamp()) AND w.active
          AND NOT EXISTS (
            SELECT 1 FROM webhook_delivery e
            WHERE e.webhook_id = c.webhook_id AND e.status = 'PENDING' AND e.sequence < c.sequence)
        ORDER BY c.next_attempt_at, c.id
        LIMIT ${limit}
        FOR UPDATE OF c SKIP LOCKED)
      RETURNING d.id, d.webhook_id AS "webhookId", d.sequence, d.attempts`,
    ),
  );
}

/** How a send ended: delivered, retried in `retryInMs`, or given up (FAILED). */
export interface DeliveryOutcome {
  status: 'DELIVERED' | 'PENDING' | 'FAILED';
  responseCode: number | null;
  error: string | null;
  retryInMs: number;
}

/**
 * Records the outcome and ends the lease, only if the lease is still this attempt's (`attempts`
 * unchanged): after it expired another replica may have taken over.
 */
export async function recordDeliveryOutcome(
  db: Reader,
  delivery: Pick<ClaimedDelivery, 'id' | 'attempts'>,
  outcome: DeliveryOutcome,
): Promise<void> {
  await prismaOf(db).$executeRaw(
    named(
      'recordDeliveryOutcome',
      Prisma.sql`
      UPDATE webhook_delivery SET
        status = ${outcome.status}::"WebhookDeliveryStatus",
        response_code = ${outcome.responseCode},
        last_error = ${outcome.error === null ? null : outcome.error.slice(0, 1000)},
        delivered_at = CASE WHEN ${outcome.status === 'DELIVERED'} THEN clock_timestamp() END,
        next_attempt_at = clock_timestamp() + make_interval(secs => ${outcome.retryInMs / 1000}::float8),
        lease_until = NULL
      WHERE id = ${delivery.id} AND attempts = ${delivery.attempts}`,
    ),
  );
}

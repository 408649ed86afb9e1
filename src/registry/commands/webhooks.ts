// Webhook commands. Webhooks are for unscoped admins only: a webhook receives every matching
// event, so one made by a token limited to some models would leak the others' (F5). The webhook
// rules themselves are src/webhooks/webhooks.ts; deliveries are made by src/webhooks/dispatcher.ts.
import type { Access } from '../../auth/access.ts';
import type { AuditAction, Webhook, WebhookDelivery } from '../../generated/prisma/client.ts';
import { deliveryBody, sendSigned } from '../../webhooks/dispatcher.ts';
import {
  type WebhookInput,
  createWebhook as insertWebhook,
  deleteWebhook as removeWebhook,
  updateWebhook as changeWebhook,
} from '../../webhooks/webhooks.ts';
import { type RegistrySettings, type Write, inTransaction } from '../write.ts';
import type { DirectReader } from '../../store/sql.ts';
import * as store from '../../store/webhooks.ts';
import { NotFoundError } from '../rules/errors.ts';

function requireWebhookAdmin(access: Access, what: string): void {
  access.requireRole('ADMIN', what);
  access.requireUnscoped(what);
}

type ActionsInput = { actions?: readonly string[] | null };
const withActions = <T extends ActionsInput>(input: T) => ({ ...input, actions: input.actions as AuditAction[] | null | undefined });

export async function createWebhook(
  { tx, access, settings }: Write,
  input: Omit<WebhookInput, 'actions'> & ActionsInput & { url: string; secret: string },
): Promise<{ webhook: Webhook }> {
  requireWebhookAdmin(access, 'createWebhook');
  return { webhook: await insertWebhook(tx, withActions(input), settings.webhooks) };
}

export async function updateWebhook(
  { tx, access, settings }: Write,
  input: Omit<WebhookInput, 'actions'> & ActionsInput & { id: number },
): Promise<{ webhook: Webhook }> {
  requireWebhookAdmin(access, 'updateWebhook');
  return { webhook: await changeWebhook(tx, input.id, withActions(input), settings.webhooks) };
}

export async function deleteWebhook({ tx, access }: Write, input: { id: number }): Promise<{ webhook: Webhook }> {
  requireWebhookAdmin(access, 'deleteWebhook');
  return { webhook: await removeWebhook(tx, input.id) };
}

/**
 * Sends a signed ping now and records it in the delivery log. The request is made between two
 * transactions, so a slow endpoint holds no lock.
 */
export async function testWebhook(
  db: DirectReader,
  settings: RegistrySettings,
  access: Access,
  input: { id: number },
): Promise<{ delivery: WebhookDelivery }> {
  requireWebhookAdmin(access, 'testWebhook');
  const { webhook, delivery } = await inTransaction(db.prisma, async (tx) => {
    const webhook = await store.findWebhook(tx, input.id);
    if (!webhook) throw new NotFoundError(`webhook ${input.id} not found`);
    const delivery = await store.insertTestDelivery(tx, webhook.id, new Date());
    return { webhook, delivery };
  });
  const rules = settings.webhooks;
  const body = deliveryBody(delivery.id, webhook.id, null);
  const outcome = await sendSigned(webhook.url, webhook.secret, delivery.id, body, rules.requestTimeoutMs, rules.allowPrivate);
  const recorded = await store.recordTestOutcome(db, delivery.id, {
    status: outcome.ok ? 'DELIVERED' : 'FAILED',
    responseCode: outcome.responseCode,
    lastError: outcome.error?.slice(0, 1000) ?? null,
    deliveredAt: outcome.ok ? new Date() : null,
  });
  return { delivery: recorded };
}

/** Every webhook, by id. */
export function listWebhooks(db: DirectReader, access: Access): Promise<Webhook[]> {
  requireWebhookAdmin(access, 'webhooks');
  return store.listWebhooks(db);
}

export function findWebhook(db: DirectReader, access: Access, id: number): Promise<Webhook | null> {
  requireWebhookAdmin(access, 'webhook');
  return store.findWebhook(db, id);
}

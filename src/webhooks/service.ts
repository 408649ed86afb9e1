// The webhook machinery of one database handle: its settings and this replica's dispatcher.
import { databaseOf } from '../db/client.ts';
import type { Database } from '../db/database.ts';
import type { PrismaClient } from '../generated/prisma/client.ts';
import { DEFAULT_DISPATCHER_SETTINGS, type DispatcherSettings, WebhookDispatcher } from './dispatcher.ts';

export interface WebhookSettings extends DispatcherSettings {
  /** Accept http:// targets; otherwise https:// only. */
  allowHttp: boolean;
}

export const DEFAULT_WEBHOOK_SETTINGS: WebhookSettings = Object.freeze({ ...DEFAULT_DISPATCHER_SETTINGS, allowHttp: false, allowPrivate: false });

const services = new WeakMap<Database, { settings: WebhookSettings; dispatcher: WebhookDispatcher }>();

/** Starts delivering webhooks from this replica (server start-up); stopWebhooks ends it. */
export function startWebhooks(db: Database, settings: WebhookSettings = DEFAULT_WEBHOOK_SETTINGS): WebhookDispatcher {
  const existing = services.get(db);
  if (existing) return existing.dispatcher;
  const dispatcher = new WebhookDispatcher(db, settings);
  services.set(db, { settings, dispatcher });
  dispatcher.start();
  return dispatcher;
}

export async function stopWebhooks(db: Database): Promise<void> {
  const service = services.get(db);
  if (!service) return;
  services.delete(db);
  await service.dispatcher.stop();
}

/** The settings the database's webhooks run with (defaults when this process delivers none). */
export function webhookSettingsOf(prisma: PrismaClient): WebhookSettings {
  const db = databaseOf(prisma);
  return (db && services.get(db)?.settings) ?? DEFAULT_WEBHOOK_SETTINGS;
}

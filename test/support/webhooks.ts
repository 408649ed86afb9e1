// A webhook dispatcher over a database, as src/app.ts starts one per replica.
import type { WebhookSettings } from '../../src/config.ts';
import type { Database } from '../../src/db/database.ts';
import { RegistryEventFeed } from '../../src/events/feed.ts';
import { WebhookDispatcher } from '../../src/webhooks/dispatcher.ts';

/** Starts delivering; the returned function stops the dispatcher and its feed. */
export function startDispatcher(db: Database, settings: WebhookSettings): () => Promise<void> {
  const feed = new RegistryEventFeed(db);
  const dispatcher = new WebhookDispatcher(db, feed, settings);
  dispatcher.start();
  return async () => {
    await dispatcher.stop();
    await feed.close();
  };
}

/** A dispatcher that is not started (tests drive its rounds), with its feed. */
export function idleDispatcher(db: Database, settings: WebhookSettings): WebhookDispatcher {
  return new WebhookDispatcher(db, new RegistryEventFeed(db), settings);
}

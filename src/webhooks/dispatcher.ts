// Sends webhook deliveries, on every replica, with the database deciding who sends what:
//   1. queue: for each active webhook (row-locked with SKIP LOCKED, so one replica at a time), the
//      matching events after its `last_sequence` and up to the safe watermark become delivery
//      rows; the cursor moves in the same transaction. At most `maxQueuedPerWebhook` wait at once:
//      the rest stay in the history table until the queue drains (nothing is lost, nothing grows).
//   2. send: a delivery is claimed by setting a lease (UPDATE ... FOR UPDATE SKIP LOCKED) only if
//      it is its webhook's oldest pending one and nobody holds a lease on it: one replica sends
//      it, in sequence order per webhook. A replica that dies mid-send lets its lease expire, and
//      the delivery is sent again (at least once; the delivery id header lets receivers de-duplicate).
//   3. outcome: 2xx marks it delivered; otherwise it is retried with exponential backoff and jitter
//      until `maxAttempts`, then marked FAILED and the next one goes.
// A slow or dead endpoint only delays its own webhook: mutations never wait for deliveries.
import type { AuditEvent, PrismaClient } from '../generated/prisma/client.ts';
import type { Database } from '../db/database.ts';
import type { WebhookSettings } from '../config.ts';
import type { RegistryEventFeed } from '../events/feed.ts';
import { readEvents } from '../store/events.ts';
import {
  type ClaimedDelivery,
  advanceWebhookCursor,
  claimDeliveries,
  countPendingDeliveries,
  findWebhook,
  lockQueueableWebhooks,
  queueDeliveries,
  recordDeliveryOutcome,
} from '../store/webhooks.ts';
import { DELIVERY_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, signPayload } from './signature.ts';
import { targetVerdict } from './targets.ts';
import { actionsOf } from './webhooks.ts';

const SENDS_PER_ROUND = 20;

export interface SendOutcome {
  ok: boolean;
  responseCode: number | null;
  error: string | null;
}

/** The JSON body of a delivery: the same bytes on every attempt. */
export function deliveryBody(deliveryId: number, webhookId: number, event: AuditEvent | null): string {
  return JSON.stringify({
    deliveryId,
    webhookId,
    event: event && {
      sequence: event.sequence,
      at: event.at.toISOString(),
      actor: event.actor,
      action: event.action,
      modelName: event.modelName,
      version: event.version,
      previousVersion: event.previousVersion,
      alias: event.alias,
      key: event.key,
      previousValue: event.previousValue,
      newValue: event.newValue,
    },
  });
}

/**
 * One signed POST; never throws. The host is resolved again first: a name that was public when the
 * webhook was created may point inside later (DNS rebinding). Errors are generic on purpose: the
 * transport's text ("connect ECONNREFUSED 127.0.0.1:5432", "other side closed") would let an admin
 * map internal ports.
 */
export async function sendSigned(
  url: string,
  secret: string,
  deliveryId: number,
  body: string,
  timeoutMs: number,
  allowPrivate: boolean,
): Promise<SendOutcome> {
  const timestamp = Math.floor(Date.now() / 1000);
  try {
    if (!allowPrivate) {
      const verdict = await targetVerdict(new URL(url));
      if (verdict === 'internal') return { ok: false, responseCode: null, error: 'address not allowed' };
      if (verdict === 'unresolved') return { ok: false, responseCode: null, error: 'connection failed' };
    }
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'model-registry-webhooks',
        [DELIVERY_HEADER]: String(deliveryId),
        [TIMESTAMP_HEADER]: String(timestamp),
        [SIGNATURE_HEADER]: signPayload(secret, timestamp, body),
      },
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    await response.body?.cancel().catch(() => {});
    const ok = response.status >= 200 && response.status < 300;
    return { ok, responseCode: response.status, error: ok ? null : `HTTP ${response.status}` };
  } catch (error) {
    const name = (error as Error | null)?.name;
    return { ok: false, responseCode: null, error: name === 'TimeoutError' || name === 'AbortError' ? 'timeout' : 'connection failed' };
  }
}

export function backoffMs(attempts: number, settings: Pick<WebhookSettings, 'backoffBaseMs' | 'backoffMaxMs'>): number {
  const ceiling = Math.min(settings.backoffMaxMs, settings.backoffBaseMs * 2 ** Math.max(0, attempts - 1));
  return Math.round(ceiling * (0.5 + Math.random() * 0.5));
}

export class WebhookDispatcher {
  private readonly prisma: PrismaClient;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;
  private unwatch: (() => void) | null = null;
  /** Sends in progress: a slow endpoint holds only its own webhook (its next delivery waits), never a round. */
  private readonly sending = new Set<Promise<void>>();

  constructor(
    private readonly db: Database,
    /** Wakes the dispatcher when new events are final. */
    private readonly feed: RegistryEventFeed,
    readonly settings: WebhookSettings,
    private readonly log: (message: string, detail?: unknown) => void = (m, d) => console.error(`[webhooks] ${m}`, d ?? ''),
  ) {
    this.prisma = db.prisma;
  }

  start(): void {
    this.unwatch = this.feed.onAdvance(() => this.wake());
    this.wake();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.unwatch?.();
    clearTimeout(this.timer);
    await this.running;
    await Promise.all(this.sending);
  }

  /** Runs a round now (or once more after the current one). */
  wake(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = (async () => {
      do {
        this.again = false;
        clearTimeout(this.timer);
        try {
          await this.round();
        } catch (error) {
          if (!this.stopped) this.log('delivery round failed; retrying', error);
        }
      } while (this.again && !this.stopped);
    })().finally(() => {
      this.running = null;
      if (!this.stopped) {
        this.timer = setTimeout(() => this.wake(), this.settings.pollIntervalMs);
        this.timer.unref();
      }
    });
  }

  /** One round: queue new events, then start sending what is due (each send ends on its own). */
  async round(): Promise<void> {
    const watermark = await this.feed.refresh();
    await this.queue(watermark);
    while (!this.stopped) {
      const claimed = await this.claim();
      if (claimed.length === 0) return;
      for (const delivery of claimed) {
        const sent: Promise<void> = this.send(delivery)
          .catch((error) => this.log(`delivery ${delivery.id} failed unexpectedly; it is retried after its lease`, error))
          // The webhook's next delivery may be due now.
          .finally(() => {
            this.sending.delete(sent);
            this.wake();
          });
        this.sending.add(sent);
      }
    }
  }

  private async queue(watermark: number): Promise<void> {
    const { maxQueuedPerWebhook } = this.settings;
    await this.prisma.$transaction(async (tx) => {
      const webhooks = await lockQueueableWebhooks(tx, watermark);
      for (const webhook of webhooks) {
        const queued = await countPendingDeliveries(tx, webhook.id);
        const room = maxQueuedPerWebhook - queued;
        if (room <= 0) continue;
        const events = await readEvents(
          tx,
          { modelName: webhook.modelName, actions: actionsOf(webhook) },
          webhook.lastSequence,
          watermark,
          room,
        );
        if (events.length > 0) {
          await queueDeliveries(
            tx,
            webhook.id,
            events.map((e) => e.sequence),
          );
        }
        const reached = events.length === room ? events[events.length - 1].sequence : watermark;
        await advanceWebhookCursor(tx, webhook.id, reached);
      }
    });
  }

  private claim(): Promise<ClaimedDelivery[]> {
    return claimDeliveries(this.db, this.settings.requestTimeoutMs * 3, SENDS_PER_ROUND);
  }

  private async send(delivery: ClaimedDelivery): Promise<void> {
    const webhook = await findWebhook(this.db, delivery.webhookId);
    if (!webhook) return;
    const [event] = await readEvents(this.db, {}, delivery.sequence - 1, delivery.sequence, 1);
    const body = deliveryBody(delivery.id, webhook.id, event ?? null);
    const outcome = await sendSigned(
      webhook.url,
      webhook.secret,
      delivery.id,
      body,
      this.settings.requestTimeoutMs,
      this.settings.allowPrivate,
    );
    const finished = outcome.ok || delivery.attempts >= this.settings.maxAttempts;
    const retryInMs = finished ? 0 : backoffMs(delivery.attempts, this.settings);
    // Only if the lease is still ours: after it expired another replica may have taken over.
    await recordDeliveryOutcome(this.db, delivery, {
      status: outcome.ok ? 'DELIVERED' : finished ? 'FAILED' : 'PENDING',
      responseCode: outcome.responseCode,
      error: outcome.error,
      retryInMs,
    });
  }
}

// The live history stream of one server: subscribers read audit events from the table by sequence,
// up to the safe watermark (watermark.ts), and wait for it to move. Replay and live delivery are the
// same loop, so there is no seam where an event could be lost or delivered twice.
//
// The watermark is re-checked when a transaction that appended history commits anywhere (the
// audit_event trigger NOTIFYs; every replica LISTENs), and, while writers it waits for are still
// running, on a short backoff timer (a rolled-back writer sends no notification).
import type { AuditEvent, PrismaClient } from '../generated/prisma/client.ts';
import { DEFAULT_MAX_SUBSCRIPTIONS_PER_TOKEN } from '../config.ts';
import { isDatabaseUnavailable } from '../db/unavailable.ts';
import type { Database, Listener } from '../db/database.ts';
import { type RegistryEventFilter, readEvents } from '../store/events.ts';
import { SafeWatermark } from './watermark.ts';

export type { RegistryEventFilter };

export const AUDIT_EVENT_CHANNEL = 'audit_event_appended';

/** Events read per statement while a subscriber catches up. */
const PAGE_SIZE = 200;
const RETRY_MIN_MS = 10;
const RETRY_MAX_MS = 1_000;

export interface SubscribeOptions {
  /** Replay events after this sequence first; absent: only events after the current watermark. */
  afterSequence?: number | null;
  /** Whose budget the subscription counts against. */
  actor: string | null;
  /**
   * Runs before the events of each page read from the table are delivered (a replay page, or a
   * batch of new events); if it throws, the subscription ends with that error. Checks that belong
   * to the subscriber (is its token still valid?) cost one look-up per page, not per event.
   */
  beforePage?: () => Promise<void>;
}

export class SubscriptionLimitError extends Error {
  constructor(readonly limit: number) {
    super(`too many open subscriptions for this token (at most ${limit}); close some first`);
  }
}

export class FeedClosedError extends Error {
  constructor() {
    super('the server is shutting down; subscribe again');
  }
}

export interface FeedOptions {
  /** Open subscriptions per actor (token name; anonymous requests share one budget). */
  maxSubscriptionsPerActor?: number;
  log?: (message: string, detail?: unknown) => void;
}

interface Control {
  stopped: boolean;
  wake?: () => void;
}

export class RegistryEventFeed {
  readonly maxSubscriptionsPerActor: number;
  private readonly prisma: PrismaClient;
  private readonly watermark: SafeWatermark;
  private readonly log: (message: string, detail?: unknown) => void;
  private listener: Promise<Listener> | null = null;
  private advancing: Promise<void> | null = null;
  private advanceAgain = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private retryDelay = RETRY_MIN_MS;
  private readonly waiters = new Set<() => void>();
  private readonly advanceListeners = new Set<() => void>();
  private readonly openByActor = new Map<string, number>();
  private closed = false;

  constructor(
    private readonly db: Database,
    options: FeedOptions = {},
  ) {
    this.prisma = db.prisma;
    this.watermark = new SafeWatermark(db.prisma);
    this.maxSubscriptionsPerActor = options.maxSubscriptionsPerActor ?? DEFAULT_MAX_SUBSCRIPTIONS_PER_TOKEN;
    // An outage is one line (its last, Prisma's actual reason), not a stack trace per retry (D7).
    this.log =
      options.log ??
      ((message, detail) =>
        console.error(
          `[events] ${message}`,
          isDatabaseUnavailable(detail) && detail instanceof Error
            ? `(database unavailable: ${detail.message.trim().split('\n').at(-1)})`
            : (detail ?? ''),
        ));
  }

  /** Open subscriptions, per actor ('' for anonymous). */
  openSubscriptions(actor: string | null): number {
    return this.openByActor.get(actor ?? '') ?? 0;
  }

  /**
   * Re-checks the watermark now and returns it once it is known (it is unknown only while history
   * writers that were running at the first check have not ended yet).
   */
  async refresh(): Promise<number> {
    await this.start();
    this.wake();
    await this.advancing;
    while (this.watermark.current === null) {
      if (this.closed) throw new FeedClosedError();
      await this.nextChange(-1, { stopped: false });
    }
    return this.watermark.current;
  }

  /**
   * Matching events in sequence order: first those after `afterSequence` (a replay from the
   * table), then each new one as it becomes final. Without `afterSequence` the stream starts at
   * the watermark found before this resolves: everything committed afterwards is delivered.
   * The caller ends it with `return()`.
   */
  async subscribe(filter: RegistryEventFilter, options: SubscribeOptions): Promise<AsyncIterableIterator<AuditEvent>> {
    if (this.closed) throw new FeedClosedError();
    const actorKey = options.actor ?? '';
    const open = this.openByActor.get(actorKey) ?? 0;
    if (open >= this.maxSubscriptionsPerActor) throw new SubscriptionLimitError(this.maxSubscriptionsPerActor);
    this.openByActor.set(actorKey, open + 1);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      const left = (this.openByActor.get(actorKey) ?? 1) - 1;
      if (left === 0) this.openByActor.delete(actorKey);
      else this.openByActor.set(actorKey, left);
    };

    let start: number;
    try {
      const watermark = await this.refresh();
      start = options.afterSequence ?? watermark;
    } catch (error) {
      release();
      throw error;
    }
    const control: Control = { stopped: false };
    const stream = this.stream(filter, start, control, options.beforePage);
    const iterator: AsyncIterableIterator<AuditEvent> = {
      [Symbol.asyncIterator]: () => iterator,
      async next() {
        try {
          const result = await stream.next();
          if (result.done) release();
          return result;
        } catch (error) {
          release();
          throw error;
        }
      },
      async return() {
        // The stream may be waiting for the watermark: wake it so it sees `stopped` and ends now.
        control.stopped = true;
        control.wake?.();
        release();
        await stream.return(undefined);
        return { done: true, value: undefined };
      },
    };
    return iterator;
  }

  /** Calls `listener` each time the watermark moves (new events are final). Returns an unsubscribe. */
  onAdvance(listener: () => void): () => void {
    this.advanceListeners.add(listener);
    this.start().catch((error) => this.log('listening for history events failed', error));
    return () => this.advanceListeners.delete(listener);
  }

  /** Ends every subscription and stops listening. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.retryTimer);
    for (const wake of this.waiters) wake();
    this.waiters.clear();
    const listener = await this.listener?.catch(() => null);
    await listener?.close();
  }

  private async *stream(filter: RegistryEventFilter, start: number, control: Control, beforePage?: () => Promise<void>) {
    let cursor = start;
    while (!control.stopped && !this.closed) {
      const upTo = this.watermark.current ?? 0;
      while (cursor < upTo && !control.stopped) {
        const rows = await readEvents(this.db, filter, cursor, upTo, PAGE_SIZE);
        if (rows.length > 0 && beforePage) await beforePage();
        for (const row of rows) {
          yield row;
          if (control.stopped) return;
        }
        cursor = rows.length === PAGE_SIZE ? rows[rows.length - 1].sequence : upTo;
      }
      await this.nextChange(Math.max(cursor, upTo), control);
    }
  }

  /** Resolves once the watermark passes `seen`, the feed closes or the subscriber stops. */
  private nextChange(seen: number, control: Control): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        this.waiters.delete(check);
        control.wake = undefined;
        resolve();
      };
      const check = () => {
        if (this.closed || control.stopped || (this.watermark.current ?? -1) > seen) done();
      };
      control.wake = done;
      this.waiters.add(check);
      check();
    });
  }

  private start(): Promise<Listener> {
    if (this.closed) return Promise.reject(new FeedClosedError());
    this.listener ??= this.db.listen(AUDIT_EVENT_CHANNEL, {
      onNotify: () => this.wake(),
      onClose: () => void this.close(),
    });
    return this.listener;
  }

  /** Runs advance() now, or once more after the one in progress (never two at once). */
  private wake(): void {
    if (this.closed) return;
    if (this.advancing) {
      this.advanceAgain = true;
      return;
    }
    this.advancing = this.advanceLoop().finally(() => {
      this.advancing = null;
    });
  }

  private async advanceLoop(): Promise<void> {
    do {
      this.advanceAgain = false;
      clearTimeout(this.retryTimer);
      const before = this.watermark.current;
      let failed = false;
      try {
        await this.watermark.advance();
      } catch (error) {
        failed = true;
        if (!this.closed) this.log('reading the history watermark failed; retrying', error);
      }
      if (this.closed) return;
      if (this.watermark.current !== before) {
        for (const check of [...this.waiters]) check();
        for (const listener of [...this.advanceListeners]) listener();
      }
      if (failed || this.watermark.waiting) {
        this.retryDelay = Math.min(this.retryDelay * 2, RETRY_MAX_MS);
        this.retryTimer = setTimeout(() => this.wake(), this.retryDelay);
        this.retryTimer.unref();
      } else {
        this.retryDelay = RETRY_MIN_MS;
      }
    } while (this.advanceAgain && !this.closed);
  }
}

// MLflow's client resends a POST whose answer it did not get (5xx, a timeout, a dropped connection),
// for minutes, and sends no idempotency key; a create that committed but whose answer was lost would
// make a second model version. Keying the create by its content alone would also merge two
// deliberate identical creates, which MLflow allows (two versions of one source) and its clients
// do back to back. What tells the two apart is whether the first answer reached the client:
//
// each create without an `Idempotency-Key` header runs under a key derived from the caller and the
// request, stored in the create's own transaction; the transport reports when it has handed the
// answer over, and the key is released then. A resend of an answer that was lost (or of a create
// the server crashed after committing) finds the key and gets the first result; a deliberate second
// create arrives after the release and creates anew. Keys of answers never handed over expire
// after the window (MLFLOW_RETRY_WINDOW_MINUTES), which outlasts the client's retries.
//
// A client may send its next request before the release of its previous answer has run: releases
// under way are awaited before a guarded create with the same key starts (on this replica; a
// client on keep-alive stays on one).
import { createHash } from 'node:crypto';
import type { Access } from '../auth/access.ts';
import type { Registry } from '../registry/registry.ts';
import { canonicalJson } from '../registry/history/idempotency.ts';

/** What a guarded create runs with: its key, and how long the key answers resends. */
export interface GuardedIdempotency {
  idempotencyKey: string;
  idempotencyTtlMs: number;
}

/** One request's guarded creates, released together once the answer was handed over. */
export interface RequestGuard {
  idempotency(operation: string, input: unknown): Promise<GuardedIdempotency>;
  /** The transport handed the answer over. */
  delivered(): Promise<void>;
}

export class RetryGuard {
  private readonly releasing = new Map<string, Promise<void>>();

  constructor(
    private readonly registry: Registry,
    private readonly windowMs: number,
    private readonly logError: (error: unknown) => void,
  ) {}

  forRequest(access: Access, headerKey: string | null): RequestGuard {
    const held: { operation: string; key: string; slot: string }[] = [];
    return {
      idempotency: async (operation, input) => {
        // A key the client chose is the client's to reuse: it is kept for IDEMPOTENCY_TTL_HOURS.
        if (headerKey !== null) return { idempotencyKey: headerKey, idempotencyTtlMs: this.registry.settings.idempotencyTtlMs };
        const key = `mlflow-resend:${createHash('sha256').update(canonicalJson(input)).digest('hex')}`;
        const slot = `${access.actor ?? ''}\n${operation}\n${key}`;
        await this.releasing.get(slot);
        held.push({ operation, key, slot });
        return { idempotencyKey: key, idempotencyTtlMs: this.windowMs };
      },
      delivered: async () => {
        await Promise.all(held.map((h) => this.release(access, h)));
      },
    };
  }

  private release(access: Access, held: { operation: string; key: string; slot: string }): Promise<void> {
    const release = this.registry
      .releaseIdempotencyKey(access, held)
      // The key then lives out its window: a resend within it would get the first answer again.
      .catch((error) => this.logError(error))
      .finally(() => {
        if (this.releasing.get(held.slot) === release) this.releasing.delete(held.slot);
      });
    this.releasing.set(held.slot, release);
    return release;
  }
}

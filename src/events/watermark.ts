// "Every event up to sequence W is final": the watermark readers of the history stream up to.
//
// Sequence numbers are handed out when a row is inserted, not when its transaction commits, so a
// transaction holding sequence 7 can commit after another one holding 8. A reader that delivered 8
// and remembered "seen up to 8" would skip 7 forever. Readers therefore only read up to W.
//
// How W is found, with nothing added to the write path:
//   1. read L, the sequence's last handed-out value (sequences are not transactional: L counts
//      numbers of transactions still running);
//   2. then list the transactions holding ROW EXCLUSIVE on audit_event (every INSERT takes that
//      lock before it evaluates its defaults, nextval included, and keeps it until it ends).
// A transaction that took a number <= L did so before step 1, so if it is still running at step 2
// it is in the list. Once none of the listed transactions holds the lock any more (each ended:
// committed, visible to every later snapshot; or rolled back, its numbers never used), every
// number <= L is final, and W = L. Unlike a transaction-id (xmin) horizon, this waits only for
// transactions that write history, not for unrelated long transactions in the cluster.
import { type WatermarkReader, lastHandedOutSequence, runningHistoryWriters } from '../store/watermark.ts';

interface Checkpoint {
  /** Highest sequence number handed out when the checkpoint was taken. */
  last: number;
  /** Virtual transaction ids of the history writers running just after `last` was read. */
  writers: string[];
}

/**
 * Tracks the watermark. `advance()` is not reentrant: one caller at a time (the feed serialises it).
 */
export class SafeWatermark {
  private pending: Checkpoint[] = [];
  private value: number | null = null;

  constructor(private readonly db: WatermarkReader) {}

  /** The last watermark found, or null before the first advance(). */
  get current(): number | null {
    return this.value;
  }

  /** True when some checkpoint still waits for writers: call advance() again later. */
  get waiting(): boolean {
    return this.pending.length > 0;
  }

  /**
   * Takes a checkpoint, settles every checkpoint whose writers have all ended, and returns W; null
   * while no checkpoint has ever settled (writers were running at every advance so far).
   */
  async advance(): Promise<number | null> {
    const last = await lastHandedOutSequence(this.db);
    const running = new Set(await runningHistoryWriters(this.db));
    this.pending.push({ last, writers: [...running] });
    let watermark = this.value;
    const still: Checkpoint[] = [];
    for (const checkpoint of this.pending) {
      if (checkpoint.writers.some((writer) => running.has(writer))) still.push(checkpoint);
      else watermark = Math.max(watermark ?? 0, checkpoint.last);
    }
    this.pending = watermark === null ? still : still.filter((checkpoint) => checkpoint.last > watermark);
    this.value = watermark;
    return watermark;
  }
}

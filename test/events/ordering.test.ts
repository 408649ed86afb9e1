// The ordering trap: sequence numbers are taken at insert, not at commit. These tests force a
// lower sequence to commit after a higher one and check that readers of the history stream still
// get every event once, in sequence order. Only PostgreSQL can run two writers at once: PGlite
// runs transactions one at a time, so there commit order is sequence order and the case cannot arise.
import pg from 'pg';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { RegistryEventFeed } from '../../src/events/feed.ts';
import { lastHandedOutSequence } from '../../src/store/watermark.ts';
import { describeEachDatabase, POSTGRES_ADMIN_URL } from '../support/databases.ts';

const MODEL = 'ordering-trap';

describeEachDatabase('history watermark', (ctx) => {
  let feed: RegistryEventFeed;
  const clients: pg.Client[] = [];

  beforeAll(() => {
    feed = new RegistryEventFeed(ctx.db);
  });
  afterAll(async () => {
    await feed?.close();
    await Promise.all(clients.map((client) => client.end().catch(() => {})));
  });

  async function connect(): Promise<pg.Client> {
    const url = new URL(POSTGRES_ADMIN_URL);
    url.pathname = `/${ctx.db.databaseName}`;
    const client = new pg.Client({ connectionString: url.toString() });
    clients.push(client);
    await client.connect();
    return client;
  }

  async function append(client: pg.Client, note: string): Promise<number> {
    const { rows } = await client.query(
      `INSERT INTO audit_event (at, action, model_id, model_name, new_value)
       VALUES (now(), 'MODEL_UPDATED', -1, $1, $2) RETURNING sequence`,
      [MODEL, note],
    );
    return rows[0].sequence;
  }

  /** Collects the sequences a subscriber receives, until `count` arrived. */
  async function collect(afterSequence: number, count: number) {
    const received: number[] = [];
    const events = await feed.subscribe({ modelName: MODEL }, { afterSequence, actor: 'ordering-test' });
    const done = (async () => {
      for await (const event of events) {
        received.push(event.sequence);
        if (received.length === count) break;
      }
    })();
    return { received, done };
  }

  it('knows the last handed-out sequence number (the SERIAL sequence the watermark reads)', async () => {
    const before = await lastHandedOutSequence(ctx.db.prisma);
    await ctx.db.prisma.auditEvent.create({ data: { at: new Date(), action: 'MODEL_UPDATED', modelId: -1, modelName: 'probe' } });
    expect(await lastHandedOutSequence(ctx.db.prisma)).toBe(before + 1);
    expect(await feed.refresh()).toBe(before + 1);
  });

  it.skipIf(ctx.kind === 'pglite')(
    'delivers out-of-order commits once each, in sequence order, only once the lower one committed',
    async () => {
      const start = await feed.refresh();
      const [first, second, third] = [await connect(), await connect(), await connect()];
      const subscriber = await collect(start, 3);

      await first.query('BEGIN');
      const lower = await append(first, 'A: takes the lower number, commits last');
      await second.query('BEGIN');
      const higher = await append(second, 'B: takes the higher number, commits first');
      await second.query('COMMIT');
      expect(higher).toBeGreaterThan(lower);

      // B is committed and visible, but A might still commit: the watermark must stay below A.
      for (let check = 0; check < 3; check++) expect(await feed.refresh()).toBeLessThan(lower);
      expect(subscriber.received).toEqual([]);

      await first.query('COMMIT');
      await vi.waitFor(() => expect(subscriber.received).toEqual([lower, higher]), { timeout: 5_000, interval: 10 });
      const later = await append(third, 'C: after both');
      await subscriber.done;
      expect(subscriber.received).toEqual([lower, higher, later]);
    },
  );

  it.skipIf(ctx.kind === 'pglite')('a writer that rolls back (sending no notification) does not hold the stream back', async () => {
    const start = await feed.refresh();
    const [first, second] = [await connect(), await connect()];
    const subscriber = await collect(start, 1);

    await first.query('BEGIN');
    const abandoned = await append(first, 'rolled back');
    const committed = await append(second, 'committed while the other is open');
    expect(committed).toBeGreaterThan(abandoned);
    expect(await feed.refresh()).toBeLessThan(abandoned);

    await first.query('ROLLBACK');
    await subscriber.done;
    expect(subscriber.received).toEqual([committed]);
  });
});

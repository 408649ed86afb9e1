// The database layer under attack and outage: forged cursors, server-side statement timeouts, a
// database dropped under a running server, /health's wording, history indexes and replay cost.
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/client.ts';
import { createApp } from '../../src/app.ts';
import type { Database } from '../../src/db/database.ts';
import { databaseUnavailableError, isDatabaseUnavailable } from '../../src/db/unavailable.ts';
import { createApiToken } from '../../src/auth/tokens.ts';
import { startServer } from '../../src/app.ts';
import { subscribeSse } from '../support/sse.ts';
import { POSTGRES_ADMIN_URL, createPostgresDatabase, databases, describeEachDatabase } from '../support/databases.ts';

const onPostgres = databases.some((d) => d.name === 'postgres') ? describe : describe.skip;

function yogaOn(db: Database) {
  const logged: unknown[] = [];
  const yoga = createApp(db, { logError: (e) => logged.push(e) }).yoga;
  return {
    logged,
    async post(query: string, variables?: unknown) {
      const response = await yoga.fetch('http://localhost/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query, variables }),
      });
      return { status: response.status, json: (await response.json()) as any };
    },
  };
}

const cursorOf = (values: unknown[]) => Buffer.from(JSON.stringify(values)).toString('base64url');

describeEachDatabase('F11: forged cursors with unstorable text', (ctx) => {
  it('answers BAD_USER_INPUT for U+0000 and a lone surrogate, not "Unexpected error."', async () => {
    const api = yogaOn(ctx.db);
    for (const forged of ['a\u0000b', 'a\ud800b']) {
      const { json } = await api.post('query($after: String) { registeredModels(after: $after) { totalCount } }', {
        after: cursorOf([forged]),
      });
      expect(json.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    }
    expect(api.logged).toEqual([]);
  });
});

onPostgres('database timeouts and outages [postgres]', () => {
  it('F21: a statement the client gave up on is canceled in PostgreSQL too', async () => {
    const created = await createPostgresDatabase();
    const db = await openDatabase({ kind: 'postgres', url: created.url }, { log: false, queryTimeoutMs: 1_000 });
    const admin = new pg.Client({ connectionString: created.url });
    try {
      await admin.connect();
      const error = await db.prisma.$queryRaw`SELECT pg_sleep(5) AS f21_probe`.catch((e: unknown) => e);
      expect(isDatabaseUnavailable(error)).toBe(true);
      const { rows } = await admin.query(
        `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND state = 'active'
           AND query LIKE '%f21_probe%' AND pid <> pg_backend_pid()`,
      );
      // Without a server-side timeout the sleep runs on for 4 more seconds after the client stops waiting.
      expect(rows).toEqual([]);
    } finally {
      await admin.end().catch(() => {});
      await db.close();
      await created.drop();
    }
  });

  it('F9: a transaction that outlived TX_TIMEOUT_MS is TRANSACTION_TIMEOUT, not DATABASE_UNAVAILABLE', async () => {
    const created = await createPostgresDatabase();
    const db = await openDatabase({ kind: 'postgres', url: created.url }, { log: false, transactionTimeoutMs: 200 });
    try {
      const error = await db.prisma
        .$transaction(async (tx) => {
          await new Promise((resolve) => setTimeout(resolve, 400));
          await tx.$queryRaw`SELECT 1`;
        })
        .catch((e: unknown) => e);
      expect((error as { code?: string }).code).toBe('P2028');
      const reported = databaseUnavailableError(error);
      expect(reported.extensions.code).toBe('TRANSACTION_TIMEOUT');
      expect(reported.extensions.http).toEqual({ status: 503 });
    } finally {
      await db.close();
      await created.drop();
    }
  });

  it('F9: a statement still running when its transaction expires is canceled in PostgreSQL, and reported as TRANSACTION_TIMEOUT', async () => {
    const created = await createPostgresDatabase();
    const db = await openDatabase(
      { kind: 'postgres', url: created.url },
      { log: false, transactionTimeoutMs: 300, queryTimeoutMs: 10_000 },
    );
    const admin = new pg.Client({ connectionString: created.url });
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.message);
    process.on('warning', onWarning);
    try {
      await admin.connect();
      const error = await db.prisma
        .$transaction(async (tx) => {
          await tx.$queryRaw`SELECT pg_advisory_xact_lock(9), pg_sleep(5) AS f9_probe`;
        })
        .catch((e: unknown) => e);
      // Without the cancel, the statement (and its lock) lives on for 5 s while ROLLBACK waits behind it.
      const { rows } = await admin.query(
        `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND state = 'active'
           AND query LIKE '%f9_probe%' AND pid <> pg_backend_pid()`,
      );
      expect(rows).toEqual([]);
      expect((await admin.query('SELECT pg_try_advisory_lock(9) AS free')).rows[0].free).toBe(true);
      expect(isDatabaseUnavailable(error)).toBe(true);
      expect(databaseUnavailableError(error).extensions.code).toBe('TRANSACTION_TIMEOUT');
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings.filter((w) => /already executing a query/.test(w))).toEqual([]);
    } finally {
      process.off('warning', onWarning);
      await admin.end().catch(() => {});
      await db.close();
      await created.drop();
    }
  });

  it('F24/D7: a database dropped under a running server is DATABASE_UNAVAILABLE, and /health says only that', async () => {
    const created = await createPostgresDatabase();
    const db = await openDatabase({ kind: 'postgres', url: created.url }, { log: false });
    const logged: string[] = [];
    const server = await startServer({
      config: { host: '127.0.0.1', port: 0 },
      db,
      log: { info: (m) => logged.push(m), error: (m, d) => logged.push(`${m} ${d ?? ''}`) },
    });
    try {
      expect((await fetch(`${server.origin}/health`)).status).toBe(200);
      await created.drop();
      const health = await fetch(`${server.origin}/health`);
      expect(health.status).toBe(503);
      expect(await health.json()).toEqual({ status: 'unavailable', error: 'database unavailable' });
      expect(logged.join('\n')).toContain('3D000');

      const response = await fetch(server.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ registeredModels { totalCount } }' }),
      });
      const body = (await response.json()) as any;
      expect(body.errors?.[0]?.extensions?.code).toBe('DATABASE_UNAVAILABLE');
      expect(response.status).toBe(503);
    } finally {
      await server.close();
    }
  });

  it('F24: a missing role or a bad password is an outage, not a bug', async () => {
    const url = new URL(POSTGRES_ADMIN_URL);
    url.username = 'no_such_role_f24';
    const client = new pg.Client({ connectionString: url.toString() });
    client.on('error', () => {});
    const error = await client.connect().catch((e: unknown) => e);
    expect((error as { code?: string }).code).toBe('28000');
    expect(isDatabaseUnavailable(error)).toBe(true);
    expect(isDatabaseUnavailable(Object.assign(new Error('password authentication failed'), { code: '28P01' }))).toBe(true);
  });
});

onPostgres('F20: history filters by index [postgres]', () => {
  it('auditEvents by actor, alias or action reads an index in sequence order, not the whole table', async () => {
    const created = await createPostgresDatabase();
    const db = await openDatabase({ kind: 'postgres', url: created.url }, { log: false });
    const sql = new pg.Client({ connectionString: created.url });
    try {
      await sql.connect();
      // 5,000 events; the filtered actor, alias and action occur only among the 5 oldest, the case
      // where walking the table newest first reads all of it.
      await sql.query(`
        INSERT INTO audit_event (at, actor, action, model_id, model_name, version, alias)
        SELECT now(), CASE WHEN i <= 5 THEN 'rare' ELSE 'bot-' || (i % 50) END,
               CASE WHEN i <= 5 THEN 'MODEL_DELETED' ELSE 'VERSION_CREATED' END::"AuditAction",
               i % 500, CASE WHEN i <= 5 THEN 'rare-' || i ELSE 'model-' || (i % 500) END, i % 7,
               CASE WHEN i <= 5 THEN 'rare' ELSE 'alias-' || (i % 40) END
        FROM generate_series(1, 5000) AS i`);
      await sql.query('ANALYZE audit_event');
      // The conditions listEvents sends (src/store/events.ts eventFilterSql), one at a time.
      const filters: Array<[string, string, string]> = [
        ['actor', `e.actor = $1`, 'rare'],
        ['alias', `e.alias = $1`, 'rare'],
        ['action', `e.action IN ($1::"AuditAction")`, 'MODEL_DELETED'],
        // A token scoped to `rare-*` (namePatternsSql: one LIKE per pattern; a C-collated database).
        ['model_name', `(e.model_name LIKE $1)`, 'rare-%'],
      ];
      for (const [column, condition, value] of filters) {
        const { rows } = await sql.query(
          `EXPLAIN SELECT * FROM audit_event e WHERE TRUE AND ${condition} ORDER BY e.sequence DESC LIMIT 21`,
          [value],
        );
        const plan = rows.map((r: { 'QUERY PLAN': string }) => r['QUERY PLAN']).join('\n');
        expect(plan, column).toContain(
          column === 'model_name' ? 'audit_event_model_name_pattern_sequence_idx' : `audit_event_${column}_sequence_idx`,
        );
        expect(plan, column).not.toMatch(/Seq Scan|audit_event_pkey/);
      }
    } finally {
      await sql.end().catch(() => {});
      await db.close();
      await created.drop();
    }
  });
});

const queries: string[] = [];
describeEachDatabase(
  'F26: subscription replay over events the token cannot see',
  (ctx) => {
    it('filters by scope in SQL and looks the token up once per page, not once per event', async () => {
      const reader = (await createApiToken(ctx.db.prisma, { name: 'f26-reader', role: 'READER', models: ['team-a-*'] }, null)).secret;
      // 1,000 events of another team (5 pages of the feed), then one the reader may see.
      await ctx.db.prisma.$executeRawUnsafe(`
        INSERT INTO audit_event (at, actor, action, model_id, model_name)
        SELECT now(), 'other', 'MODEL_CREATED', i, 'team-b-' || i FROM generate_series(1, 1000) AS i`);
      await ctx.db.prisma.$executeRawUnsafe(
        `INSERT INTO audit_event (at, actor, action, model_id, model_name) VALUES (now(), 'other', 'MODEL_CREATED', 5000, 'team-a-seen')`,
      );
      const yoga = createApp(ctx.db, { security: { auth: 'required' } }).yoga;
      queries.length = 0;
      const subscription = await subscribeSse(
        (url, init) => Promise.resolve(yoga.fetch(url, init)),
        'http://localhost/graphql',
        'subscription { registryEvents(afterSequence: 0) { modelName } }',
        {},
        { authorization: `Bearer ${reader}` },
      );
      try {
        const [first] = await subscription.take(1);
        expect(first.data?.registryEvents.modelName).toBe('team-a-seen');
      } finally {
        await subscription.close();
      }
      const tokenLookups = queries.filter((q) => q.includes('"api_token"')).length;
      // Authentication (1) and the one page holding the visible event (1); it was 1,001 before.
      expect(tokenLookups).toBeLessThanOrEqual(3);
      const eventReads = queries.filter((q) => q.includes('/* readEvents */') && /e\.model_name LIKE/.test(q));
      expect(eventReads.length).toBeGreaterThan(0);
    });
  },
  { onQuery: (query) => queries.push(query) },
);

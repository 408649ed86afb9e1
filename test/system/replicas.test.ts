// Two replicas (two server processes) on one PostgreSQL database, started at the same moment on an
// empty database: the migrations are applied once, and concurrent writers on both keep version
// numbers exact and the alias's history an unbroken chain; the integrity checker passes.
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/client.ts';
import { readMigrations } from '../../src/db/migrator.ts';
import { checkIntegrity } from '../../src/registry/history/integrity.ts';
import { createPostgresDatabase, databases } from '../support/databases.ts';
import { type ServerProcess, killAllServers, postGraphQL, spawnServer } from '../../scripts/faults/server-process.ts';

const hasPostgres = databases.some((d) => d.name === 'postgres');

const CREATE_VERSION = `mutation($input: CreateModelVersionInput!) { createModelVersion(input: $input) {
  __typename ... on ModelVersionPayload { modelVersion { version } } ... on Error { message } } }`;
const SET_ALIAS = `mutation($input: SetModelAliasInput!) { setModelAlias(input: $input) {
  __typename ... on SetModelAliasPayload { changed previousVersion { version } alias { version { version } } }
  ... on ConflictError { currentVersion } ... on Error { message } } }`;

describe.skipIf(!hasPostgres)('two replicas on one PostgreSQL database', () => {
  const cleanups: Array<() => Promise<unknown>> = [];
  afterAll(async () => {
    killAllServers();
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
  });

  it('migrate once, number versions exactly and keep the alias chain unbroken under concurrent writers', { timeout: 120_000 }, async () => {
    const database = await createPostgresDatabase();
    cleanups.push(database.drop);
    const replicas: ServerProcess[] = await Promise.all([spawnServer(database.url), spawnServer(database.url)]);

    const admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
    cleanups.push(() => admin.end());
    const applied = await admin.query<{ migration_name: string; n: string }>(
      `SELECT migration_name, count(*) AS n FROM _prisma_migrations WHERE finished_at IS NOT NULL GROUP BY migration_name ORDER BY 1`,
    );
    expect(applied.rows).toEqual(readMigrations().map((m) => ({ migration_name: m.name, n: '1' })));

    const created = await postGraphQL(replicas[0].url, `mutation { createRegisteredModel(input: { name: "shared" }) { __typename } }`);
    expect(created.data?.createRegisteredModel.__typename).toBe('RegisteredModelPayload');

    // 2 replicas x 6 clients x 6 creates, all at once.
    const numbers: number[] = [];
    await Promise.all(
      replicas.flatMap((replica, r) =>
        Array.from({ length: 6 }, async (_, c) => {
          for (let i = 0; i < 6; i++) {
            const reply = await postGraphQL(replica.url, CREATE_VERSION, {
              input: { name: 'shared', source: `s3://shared/${r}/${c}/${i}` },
            });
            expect(reply.data?.createModelVersion, JSON.stringify(reply)).toMatchObject({ __typename: 'ModelVersionPayload' });
            numbers.push(reply.data.createModelVersion.modelVersion.version);
          }
        }),
      ),
    );
    expect(numbers.sort((a, b) => a - b)).toEqual(Array.from({ length: 72 }, (_, i) => i + 1));

    // Alias moves on one alias from both replicas: half compare-and-set on the version last seen.
    const moves: Array<{ to: number; from: number | null }> = [];
    let conflicts = 0;
    await Promise.all(
      replicas.flatMap((replica, r) =>
        Array.from({ length: 5 }, async (_, c) => {
          let seen = 0;
          for (let i = 0; i < 8; i++) {
            const to = 1 + ((r * 31 + c * 7 + i * 13) % 72);
            const cas = (c + i) % 2 === 0;
            const reply = await postGraphQL(replica.url, SET_ALIAS, {
              input: { name: 'shared', alias: 'production', version: to, ...(cas ? { expectedVersion: seen } : {}) },
            });
            const result = reply.data?.setModelAlias;
            if (result?.__typename === 'ConflictError') {
              conflicts++;
              seen = result.currentVersion ?? 0;
              continue;
            }
            expect(result?.__typename, JSON.stringify(reply)).toBe('SetModelAliasPayload');
            if (result.changed) moves.push({ to, from: result.previousVersion?.version ?? null });
            seen = to;
          }
        }),
      ),
    );
    expect(moves.length).toBeGreaterThan(0);

    const db = await openDatabase({ kind: 'postgres', url: database.url }, { log: false });
    cleanups.push(() => db.close());
    const events = await db.prisma.auditEvent.findMany({ where: { alias: 'production' }, orderBy: { sequence: 'asc' } });
    // Every acknowledged move is one event, and each event starts where the previous one ended.
    expect(events).toHaveLength(moves.length);
    for (const [i, event] of events.entries()) expect(event.previousVersion).toBe(i === 0 ? null : events[i - 1].version);
    expect([...events.map((e) => `${e.previousVersion}->${e.version}`)].sort()).toEqual(moves.map((m) => `${m.from}->${m.to}`).sort());
    const versionEvents = await db.prisma.auditEvent.findMany({ where: { action: 'VERSION_CREATED' }, orderBy: { sequence: 'asc' } });
    expect(versionEvents.map((e) => e.version)).toEqual(Array.from({ length: 72 }, (_, i) => i + 1));

    const report = await checkIntegrity(db.prisma);
    expect(report.violations).toEqual([]);
    expect(report.counts.versions).toBe(72);

    const exits = await Promise.all(replicas.map((replica) => replica.stop('SIGTERM')));
    expect(exits).toEqual([
      { code: 0, signal: null },
      { code: 0, signal: null },
    ]);
    console.info(`two replicas: 72 versions numbered 1..72, ${moves.length} alias moves chained, ${conflicts} compare-and-set conflicts`);
  });
});

// Database outage: the server's own PostgreSQL (a throwaway one, never the shared server) is stopped
// under load and started again. /health turns 503, requests fail fast with the DATABASE_UNAVAILABLE
// GraphQL error (never a hang, never "Unexpected error."), the same server process recovers by
// itself, and every acknowledged write is there afterwards; the integrity checker passes.
import { afterAll, describe, expect, it } from 'vitest';
import { expectAcknowledgedVersionsIntact } from '../support/durability.ts';
import { type ThrowawayPostgres, postgresBinDir, startThrowawayPostgres } from '../../scripts/faults/throwaway-postgres.ts';
import { type ServerProcess, killAllServers, postGraphQL, spawnServer } from '../../scripts/faults/server-process.ts';

/**
 * README (Configuration): a database that is down fails requests at once; one that does not answer
 * at all fails them after the 10 s connection timeout (TX_MAX_WAIT_MS for writes, also 10 s).
 * The bound adds room for the request's own work on a loaded machine.
 */
const REQUEST_BOUND_MS = 15_000;

const binaries = postgresBinDir();
if (!binaries && process.env.REQUIRE_POSTGRES === '1')
  throw new Error('REQUIRE_POSTGRES=1 but no PostgreSQL binaries under /usr/lib/postgresql/*/bin');

const CREATE = `mutation($input: CreateModelVersionInput!) { createModelVersion(input: $input) { __typename ... on ModelVersionPayload { modelVersion { version } } } }`;

async function until(condition: () => Promise<boolean>, limitMs: number, what: string): Promise<number> {
  const started = Date.now();
  while (!(await condition())) {
    if (Date.now() - started > limitMs) throw new Error(`${what}: not within ${limitMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return Date.now() - started;
}

describe.skipIf(!binaries)('database outage (own PostgreSQL, stopped under load)', () => {
  let pg: ThrowawayPostgres | undefined;
  afterAll(async () => {
    killAllServers();
    await pg?.destroy();
  });

  it('turns /health 503, fails requests fast and clearly, recovers without a restart, loses nothing acknowledged', {
    timeout: 120_000,
  }, async () => {
    pg = await startThrowawayPostgres();
    const server: ServerProcess = await spawnServer(pg.url);
    const health = async () => (await fetch(`${server.origin}/health`, { signal: AbortSignal.timeout(REQUEST_BOUND_MS) })).status;
    await postGraphQL(server.url, `mutation { createRegisteredModel(input: { name: "outage" }) { __typename } }`);

    const acknowledged: string[] = [];
    const failures: Array<{ ms: number; code: unknown; message: string }> = [];
    let slowest = 0;
    let running = true;
    let sent = 0;
    const clients = Array.from({ length: 4 }, async (_, c) => {
      for (let i = 0; running; i++) {
        const source = `s3://outage/${c}/${i}`;
        const started = Date.now();
        sent++;
        const reply = await postGraphQL(server.url, CREATE, { input: { name: 'outage', source } }, REQUEST_BOUND_MS + 5_000);
        const ms = Date.now() - started;
        slowest = Math.max(slowest, ms);
        if (reply.data?.createModelVersion?.__typename === 'ModelVersionPayload') acknowledged.push(source);
        else {
          failures.push({ ms, code: reply.errors?.[0]?.extensions?.code, message: reply.errors?.[0]?.message ?? JSON.stringify(reply) });
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      }
    });

    await until(async () => acknowledged.length >= 20, 30_000, '20 writes before the outage');
    const stoppedAt = Date.now();
    await pg.stop('fast');
    await until(async () => (await health()) === 503, 10_000, '/health 503');
    const detectionMs = Date.now() - stoppedAt;
    const body = await (await fetch(`${server.origin}/health`)).json();
    expect(body).toMatchObject({ status: 'unavailable' });
    const failuresBefore = failures.length;
    await until(async () => failures.length >= failuresBefore + 20, 30_000, '20 failed requests during the outage');

    await pg.start();
    const recoveryMs = await until(async () => (await health()) === 200, 30_000, '/health 200 again');
    const ackedBeforeRecovery = acknowledged.length;
    await until(async () => acknowledged.length >= ackedBeforeRecovery + 20, 30_000, '20 writes after the outage');
    running = false;
    await Promise.all(clients);

    expect(server.child.exitCode).toBeNull(); // the same process served throughout
    expect(failures.length).toBeGreaterThanOrEqual(20);
    for (const failure of failures) {
      expect(failure.code, `${failure.message}; server log: ${server.stderr().slice(0, 3000)}`).toBe('DATABASE_UNAVAILABLE');
      expect(failure.ms).toBeLessThan(REQUEST_BOUND_MS);
    }
    expect(server.stderr()).not.toContain('Unexpected error');

    // A database that hangs (processes stopped, connections accepted by the kernel, never
    // answered): requests still end, with the same error, once the timeouts expire.
    await pg.freeze();
    const hung = await Promise.all(
      [
        'mutation { createModelVersion(input: { name: "outage", source: "s3://outage/hung" }) { __typename } }',
        '{ registeredModels { totalCount } }',
      ].map(async (query) => {
        const started = Date.now();
        const reply = await postGraphQL(server.url, query, undefined, REQUEST_BOUND_MS + 5_000);
        return { ms: Date.now() - started, code: reply.errors?.[0]?.extensions?.code, message: reply.errors?.[0]?.message };
      }),
    );
    expect(await health()).toBe(503);
    await pg.thaw();
    for (const reply of hung) {
      expect(reply.code, reply.message).toBe('DATABASE_UNAVAILABLE');
      expect(reply.ms).toBeLessThan(REQUEST_BOUND_MS);
    }
    await until(async () => (await health()) === 200, 30_000, '/health 200 after the hang');

    await expectAcknowledgedVersionsIntact({ kind: 'postgres', url: pg.url }, acknowledged);
    expect(await server.stop('SIGTERM')).toEqual({ code: 0, signal: null });
    const failedMs = failures.map((f) => f.ms).sort((a, b) => a - b);
    console.info(
      `outage: /health 503 ${detectionMs} ms after the stop; ${failures.length} requests failed with DATABASE_UNAVAILABLE ` +
        `(median ${failedMs[failedMs.length >> 1]} ms, slowest ${failedMs.at(-1)} ms); /health 200 ${recoveryMs} ms after PostgreSQL accepted connections again; ` +
        `${acknowledged.length} of ${sent} writes acknowledged, all present; slowest request ${slowest} ms; ` +
        `hung database: requests failed after ${hung.map((h) => h.ms).join(' and ')} ms`,
    );
  });
});

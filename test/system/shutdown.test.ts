// Graceful shutdown under load: SIGTERM to a server process on a PGlite folder while clients keep
// sending writes. Every request sent before the signal gets its full answer, the process exits 0
// within the documented shutdown time (README: in-flight requests get up to 10 s, then the
// database is closed), and on reopening the folder every acknowledged write is there and the
// integrity checker passes.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { expectAcknowledgedVersionsIntact } from '../support/durability.ts';
import { killAllServers, postGraphQL, spawnServer } from '../../scripts/faults/server-process.ts';

/** DEFAULT_SHUTDOWN_TIMEOUT_MS (10 s) plus closing PGlite and the process exit, with room for a loaded machine. */
const EXIT_BOUND_MS = 20_000;

const CREATE = `mutation($input: CreateModelVersionInput!) { createModelVersion(input: $input) { __typename ... on ModelVersionPayload { modelVersion { version } } } }`;

describe('graceful shutdown under load (PGlite folder)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'registry-shutdown-'));
  afterAll(() => {
    killAllServers();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers every request sent before SIGTERM, exits 0, and the folder reopens intact', { timeout: 120_000 }, async () => {
    const server = await spawnServer(`pglite:${dir}`);
    await postGraphQL(server.url, `mutation { createRegisteredModel(input: { name: "shutdown" }) { __typename } }`);

    let signalledAt = 0;
    const acknowledged: string[] = [];
    const sentBeforeSignal: Array<{ source: string; outcome: string }> = [];
    let refusedAfter = 0;
    let answeredAfter = 0;
    const clients = Array.from({ length: 8 }, async (_, c) => {
      for (let i = 0; ; i++) {
        const source = `s3://shutdown/${c}/${i}`;
        const before = signalledAt === 0;
        let outcome: string;
        try {
          // fetch keeps its connections alive, as real clients and proxies do: a request sent before
          // the signal is on a connection the server has accepted. (Connections still waiting in the
          // listen backlog when the server stops listening are reset by the kernel: RELIABILITY.md.)
          const response = await fetch(server.url, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ query: CREATE, variables: { input: { name: 'shutdown', source } } }),
          });
          const reply = { status: response.status, text: await response.text() };
          const typename = JSON.parse(reply.text).data?.createModelVersion?.__typename;
          outcome = typename === 'ModelVersionPayload' ? 'acknowledged' : `answered ${reply.status} ${reply.text.slice(0, 200)}`;
          if (outcome === 'acknowledged') acknowledged.push(source);
          if (!before) answeredAfter++;
        } catch (error) {
          outcome = `no answer: ${(error as NodeJS.ErrnoException).code ?? String((error as any).cause?.code ?? error)}`;
          if (!before) {
            refusedAfter++;
            return; // the server is gone: stop this client
          }
        }
        if (before) sentBeforeSignal.push({ source, outcome });
      }
    });

    while (acknowledged.length < 40) await new Promise((resolve) => setTimeout(resolve, 10));
    signalledAt = Date.now();
    server.child.kill('SIGTERM');
    const exit = await server.exited;
    const exitMs = Date.now() - signalledAt;
    await Promise.all(clients);

    expect(exit).toEqual({ code: 0, signal: null });
    expect(exitMs).toBeLessThan(EXIT_BOUND_MS);
    expect(sentBeforeSignal.filter((r) => r.outcome !== 'acknowledged')).toEqual([]);
    expect(server.stderr()).toContain('model registry stopped');

    await expectAcknowledgedVersionsIntact({ kind: 'pglite', dataDir: dir }, acknowledged);
    console.info(
      `graceful shutdown: ${sentBeforeSignal.length} requests sent before SIGTERM, all answered; ${answeredAfter} answered and ` +
        `${refusedAfter} refused after it; exit 0 after ${exitMs} ms; ${acknowledged.length} acknowledged writes intact on reopen`,
    );
  });
});

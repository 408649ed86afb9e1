// SIGKILL mid-burst, on PGlite (a data folder: the engine dies with the process) and on PostgreSQL:
// after several kills and restarts on the same data, every acknowledged mutation is there, nothing
// unacknowledged is half there, and the integrity checker passes (scripts/faults/crash.ts).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCrashRounds } from '../../scripts/faults/crash.ts';
import { killAllServers } from '../../scripts/faults/server-process.ts';
import { createPostgresDatabase, databases } from '../support/databases.ts';

describe('crash: SIGKILL mid-burst, restart on the same data', () => {
  const cleanups: Array<() => Promise<unknown>> = [];
  afterAll(async () => {
    killAllServers();
    for (const cleanup of cleanups) await cleanup().catch(() => {});
  });

  for (const { name } of databases) {
    it(`[${name}] keeps every acknowledged mutation over 3 kill points`, { timeout: 240_000 }, async () => {
      let databaseUrl: string;
      if (name === 'postgres') {
        const database = await createPostgresDatabase();
        cleanups.push(database.drop);
        databaseUrl = database.url;
      } else {
        const dir = mkdtempSync(path.join(tmpdir(), 'registry-crash-'));
        cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
        databaseUrl = `pglite:${dir}`;
      }
      const figures = await runCrashRounds({ databaseUrl, killAfterAcks: [1, 12, 30], clients: 6, opsPerClient: 10 });
      expect(figures.problems).toEqual([]);
      expect(figures.integrity.violations).toEqual([]);
      expect(figures.rounds.map((r) => r.acknowledged >= r.killAfterAcks)).toEqual([true, true, true]);
      // Requests were in flight when the process died (or the test proves little).
      expect(figures.rounds.some((r) => r.inFlightAtKill > 0)).toBe(true);
      expect(figures.acknowledged.versions).toBeGreaterThan(3);
      expect(figures.acknowledged.aliasMoves + figures.acknowledged.tags).toBeGreaterThan(5);
      console.info(
        `[${name}] crash figures: ${JSON.stringify(figures.rounds)} ${JSON.stringify(figures.acknowledged)} ${JSON.stringify(figures.unacknowledged)}`,
      );
    });
  }
});

// Export and import: a registry built on PGlite moves to PostgreSQL through the `npm run import`
// command with every row and every event (sequence, time, actor) intact, passes the integrity check
// there, and keeps numbering where the source stopped; exporting it again from PostgreSQL gives the
// same file. Incomplete files and non-empty targets are refused without writing anything.
import { execFile } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/client.ts';
import type { Database } from '../../src/db/database.ts';
import { checkIntegrity } from '../../src/registry/history/integrity.ts';
import { ImportError, exportRegistryConsistently, importRegistry } from '../../src/registry/history/transfer.ts';
import { createPostgresDatabase, databases } from '../support/databases.ts';
import { graphqlClient } from '../support/graphql.ts';
import { seedModels } from '../support/seed.ts';
import { buildVariedRegistry, mutate } from '../support/varied-registry.ts';

const projectRoot = fileURLToPath(new URL('../..', import.meta.url));
const hasPostgres = databases.some((d) => d.name === 'postgres');

function runScript(script: string, args: string[], databaseUrl: string) {
  return promisify(execFile)(process.execPath, ['--import', 'tsx', script, ...args], {
    cwd: projectRoot,
    env: { ...process.env, DATABASE_URL: databaseUrl },
  }).then(
    (r) => ({ code: 0, stderr: r.stderr }),
    (e: { code: number; stderr: string }) => ({ code: e.code, stderr: e.stderr }),
  );
}

async function exportToFile(db: Database, file: string) {
  const out = createWriteStream(file);
  const counts = await exportRegistryConsistently(
    db.prisma,
    async (line) => {
      if (!out.write(line)) await once(out, 'drain');
    },
    { batchSize: 5 },
  );
  out.end();
  await once(out, 'finish');
  return counts;
}

/** The file without its header line (which carries the export time). */
const body = (file: string) => readFileSync(file, 'utf8').split('\n').slice(1).join('\n');

async function* linesOf(text: string) {
  yield* text.split('\n');
}

describe('export and import', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'registry-export-'));
  const exported = path.join(dir, 'pglite.jsonl');
  let source: Database;
  const cleanups: Array<() => Promise<unknown>> = [];

  beforeAll(async () => {
    source = await openDatabase({ kind: 'pglite', dataDir: null }, { log: false });
    await buildVariedRegistry(graphqlClient(source), 'transfer');
    await seedModels(source.prisma, { prefix: 'transfer-seed', models: 3, versions: 3 });
  });
  afterAll(async () => {
    await source?.close();
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  });

  it('exports every row and event as one JSON line each, between a header and an end line with counts', async () => {
    const counts = await exportToFile(source, exported);
    const records = readFileSync(exported, 'utf8')
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(records[0]).toMatchObject({ type: 'header', format: 'model-registry-export', formatVersion: 1 });
    expect(records.at(-1)).toEqual({ type: 'end', counts });
    const integrity = await checkIntegrity(source.prisma);
    expect(counts).toEqual({
      model: integrity.counts.models,
      modelTag: integrity.counts.modelTags,
      version: integrity.counts.versions,
      versionTag: integrity.counts.versionTags,
      alias: integrity.counts.aliases,
      event: integrity.counts.events,
    });
    const types = records.slice(1, -1).map((r) => r.type);
    expect(types.filter((t) => t === 'event')).toHaveLength(counts.event);
    // Sections in order, never interleaved.
    expect([...new Set(types)]).toEqual(['model', 'modelTag', 'version', 'versionTag', 'alias', 'event']);
    const seeded = records.find((r) => r.type === 'event' && r.actor === 'seed');
    expect(seeded).toMatchObject({ at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/) });
  });

  it.skipIf(!hasPostgres)(
    'npm run import moves it into PostgreSQL intact; npm run export there gives the same file',
    async () => {
      const target = await createPostgresDatabase();
      cleanups.push(target.drop);
      const imported = await runScript('scripts/import.ts', ['--in', exported], target.url);
      expect(imported.code, imported.stderr).toBe(0);
      expect(imported.stderr).toContain('integrity check passed');

      const reexported = path.join(dir, 'postgres.jsonl');
      const again = await runScript('scripts/export.ts', ['--out', reexported], target.url);
      expect(again.code, again.stderr).toBe(0);
      expect(body(reexported)).toBe(body(exported));

      const db = await openDatabase({ kind: 'postgres', url: target.url }, { log: false });
      try {
        expect((await checkIntegrity(db.prisma)).violations).toEqual([]);
        // New writes continue the numbering, ids and history of the source.
        const before = await db.prisma.auditEvent.aggregate({ _max: { sequence: true } });
        const client = graphqlClient(db);
        await mutate(client, 'createModelVersion', { name: 'transfer-a', source: 's3://after-import' });
        await mutate(client, 'createRegisteredModel', { name: 'transfer-new' });
        const version = await db.prisma.modelVersion.findFirst({ where: { source: 's3://after-import' } });
        expect(version?.version).toBe(5);
        const events = await db.prisma.auditEvent.findMany({
          where: { sequence: { gt: before._max.sequence! } },
          orderBy: { sequence: 'asc' },
        });
        expect(events.map((e) => e.sequence)).toEqual([before._max.sequence! + 1, before._max.sequence! + 2]);
        expect((await checkIntegrity(db.prisma)).violations).toEqual([]);

        const refused = await runScript('scripts/import.ts', ['--in', exported], target.url);
        expect(refused.code).toBe(1);
        expect(refused.stderr).toMatch(/import failed: the target database is not empty/);
      } finally {
        await db.close();
      }
    },
    180_000,
  );

  it.skipIf(!hasPostgres)('refuses a truncated or reordered file and writes nothing', async () => {
    const target = await createPostgresDatabase();
    cleanups.push(target.drop);
    const db = await openDatabase({ kind: 'postgres', url: target.url }, { log: false });
    try {
      const lines = readFileSync(exported, 'utf8').trimEnd().split('\n');
      await expect(importRegistry(db.prisma, linesOf(lines.slice(0, -5).join('\n')))).rejects.toThrow(
        /without its "end" line: it is truncated; nothing was imported/,
      );
      const eventLine = lines.findIndex((l) => l.startsWith('{"type":"event"'));
      const reordered = [lines[0], lines[eventLine], ...lines.slice(1, eventLine), ...lines.slice(eventLine + 1)];
      await expect(importRegistry(db.prisma, linesOf(reordered.join('\n')))).rejects.toThrow(/a model record after event records/);
      const miscounted = [...lines.slice(0, -1), lines.at(-1)!.replace(/"event":(\d+)/, (_, n) => `"event":${Number(n) + 1}`)];
      await expect(importRegistry(db.prisma, linesOf(miscounted.join('\n')))).rejects.toThrow(ImportError);
      expect(await db.prisma.registeredModel.count()).toBe(0);
      expect(await db.prisma.auditEvent.count()).toBe(0);
      // A history that disagrees with the state is refused by the integrity check.
      const tampered = lines.map((l) =>
        l.includes('"type":"modelTag"') && l.includes('"key":"tier"') ? l.replace('"value":"2"', '"value":"9"') : l,
      );
      writeFileSync(path.join(dir, 'tampered.jsonl'), tampered.join('\n'));
      await expect(importRegistry(db.prisma, linesOf(tampered.join('\n')))).rejects.toThrow(
        /fails the integrity check[\s\S]*tag "tier" is "9", history says "2"/,
      );
      expect(await db.prisma.registeredModel.count()).toBe(0);
    } finally {
      await db.close();
    }
  });
});

// The integrity checker passes on a registry built through the API and names the violated invariant
// for each kind of corruption. Corruptions run inside a transaction that is rolled back, so every
// test starts from the same intact registry; the last test corrupts for real to see `npm run check`
// exit 1.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, expect, it } from 'vitest';
import type { AuditAction } from '../../src/generated/prisma/client.ts';
import { EVENT_DETAIL_FIELDS, type EventWrite, HISTORY_EVENTS, historyEvent } from '../../src/registry/history/events.ts';
import { type IntegrityReport, checkIntegrity } from '../../src/registry/history/integrity.ts';
import type { Tx } from '../../src/store/sql.ts';
import { POSTGRES_ADMIN_URL, describeEachDatabase } from '../support/databases.ts';
import { graphqlClient } from '../support/graphql.ts';
import { buildVariedRegistry } from '../support/varied-registry.ts';

const projectRoot = fileURLToPath(new URL('../..', import.meta.url));

class Rollback extends Error {
  constructor(readonly report: IntegrityReport) {
    super('rollback');
  }
}

describeEachDatabase('integrity checker', (ctx) => {
  let names: string[];
  beforeAll(async () => {
    names = await buildVariedRegistry(graphqlClient(ctx.db), 'integrity');
  });

  /** The report on the data as `corrupt` leaves it; the corruption is rolled back afterwards. */
  async function checkAfter(corrupt: (tx: Tx) => Promise<unknown>): Promise<IntegrityReport> {
    try {
      await ctx.db.prisma.$transaction(async (tx) => {
        await corrupt(tx);
        throw new Rollback(await checkIntegrity(tx));
      });
    } catch (error) {
      if (error instanceof Rollback) return error.report;
      throw error;
    }
    throw new Error('unreachable');
  }

  function invariants(report: IntegrityReport): string[] {
    return [...new Set(report.violations.map((v) => v.invariant))].sort();
  }

  const modelA = () => names[0];

  it('passes on a registry built through the API, having replayed all of it', async () => {
    const report = await checkIntegrity(ctx.db.prisma, { batchSize: 7 });
    expect(report.violations).toEqual([]);
    expect(report.counts).toMatchObject({ models: 3, versions: 6, aliases: 4 });
    expect(report.counts.events).toBeGreaterThan(35);
    expect(report.checked.map((line) => line.split(':')[0])).toEqual([
      'version-numbers',
      'alias-targets',
      'sequence',
      'serials',
      'alias-chains',
      'replay',
    ]);
  });

  it("finds a version numbered above the model's last_version", async () => {
    const report = await checkAfter((tx) => tx.$executeRaw`UPDATE registered_model SET last_version = 2 WHERE name = ${modelA()}`);
    expect(invariants(report)).toContain('version-numbers');
    expect(report.violations.map((v) => v.message)).toContain(
      `version 3 of model "${modelA()}" is outside 1..2 (the model's last_version)`,
    );
  });

  it('finds a version number used twice in one model', async () => {
    const report = await checkAfter(async (tx) => {
      await tx.$executeRawUnsafe('DROP INDEX model_version_model_id_version_key');
      await tx.$executeRaw`UPDATE model_version SET version = 3
        WHERE version = 4 AND model_id = (SELECT id FROM registered_model WHERE name = ${modelA()})`;
    });
    expect(report.violations).toContainEqual({
      invariant: 'version-numbers',
      message: `version 3 of model "${modelA()}" exists more than once`,
    });
  });

  it('finds an alias pointing at a version of another model', async () => {
    const report = await checkAfter(
      (tx) => tx.$executeRaw`
      UPDATE model_alias SET version_id = (SELECT v.id FROM model_version v JOIN registered_model m ON m.id = v.model_id WHERE m.name = ${names[1]} AND v.version = 1)
      WHERE alias = 'staging' AND model_id = (SELECT id FROM registered_model WHERE name = ${modelA()})`,
    );
    expect(report.violations).toContainEqual({
      invariant: 'alias-targets',
      message: `alias "staging" of model "${modelA()}" points at version 1 of another model ("${names[1]}")`,
    });
  });

  it('finds state changed without history: a tag value, a description, a deleted version, a status', async () => {
    const report = await checkAfter(async (tx) => {
      await tx.$executeRaw`UPDATE registered_model_tag SET value = '3' WHERE key = 'tier'`;
      await tx.$executeRaw`UPDATE registered_model SET description = 'edited' WHERE name = ${modelA()}`;
      await tx.$executeRaw`UPDATE model_version SET status = 'READY' WHERE version = 1
        AND model_id = (SELECT id FROM registered_model WHERE name = ${modelA()})`;
      await tx.$executeRaw`DELETE FROM model_version WHERE version = 1
        AND model_id = (SELECT id FROM registered_model WHERE name = ${names[2]})`;
    });
    expect(invariants(report)).toEqual(['replay']);
    const messages = report.violations.map((v) => v.message);
    expect(messages).toContain(`model "${modelA()}": tag "tier" is "3", history says "2"`);
    expect(messages).toContain(`model "${modelA()}": description is "edited", history says "first, revised"`);
    expect(messages).toContain(`version 1 of model "${modelA()}": status is "READY", history says "FAILED_REGISTRATION"`);
    expect(messages).toContain(`version 1 of model "${names[2]}" is in history but not stored`);
  });

  it('finds state that history never recorded: an extra tag and an extra model', async () => {
    const report = await checkAfter(async (tx) => {
      await tx.$executeRaw`INSERT INTO registered_model_tag (model_id, key, value) SELECT id, 'sneaky', 'x' FROM registered_model WHERE name = ${modelA()}`;
      await tx.$executeRaw`INSERT INTO registered_model (name, created_at, updated_at) VALUES ('integrity-unrecorded', now(), now())`;
    });
    const messages = report.violations.map((v) => v.message);
    expect(messages).toContain(`model "${modelA()}": tag "sneaky" is stored but not in history`);
    expect(
      messages.some(
        (m) => m.startsWith('model "integrity-unrecorded" (id ') && m.endsWith('is stored but history never created it (or deleted it)'),
      ),
    ).toBe(true);
  });

  it('finds a broken alias chain when an event is lost', async () => {
    const report = await checkAfter(
      (tx) => tx.$executeRaw`
      DELETE FROM audit_event WHERE sequence = (SELECT min(sequence) FROM audit_event WHERE action = 'ALIAS_SET' AND alias = 'production')`,
    );
    expect(report.violations).toContainEqual(
      expect.objectContaining({
        invariant: 'alias-chains',
        message: expect.stringContaining(
          `alias "production" previousVersion is 1, but the alias's previous event left it at null (absent)`,
        ),
      }),
    );
  });

  it('finds an event carrying a detail its action does not carry', async () => {
    const report = await checkAfter(
      (tx) => tx.$executeRaw`
      UPDATE audit_event SET alias = 'stray' WHERE sequence = (SELECT min(sequence) FROM audit_event WHERE action = 'MODEL_CREATED')`,
    );
    expect(invariants(report)).toEqual(['replay']);
    expect(report.violations).toContainEqual(
      expect.objectContaining({
        message: expect.stringMatching(/^event \d+ \(MODEL_CREATED, model "[^"]+"\): alias is set, but MODEL_CREATED carries none$/),
      }),
    );
  });

  it('finds an alias left on a deleted version', async () => {
    const report = await checkAfter((tx) => tx.$executeRaw`DELETE FROM audit_event WHERE action = 'ALIAS_DELETED' AND alias = 'old'`);
    expect(report.violations).toContainEqual(
      expect.objectContaining({
        invariant: 'alias-chains',
        message: expect.stringContaining('alias "old" still points at version 2; no ALIAS_DELETED preceded the deletion'),
      }),
    );
  });

  it('finds a model whose history runs backwards in time', async () => {
    const report = await checkAfter(
      (tx) => tx.$executeRaw`
      UPDATE audit_event SET at = at - interval '1 hour' WHERE sequence = (SELECT max(sequence) FROM audit_event WHERE model_name = ${modelA()})`,
    );
    expect(invariants(report)).toContain('sequence');
    expect(report.violations.find((v) => v.invariant === 'sequence')?.message).toMatch(/before its previous event/);
  });

  it('finds a serial counter behind the stored values', async () => {
    // setval is not transactional: put the counter back by hand.
    const report = await checkAfter((tx) => tx.$queryRaw`SELECT setval(pg_get_serial_sequence('audit_event', 'sequence'), 1)`).finally(
      () =>
        ctx.db.prisma.$queryRaw`SELECT setval(pg_get_serial_sequence('audit_event', 'sequence'), (SELECT max(sequence) FROM audit_event))`,
    );
    expect(report.violations).toContainEqual(
      expect.objectContaining({
        invariant: 'serials',
        message: expect.stringMatching(/^audit_event\.sequence counter is at 1 but the table holds \d+/),
      }),
    );
  });

  it('npm run check prints every check and exits 0, then 1 with the violation once data is corrupted', async () => {
    if (ctx.kind !== 'postgres') return; // an in-memory PGlite cannot be opened by another process
    const url = new URL(POSTGRES_ADMIN_URL);
    url.pathname = `/${ctx.db.databaseName}`;
    const run = () =>
      promisify(execFile)(process.execPath, ['--import', 'tsx', 'scripts/check.ts'], {
        cwd: projectRoot,
        env: { ...process.env, DATABASE_URL: url.toString() },
      }).then(
        (r) => ({ code: 0, stdout: r.stdout }),
        (e: { code: number; stdout: string }) => ({ code: e.code, stdout: e.stdout }),
      );
    const intact = await run();
    expect(intact.code, intact.stdout).toBe(0);
    expect(intact.stdout).toMatch(/^checked replay: /m);
    expect(intact.stdout).toMatch(/^OK: no violations/m);

    await ctx.db.prisma.$executeRaw`UPDATE registered_model_tag SET value = '3' WHERE key = 'tier'`;
    const corrupted = await run();
    expect(corrupted.code).toBe(1);
    expect(corrupted.stdout).toContain(`VIOLATION [replay] model "${modelA()}": tag "tier" is "3", history says "2"`);
    expect(corrupted.stdout).toMatch(/^FAILED: 1 violation\(s\)/m);
  });
});

// A write per action, every value set: a builder that sets a detail its action does not carry shows.
const SAMPLE_WRITES: { [A in AuditAction]: EventWrite<A> } = {
  MODEL_CREATED: { description: 'd' },
  MODEL_UPDATED: { previous: 'p', description: 'd' },
  MODEL_RENAMED: { from: 'a', to: 'b' },
  MODEL_DELETED: { deletedVersions: 2 },
  VERSION_CREATED: { version: 1, source: 's' },
  VERSION_UPDATED: { version: 1, field: 'status', from: 'READY', to: 'FAILED_REGISTRATION' },
  VERSION_DELETED: { version: 1 },
  MODEL_TAG_SET: { key: 'k', value: 'v', previous: 'p' },
  MODEL_TAG_DELETED: { key: 'k', previous: 'p' },
  VERSION_TAG_SET: { version: 1, key: 'k', value: 'v', previous: 'p' },
  VERSION_TAG_DELETED: { version: 1, key: 'k', previous: 'p' },
  ALIAS_SET: { alias: 'a', version: 2, previousVersion: 1 },
  ALIAS_DELETED: { alias: 'a', previousVersion: 1 },
  VERSION_STAGE_CHANGED: { version: 1, from: 'NONE', to: 'STAGING' },
  MODEL_IMPORTED: { lastVersion: 3, createdAt: new Date(0), description: 'd' },
  VERSION_IMPORTED: { version: 1, createdAt: new Date(0), source: 's' },
};

it.each(Object.keys(HISTORY_EVENTS) as AuditAction[])('a %s event sets exactly the details its action carries', (action) => {
  const event = historyEvent(action, SAMPLE_WRITES[action] as never);
  const set = EVENT_DETAIL_FIELDS.filter((field) => event[field] !== null);
  expect(set).toEqual(EVENT_DETAIL_FIELDS.filter((field) => (HISTORY_EVENTS[action].carries as readonly string[]).includes(field)));
});

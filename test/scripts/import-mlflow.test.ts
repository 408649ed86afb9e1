// `npm run import:mlflow` end to end, as a person runs it: from an MLflow-shaped SQLite file and
// PostgreSQL database that the test creates, and from a REST stand-in speaking MLflow's recorded
// shapes, into our registry; then the imported registry answers MLflow's own API as the source did,
// numbers new versions above MLflow's high-water marks, passes the integrity check, and a rerun
// records nothing. Bad sources and contradictions import nothing.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/client.ts';
import type { Database } from '../../src/db/database.ts';
import { checkIntegrity } from '../../src/registry/history/integrity.ts';
import { createPostgresDatabase, databases } from '../support/databases.ts';
import type { MlflowData } from '../support/mlflow-data.ts';
import { createMlflowPostgres, createMlflowSqlite } from '../support/mlflow-databases.ts';
import { startMlflowStandIn } from '../support/mlflow-rest-stand-in.ts';
import { mlflowClient } from '../support/mlflow.ts';
import { processes } from '../support/processes.ts';

const T = 1_700_000_000_000;
const API = '/api/2.0/mlflow';

/** fraud: versions 1, 2 and 4 live, 3 and 5 deleted (MLflow's next is 6); iris: a NULL tag value. */
const DATA: MlflowData = {
  models: [
    {
      name: 'fraud',
      description: 'card fraud',
      createdAt: T,
      updatedAt: T + 50,
      tags: { team: 'risk' },
      aliases: { champion: 4, challenger: 2, stale: 3 },
      versions: [
        { version: 1, source: 's3://m/fraud/1', runId: 'r1', createdAt: T + 1, updatedAt: T + 1, stage: 'Archived' },
        { version: 2, source: 's3://m/fraud/2', createdAt: T + 2, updatedAt: T + 2, tags: { approved: 'true' }, description: 'v2' },
        { version: 3, source: 's3://m/fraud/3', createdAt: T + 3, updatedAt: T + 3, deleted: true },
        { version: 4, source: 's3://m/fraud/4', runId: 'r4', createdAt: T + 4, updatedAt: T + 4, stage: 'Production' },
        { version: 5, source: 's3://m/fraud/5', createdAt: T + 5, updatedAt: T + 5, deleted: true },
      ],
    },
    { name: 'iris', createdAt: T + 10, updatedAt: T + 10, tags: { owner: null } },
  ],
};

const cli = processes(process.env);
const runImport = (args: string[], databaseUrl: string, env: Record<string, string> = {}) =>
  cli.run(['scripts/import-mlflow.ts', ...args], { DATABASE_URL: databaseUrl, ...env });

/** What our MLflow front door answers about the imported registry, and the next version's number. */
async function inspect(db: Database) {
  const client = mlflowClient(db);
  const fraud = (await client.call({ path: `${API}/registered-models/get?name=fraud` })).json.registered_model;
  const v4 = (await client.call({ path: `${API}/model-versions/get?name=fraud&version=4` })).json.model_version;
  const iris = (await client.call({ path: `${API}/registered-models/get?name=iris` })).json.registered_model;
  const next = await client.call({
    method: 'POST',
    path: `${API}/model-versions/create`,
    body: { name: 'fraud', source: 's3://m/fraud/next' },
  });
  const integrity = await checkIntegrity(db.prisma);
  const actors = await db.prisma.auditEvent.groupBy({ by: ['actor'], _count: true });
  return { fraud, v4, iris, next: next.json.model_version.version, violations: integrity.violations, actors };
}

function expectImported(state: Awaited<ReturnType<typeof inspect>>, nextVersion: string) {
  expect(state.fraud).toMatchObject({
    name: 'fraud',
    description: 'card fraud',
    creation_timestamp: T,
    tags: [{ key: 'team', value: 'risk' }],
    aliases: expect.arrayContaining([
      { alias: 'champion', version: '4' },
      { alias: 'challenger', version: '2' },
    ]),
  });
  expect(state.fraud.aliases).toHaveLength(2);
  expect(state.v4).toMatchObject({
    version: '4',
    current_stage: 'Production',
    run_id: 'r4',
    source: 's3://m/fraud/4',
    creation_timestamp: T + 4,
  });
  expect(state.iris.tags).toEqual([{ key: 'owner', value: '' }]);
  expect(state.next).toBe(nextVersion);
  expect(state.violations).toEqual([]);
}

// Each step is a child process (tsx start-up and a fresh database's migrations): a few seconds on a
// quiet machine, far more on a loaded one.
describe('npm run import:mlflow', { timeout: 180_000 }, () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'import-mlflow-'));
  });
  afterAll(() => {
    cli.killAll();
    rmSync(dir, { recursive: true, force: true });
  });

  describe('from MLflow’s SQLite database, into the embedded database', () => {
    let target: string;
    let first: Awaited<ReturnType<typeof runImport>>;
    beforeAll(async () => {
      await createMlflowSqlite(join(dir, 'mlflow.db'), DATA);
      target = `pglite:${join(dir, 'registry')}`;
      first = await runImport(['--from-db', `sqlite:///${join(dir, 'mlflow.db')}`], target);
    });

    it('imports every model, version, tag, alias and stage, and says what it adjusted', () => {
      expect(first.code, first.stderr).toBe(0);
      expect(first.stdout).toContain(
        'imported from MLflow database mlflow.db: 2 models (2 new, 0 updated, 0 unchanged), 3 versions (3 new, 0 updated, 0 unchanged)',
      );
      expect(first.stdout).toMatch(/^warning: .*iris.*owner/m);
      expect(first.stdout).toMatch(/^warning: .*stale/m);
      expect(first.stdout).toContain('integrity check passed');
      expect(first.stderr).toContain('applied 2/2 models');
    });

    it('changes nothing on a rerun', async () => {
      const again = await runImport(['--from-db', join(dir, 'mlflow.db')], target);
      expect(again.code, again.stderr).toBe(0);
      expect(again.stdout).toContain('2 models (0 new, 0 updated, 2 unchanged)');
      expect(again.stdout).toContain('0 history event(s) by import:mlflow: nothing to do');
    });

    it('answers MLflow’s API as the source did, and numbers the next version above MLflow’s deleted ones', async () => {
      const db = await openDatabase({ kind: 'pglite', dataDir: join(dir, 'registry') }, { log: false });
      try {
        const state = await inspect(db);
        expectImported(state, '6');
        expect(state.actors.map((a) => a.actor).sort()).toEqual(['import:mlflow', null]);
      } finally {
        await db.close();
      }
    });
  });

  describe.runIf(databases.some((d) => d.name === 'postgres'))('from MLflow’s PostgreSQL database, into PostgreSQL', () => {
    it('imports the same registry, with the same high-water marks', async () => {
      const source = await createMlflowPostgres(DATA);
      const target = await createPostgresDatabase();
      try {
        const run = await runImport(['--from-db', source.url.replace('postgres://', 'postgresql+psycopg2://')], target.url);
        expect(run.code, run.stderr).toBe(0);
        expect(run.stdout).toContain('2 models (2 new, 0 updated, 0 unchanged), 3 versions (3 new');
        const db = await openDatabase({ kind: 'postgres', url: target.url }, { log: false });
        try {
          expectImported(await inspect(db), '6');
        } finally {
          await db.close();
        }
      } finally {
        await source.drop();
        await target.drop();
      }
    });
  });

  describe('over MLflow’s REST API', () => {
    it('imports with the token, numbering above the highest live version (REST cannot see deleted ones)', async () => {
      const standIn = await startMlflowStandIn(DATA, { token: 's3cret', maxPageSize: 1 });
      try {
        const target = `pglite:${join(dir, 'from-rest')}`;
        const run = await runImport(['--from', standIn.url], target, { MLFLOW_TRACKING_TOKEN: 's3cret' });
        expect(run.code, run.stderr).toBe(0);
        expect(run.stdout).toContain(`imported from MLflow at ${standIn.url}`);
        expect(run.stdout).toMatch(/^warning: .*--from-db/m);
        const db = await openDatabase({ kind: 'pglite', dataDir: join(dir, 'from-rest') }, { log: false });
        try {
          expectImported(await inspect(db), '5');
        } finally {
          await db.close();
        }
      } finally {
        await standIn.close();
      }
    });

    it('imports nothing when the source fails part-way, and says where', async () => {
      const standIn = await startMlflowStandIn(DATA, {
        token: 's3cret',
        maxPageSize: 1,
        faults: [{ endpoint: 'model-versions/search', call: 2, answer: 'malformed-json' }],
      });
      try {
        const target = `pglite:${join(dir, 'partial')}`;
        const run = await runImport(['--from', standIn.url], target, { MLFLOW_TRACKING_TOKEN: 's3cret' });
        expect(run.code).toBe(1);
        expect(run.stderr).toMatch(/^import failed: MLflow at .*model-versions\/search/m);
        const refused = await runImport(['--from', standIn.url], target, { MLFLOW_TRACKING_TOKEN: 'wrong' });
        expect(refused.code).toBe(1);
        expect(refused.stderr).toMatch(/import failed: .*401/);
      } finally {
        await standIn.close();
      }
    });
  });

  it('refuses a source that contradicts the target, naming the fact, and writes nothing', async () => {
    const target = `pglite:${join(dir, 'contradicted')}`;
    const db = await openDatabase({ kind: 'pglite', dataDir: join(dir, 'contradicted') }, { log: false });
    const client = mlflowClient(db);
    await client.call({ method: 'POST', path: `${API}/registered-models/create`, body: { name: 'fraud' } });
    await client.call({ method: 'POST', path: `${API}/model-versions/create`, body: { name: 'fraud', source: 's3://elsewhere/1' } });
    await db.close();
    await createMlflowSqlite(join(dir, 'contradicting.db'), DATA);
    const dry = await runImport(['--from-db', join(dir, 'contradicting.db'), '--dry-run'], target);
    expect(dry.code).toBe(1);
    expect(dry.stderr).toContain('model "fraud" version 1 is another version here (source "s3://elsewhere/1"');
    expect(dry.stderr).toContain('nothing was imported');
    const reopened = await openDatabase({ kind: 'pglite', dataDir: join(dir, 'contradicted') }, { log: false });
    try {
      expect(await reopened.prisma.registeredModel.findMany({ select: { name: true } })).toEqual([{ name: 'fraud' }]);
    } finally {
      await reopened.close();
    }
  });

  it('reports what a dry run would do and writes nothing', async () => {
    const target = `pglite:${join(dir, 'dry')}`;
    const dry = await runImport(['--from-db', join(dir, 'mlflow.db'), '--dry-run'], target);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain('would import (dry run, nothing written) from MLflow database mlflow.db: 2 models (2 new');
    const db = await openDatabase({ kind: 'pglite', dataDir: join(dir, 'dry') }, { log: false });
    try {
      expect(await db.prisma.registeredModel.count()).toBe(0);
    } finally {
      await db.close();
    }
  });

  it('explains its usage', async () => {
    const run = await runImport([], 'pglite:memory');
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('give exactly one of --from and --from-db');
  });
});

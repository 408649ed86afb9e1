// The importer's MLflow readers: one registry, described once, read from MLflow's SQLite database,
// its PostgreSQL database and its REST API (a stand-in speaking the recorded shapes) gives the same
// snapshot, except where REST cannot know (deleted versions, hence the high-water marks).
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import initSqlJs from 'sql.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseMlflowDatabaseUrl, readMlflowDatabase } from '../../src/mlflow/import/database-source.ts';
import { MlflowSourceError } from '../../src/mlflow/import/mlflow-rows.ts';
import { REST_HIGH_WATER_WARNING, readMlflowRest } from '../../src/mlflow/import/rest-source.ts';
import type { RegistrySnapshot, SnapshotModel, SnapshotVersion } from '../../src/registry/imports/snapshot.ts';
import { createPostgresDatabase, databases } from '../support/databases.ts';
import type { MlflowData, MlflowDataModel } from '../support/mlflow-data.ts';
import { createMlflowPostgres, createMlflowSqlite } from '../support/mlflow-databases.ts';
import { startMlflowStandIn } from '../support/mlflow-rest-stand-in.ts';

const T = 1796157429966;

/** Models m-1 … m-5 with a version each, so that pages of two need several requests. */
const filler: MlflowDataModel[] = Array.from({ length: 5 }, (_, i) => ({
  name: `m-${i + 1}`,
  createdAt: T + i,
  updatedAt: T + i,
  versions: [{ version: 1, source: `s3://bucket/m-${i + 1}`, createdAt: T + i, updatedAt: T + 10 + i }],
}));

const prompt: MlflowDataModel = {
  name: 'greeting',
  createdAt: T,
  updatedAt: T + 1,
  tags: { 'mlflow.prompt.is_prompt': 'true' },
  versions: [
    {
      version: 1,
      source: 'dummy-source',
      createdAt: T,
      updatedAt: T + 1,
      tags: { 'mlflow.prompt.is_prompt': 'true', 'mlflow.prompt.text': 'Hello {{name}}' },
    },
  ],
};

function registry(): MlflowData {
  return {
    models: [
      {
        name: 'iris',
        description: 'Iris classifier',
        createdAt: T,
        updatedAt: T + 500,
        tags: { team: 'a', owner: null },
        aliases: { champion: 1, challenger: 3, ghost: 9 },
        versions: [
          { version: 1, source: 's3://bucket/iris/1', stage: 'Production', createdAt: T + 100, updatedAt: T + 400, tags: { t: '1' } },
          {
            version: 2,
            source: 'runs:/abc123/model',
            runId: 'abc123',
            runLink: 'http://mlflow/#/runs/abc123',
            description: 'second',
            stage: 'Staging',
            createdAt: T + 200,
            updatedAt: T + 300,
          },
          { version: 3, source: 's3://bucket/iris/3', createdAt: T + 250, updatedAt: T + 260, tags: { stale: 'yes' }, deleted: true },
        ],
      },
      {
        name: 'copy',
        createdAt: T + 1000,
        updatedAt: T + 1100,
        versions: [
          {
            version: 1,
            source: 'models:/iris/1',
            storageLocation: 's3://bucket/iris/1',
            stage: 'Archived',
            createdAt: T + 1000,
            updatedAt: T + 1050,
            tags: { note: null },
          },
          {
            version: 2,
            source: 's3://bucket/copy/2',
            status: 'FAILED_REGISTRATION',
            statusMessage: 'upload failed',
            createdAt: T + 1100,
            updatedAt: T + 1100,
          },
        ],
      },
      { name: 'empty', createdAt: T + 2000, updatedAt: T + 2000 },
      {
        name: 'gone',
        createdAt: T + 3000,
        updatedAt: T + 3001,
        versions: [{ version: 1, source: 's3://bucket/gone/1', createdAt: T + 3000, updatedAt: T + 3001, deleted: true }],
      },
      ...filler,
      prompt,
    ],
  };
}

const at = (ms: number) => new Date(ms);

/** A snapshot version with the defaults of a plain MLflow version (no run, stage None, READY). */
const version = (
  fields: Pick<SnapshotVersion, 'version' | 'source' | 'createdAt' | 'updatedAt'> & Partial<SnapshotVersion>,
): SnapshotVersion => ({
  runId: null,
  runLink: null,
  description: null,
  status: 'READY',
  statusMessage: null,
  stage: 'NONE',
  storageLocation: null,
  tags: [],
  ...fields,
});

const model = (
  fields: Pick<SnapshotModel, 'name' | 'createdAt' | 'updatedAt' | 'lastVersion'> & Partial<SnapshotModel>,
): SnapshotModel => ({
  description: null,
  tags: [],
  aliases: [],
  versions: [],
  ...fields,
});

/** What every source reads from registry(): the database's high-water marks (REST's are below). */
const expectedModels: SnapshotModel[] = [
  model({
    name: 'copy',
    createdAt: at(T + 1000),
    updatedAt: at(T + 1100),
    lastVersion: 2,
    versions: [
      version({
        version: 1,
        source: 'models:/iris/1',
        stage: 'ARCHIVED',
        storageLocation: 's3://bucket/iris/1',
        createdAt: at(T + 1000),
        updatedAt: at(T + 1050),
        tags: [{ key: 'note', value: '' }],
      }),
      version({
        version: 2,
        source: 's3://bucket/copy/2',
        status: 'FAILED_REGISTRATION',
        statusMessage: 'upload failed',
        createdAt: at(T + 1100),
        updatedAt: at(T + 1100),
      }),
    ],
  }),
  model({ name: 'empty', createdAt: at(T + 2000), updatedAt: at(T + 2000), lastVersion: 0 }),
  model({ name: 'gone', createdAt: at(T + 3000), updatedAt: at(T + 3001), lastVersion: 1 }),
  model({
    name: 'iris',
    description: 'Iris classifier',
    createdAt: at(T),
    updatedAt: at(T + 500),
    lastVersion: 3,
    tags: [
      { key: 'owner', value: '' },
      { key: 'team', value: 'a' },
    ],
    aliases: [{ alias: 'champion', version: 1 }],
    versions: [
      version({
        version: 1,
        source: 's3://bucket/iris/1',
        stage: 'PRODUCTION',
        createdAt: at(T + 100),
        updatedAt: at(T + 400),
        tags: [{ key: 't', value: '1' }],
      }),
      version({
        version: 2,
        source: 'runs:/abc123/model',
        runId: 'abc123',
        runLink: 'http://mlflow/#/runs/abc123',
        description: 'second',
        stage: 'STAGING',
        createdAt: at(T + 200),
        updatedAt: at(T + 300),
      }),
    ],
  }),
  ...filler.map((m, i) =>
    model({
      name: m.name,
      createdAt: at(T + i),
      updatedAt: at(T + i),
      lastVersion: 1,
      versions: [version({ version: 1, source: `s3://bucket/${m.name}`, createdAt: at(T + i), updatedAt: at(T + 10 + i) })],
    }),
  ),
];

const expectedWarnings = [
  'Model iris: tag "owner" has no value (NULL); imported as ""',
  'Model version copy v1: tag "note" has no value (NULL); imported as ""',
  'Model iris: alias "challenger" names version 3, which does not exist or was deleted; left out',
  'Model iris: alias "ghost" names version 9, which does not exist or was deleted; left out',
];

/** REST sees no deleted version: its high-water marks are the highest live ones. */
const restModels = expectedModels.map((m) => ({ ...m, lastVersion: Math.max(0, ...m.versions.map((v) => v.version)) }));

const promptModel = model({
  name: 'greeting',
  createdAt: at(T),
  updatedAt: at(T + 1),
  lastVersion: 1,
  tags: [{ key: 'mlflow.prompt.is_prompt', value: 'true' }],
  versions: [
    version({
      version: 1,
      source: 'dummy-source',
      createdAt: at(T),
      updatedAt: at(T + 1),
      tags: [
        { key: 'mlflow.prompt.is_prompt', value: 'true' },
        { key: 'mlflow.prompt.text', value: 'Hello {{name}}' },
      ],
    }),
  ],
});

const withPrompt = (models: SnapshotModel[]) => [...models, promptModel].sort((a, b) => (a.name < b.name ? -1 : 1));

const dir = mkdtempSync(join(tmpdir(), 'mlflow-import-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function errorOf(promise: Promise<unknown>): Promise<MlflowSourceError> {
  const error = await promise.then(
    () => undefined,
    (e) => e,
  );
  expect(error).toBeInstanceOf(MlflowSourceError);
  return error;
}

describe('MLflow SQLite database', () => {
  const file = join(dir, 'mlflow.db');
  beforeAll(() => createMlflowSqlite(file, registry()));

  it('reads the registry whole: deleted versions out but counted, NULL tags as "", dangling aliases dropped, prompts out', async () => {
    const snapshot = await readMlflowDatabase(`sqlite:///${file}`);
    expect(snapshot).toEqual({ origin: 'MLflow database mlflow.db', models: expectedModels, warnings: expectedWarnings });
  });

  it('takes prompts when asked', async () => {
    const snapshot = await readMlflowDatabase(file, { includePrompts: true });
    expect(snapshot.models).toEqual(withPrompt(expectedModels));
  });

  it('refuses what is not a file, not SQLite, not MLflow, or being written', async () => {
    expect((await errorOf(readMlflowDatabase(join(dir, 'missing.db')))).message).toMatch(/no file at .*missing\.db/);
    mkdirSync(join(dir, 'a-directory.db'));
    expect((await errorOf(readMlflowDatabase(`sqlite:///${join(dir, 'a-directory.db')}`))).message).toMatch(/no file at/);
    writeFileSync(join(dir, 'text.db'), 'not a database at all, just some text that is long enough to look like a header');
    expect((await errorOf(readMlflowDatabase(join(dir, 'text.db')))).message).toMatch(/text\.db is not a SQLite database/);

    const SQL = await initSqlJs();
    const other = new SQL.Database();
    other.exec('CREATE TABLE registered_models (name TEXT)');
    writeFileSync(join(dir, 'other.db'), other.export());
    expect((await errorOf(readMlflowDatabase(join(dir, 'other.db')))).message).toBe(
      'MLflow database other.db is not an MLflow database: it has no alembic_version table',
    );
    other.exec("CREATE TABLE alembic_version (version_num VARCHAR(32)); INSERT INTO alembic_version VALUES ('bf29a5ff90ea')");
    writeFileSync(join(dir, 'tracking-only.db'), other.export());
    other.close();
    expect((await errorOf(readMlflowDatabase(join(dir, 'tracking-only.db')))).message).toMatch(
      /not an MLflow database with a Model Registry: no table model_versions, registered_model_tags, model_version_tags, registered_model_aliases/,
    );

    writeFileSync(`${file}-journal`, 'x');
    try {
      expect((await errorOf(readMlflowDatabase(file))).message).toMatch(/-journal exists, so a write is in progress/);
    } finally {
      rmSync(`${file}-journal`);
    }
  });

  it('reads another alembic revision with a warning', async () => {
    const SQL = await initSqlJs();
    const old = join(dir, 'old.db');
    await createMlflowSqlite(old, { models: [] });
    const db = new SQL.Database(await import('node:fs').then((fs) => fs.readFileSync(old)));
    db.exec("UPDATE alembic_version SET version_num = '0584bdc529eb'");
    writeFileSync(old, db.export());
    db.close();
    expect((await readMlflowDatabase(old)).warnings).toEqual([
      'MLflow database old.db is at alembic revision 0584bdc529eb, not bf29a5ff90ea (MLflow 3.6) which this reader knows; read anyway',
    ]);
  });
});

describe('MLflow database URLs', () => {
  it('reads SQLAlchemy spellings', () => {
    expect(parseMlflowDatabaseUrl('sqlite:///mlflow.db')).toEqual({ kind: 'sqlite', file: 'mlflow.db' });
    expect(parseMlflowDatabaseUrl('sqlite:////var/lib/mlflow.db')).toEqual({ kind: 'sqlite', file: '/var/lib/mlflow.db' });
    expect(parseMlflowDatabaseUrl('./data/mlflow.db')).toEqual({ kind: 'sqlite', file: './data/mlflow.db' });
    expect(parseMlflowDatabaseUrl('postgresql+psycopg2://u:p@db:5432/mlflow')).toEqual({
      kind: 'postgres',
      url: 'postgresql://u:p@db:5432/mlflow',
    });
    expect(parseMlflowDatabaseUrl('postgres://db/mlflow')).toEqual({ kind: 'postgres', url: 'postgresql://db/mlflow' });
    expect(() => parseMlflowDatabaseUrl('mysql+pymysql://db/mlflow')).toThrow(/mysql\+pymysql databases are not supported/);
  });
});

const postgres = databases.some((d) => d.name === 'postgres');

describe.skipIf(!postgres)('MLflow PostgreSQL database', () => {
  let mlflow: { url: string; drop(): Promise<void> };
  beforeAll(async () => {
    mlflow = await createMlflowPostgres(registry());
  });
  afterAll(() => mlflow?.drop());

  it('reads the same snapshot as from SQLite, with the driver in the URL stripped', async () => {
    const snapshot = await readMlflowDatabase(mlflow.url.replace(/^postgres(ql)?:/, 'postgresql+psycopg2:'));
    expect(snapshot.models).toEqual(expectedModels);
    expect(snapshot.warnings).toEqual(expectedWarnings);
    expect(snapshot.origin).toMatch(/^MLflow database postgresql:\/\/.*\/registry_test_/);
  });

  it('takes prompts when asked', async () => {
    expect((await readMlflowDatabase(mlflow.url, { includePrompts: true })).models).toEqual(withPrompt(expectedModels));
  });

  it('refuses a database that is not MLflow, and says when it cannot connect', async () => {
    const empty = await createPostgresDatabase();
    try {
      expect((await errorOf(readMlflowDatabase(empty.url))).message).toMatch(/is not an MLflow database: it has no alembic_version table/);
    } finally {
      await empty.drop();
    }
    const unreachable = await errorOf(readMlflowDatabase('postgresql://someone:secret@127.0.0.1:1/mlflow'));
    expect(unreachable.message).toMatch(/^MLflow database postgresql:\/\/someone:\*\*\*@127\.0\.0\.1:1\/mlflow: cannot connect/);
    expect(unreachable.message).not.toContain('secret');
  });
});

describe('MLflow REST API', () => {
  it('reads the same snapshot over several pages, except the high-water marks, with one warning about them', async () => {
    const mlflow = await startMlflowStandIn(registry(), { maxPageSize: 2 });
    try {
      const progress: string[] = [];
      const snapshot: RegistrySnapshot = await readMlflowRest({ url: mlflow.url, onProgress: (line) => progress.push(line) });
      expect(snapshot).toEqual({
        origin: `MLflow at ${mlflow.url}`,
        models: restModels,
        warnings: [REST_HIGH_WATER_WARNING, ...expectedWarnings],
      });

      const modelPages = mlflow.requests.filter((r) => r.endpoint === 'registered-models/search');
      expect(modelPages.map((r) => r.query.get('page_token'))).toEqual([
        null,
        'eyJvZmZzZXQiOiAyfQ==',
        'eyJvZmZzZXQiOiA0fQ==',
        'eyJvZmZzZXQiOiA2fQ==',
        'eyJvZmZzZXQiOiA4fQ==',
      ]);
      expect(modelPages.every((r) => r.query.get('max_results') === '1000' && !r.query.has('filter'))).toBe(true);
      const versionPages = mlflow.requests.filter((r) => r.endpoint === 'model-versions/search');
      expect(versionPages.length).toBe(5); // 9 live versions in pages of two
      // Only the models:/ source is resolved elsewhere.
      expect(mlflow.requests.filter((r) => r.endpoint === 'model-versions/get-download-uri').map((r) => r.query.toString())).toEqual([
        'name=copy&version=1',
      ]);
      expect(progress).toContain('model versions: 9 read');
    } finally {
      await mlflow.close();
    }
  });

  it('takes prompts when asked, in a second pass with the prompt filter', async () => {
    const mlflow = await startMlflowStandIn(registry());
    try {
      const snapshot = await readMlflowRest({ url: mlflow.url, includePrompts: true });
      expect(snapshot.models).toEqual(withPrompt(restModels));
      expect(mlflow.requests.map((r) => [r.endpoint, r.query.get('filter')])).toContainEqual([
        'model-versions/search',
        "tags.`mlflow.prompt.is_prompt` = 'true'",
      ]);
    } finally {
      await mlflow.close();
    }
  });

  it('authenticates as MLflow clients do, and says so when refused', async () => {
    const bearer = await startMlflowStandIn(registry(), { token: 's3cret' });
    const basic = await startMlflowStandIn(registry(), { basic: { username: 'ann', password: 'pw' } });
    try {
      expect((await readMlflowRest({ url: bearer.url, token: 's3cret' })).models).toEqual(restModels);
      expect((await readMlflowRest({ url: `${basic.url}/`, username: 'ann', password: 'pw' })).models).toEqual(restModels);
      expect((await errorOf(readMlflowRest({ url: bearer.url }))).message).toBe(
        `MLflow at ${bearer.url} answered 401 UNAUTHENTICATED to GET registered-models/search: You are not authenticated. (check the token, or the username and password)`,
      );
      expect((await errorOf(readMlflowRest({ url: basic.url, username: 'ann' }))).message).toMatch(/needs both a username and a password/);
      // MLflow's basic-auth app refuses in plain text.
      const plainRefusal = async () =>
        new Response('Permission denied', { status: 403, statusText: 'FORBIDDEN', headers: { 'content-type': 'text/html' } });
      expect((await errorOf(readMlflowRest({ url: 'http://mlflow:5000', fetch: plainRefusal }))).message).toBe(
        'MLflow at http://mlflow:5000 answered 403 FORBIDDEN to GET registered-models/search: Permission denied (check the token, or the username and password)',
      );
    } finally {
      await Promise.all([bearer.close(), basic.close()]);
    }
  });

  it('retries a passing 500 and reports a lasting one', async () => {
    const once = await startMlflowStandIn(registry(), {
      faults: [{ endpoint: 'model-versions/search', call: 1, answer: 'internal-error' }],
    });
    const always = await startMlflowStandIn(registry(), { faults: [{ endpoint: 'registered-models/search', answer: 'internal-error' }] });
    try {
      expect((await readMlflowRest({ url: once.url })).models).toEqual(restModels);
      expect((await errorOf(readMlflowRest({ url: always.url }))).message).toBe(
        `MLflow at ${always.url} answered 500 INTERNAL_ERROR to GET registered-models/search: Injected fault`,
      );
      expect(always.requests.length).toBe(3);
    } finally {
      await Promise.all([once.close(), always.close()]);
    }
  });

  it('says what is wrong with malformed pages, non-MLflow answers and unreachable servers', async () => {
    const malformed = await startMlflowStandIn(registry(), {
      maxPageSize: 2,
      faults: [{ endpoint: 'model-versions/search', call: 2, answer: 'malformed-json' }],
    });
    const html = await startMlflowStandIn(registry(), { faults: [{ endpoint: 'registered-models/search', answer: 'html' }] });
    try {
      expect((await errorOf(readMlflowRest({ url: malformed.url }))).message).toMatch(
        new RegExp(`^MLflow at ${malformed.url} answered malformed JSON to GET model-versions/search: `),
      );
      expect((await errorOf(readMlflowRest({ url: html.url }))).message).toMatch(
        /did not answer like MLflow to GET registered-models\/search: HTTP 200, text\/html.*Is this the address of an MLflow tracking server\?/,
      );
      // A path the server does not know: Flask's HTML 404, as a wrong base URL gets.
      expect((await errorOf(readMlflowRest({ url: `${html.url}/not-mlflow` }))).message).toMatch(/did not answer like MLflow .*HTTP 404/);
    } finally {
      await Promise.all([malformed.close(), html.close()]);
    }
    expect((await errorOf(readMlflowRest({ url: 'mlflow:5000' }))).message).toBe(
      'MLflow\'s address must be an http:// or https:// URL, not "mlflow:5000"',
    );
    const closed = await startMlflowStandIn(registry());
    await closed.close();
    expect((await errorOf(readMlflowRest({ url: closed.url }))).message).toMatch(
      new RegExp(`^MLflow at ${closed.url} cannot be reached \\(GET registered-models/search\\): .*ECONNREFUSED`),
    );
  });

  it('stops when the registry changes under the reader', async () => {
    const data = registry();
    const mlflow = await startMlflowStandIn(data, {
      onRequest: (request) => {
        if (request.endpoint === 'model-versions/search' && request.call === 1) {
          data.models.push({
            name: 'late',
            createdAt: T,
            updatedAt: T,
            versions: [{ version: 1, source: 's3://late', createdAt: T, updatedAt: T }],
          });
        }
      },
    });
    try {
      expect((await errorOf(readMlflowRest({ url: mlflow.url }))).message).toBe(
        'Model version late v1 belongs to model late, which is not in the model list: the registry changed while it was read. ' +
          'Re-run the import with writes to MLflow stopped.',
      );
    } finally {
      await mlflow.close();
    }
  });

  it('stops when offset paging repeats an entry because a model was created in front of the page', async () => {
    const data = registry();
    const mlflow = await startMlflowStandIn(data, {
      maxPageSize: 2,
      onRequest: (request) => {
        if (request.endpoint === 'registered-models/search' && request.call === 2)
          data.models.push({ name: 'aaa', createdAt: T, updatedAt: T });
      },
    });
    try {
      expect((await errorOf(readMlflowRest({ url: mlflow.url }))).message).toMatch(
        /^Model empty was read twice: the registry changed while it was read/,
      );
    } finally {
      await mlflow.close();
    }
  });
});

describe('MLflow stand-in', () => {
  const recorded: { path: string; raw_query: string; status: number; response: unknown }[] = readFileSync(
    fileURLToPath(new URL('../fixtures/mlflow/python-client-ops.jsonl', import.meta.url)),
    'utf8',
  )
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line));

  /** The stand-in's answer to a recorded request, byte for byte as JSON (key order included). */
  async function expectRecordedAnswer(data: MlflowData, lines: number[]) {
    const mlflow = await startMlflowStandIn(data);
    try {
      for (const line of lines) {
        const { path, raw_query, status, response } = recorded[line - 1];
        const answer = await fetch(`${mlflow.url}${path}?${raw_query}`);
        expect({ line, status: answer.status, body: await answer.text() }).toEqual({ line, status, body: JSON.stringify(response) });
      }
    } finally {
      await mlflow.close();
    }
  }

  it('answers the searches and download URI as the recorded MLflow 3.6 server did (lines 25, 28, 34)', () =>
    expectRecordedAnswer(
      {
        models: [
          {
            name: 'iris',
            description: 'new',
            createdAt: 1796157429966,
            updatedAt: 1796157431169,
            tags: { team: 'a' },
            aliases: { champion: 1 },
            versions: [
              {
                version: 1,
                source: 's3://bucket/iris/1',
                description: 'upd',
                createdAt: 1796157430961,
                updatedAt: 1796157432318,
                tags: { t: '1' },
              },
              { version: 2, source: 'runs:/abc123/model', runId: 'abc123', createdAt: 1796157431169, updatedAt: 1796157431169 },
            ],
          },
        ],
      },
      [25, 28, 34],
    ));

  it("pages as the recorded MLflow 3.6 server did, with Python's offset tokens (lines 54 to 56)", () =>
    expectRecordedAnswer(
      {
        models: [
          {
            name: 'iris',
            description: 'new',
            createdAt: 1796157429966,
            updatedAt: 1796157435518,
            tags: { team: 'a' },
            versions: [
              {
                version: 1,
                source: 's3://bucket/iris/1',
                description: 'upd',
                stage: 'Production',
                createdAt: 1796157430961,
                updatedAt: 1796157433809,
                tags: { t: '1' },
              },
              { version: 2, source: 'runs:/abc123/model', createdAt: 1796157431169, updatedAt: 1796157431169, deleted: true },
            ],
          },
          {
            name: 'reg-model',
            createdAt: 1796157435941,
            updatedAt: 1796157436310,
            versions: [
              { version: 1, source: 's3://bucket/x', createdAt: 1796157435941, updatedAt: 1796157435941, deleted: true },
              { version: 2, source: 's3://bucket/y', createdAt: 1796157436310, updatedAt: 1796157436310 },
            ],
          },
        ],
      },
      [54, 55, 56],
    ));
});

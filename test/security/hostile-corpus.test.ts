// A generated corpus of hostile and broken requests against every mutation and query: each must
// get a GraphQL error or a typed error (never HTTP 500, never a logged fault, never a stack trace
// or SQL in a message), and afterwards every table must hold exactly what it held before.
import { beforeAll, expect, it } from 'vitest';
import type { PrismaClient } from '../../src/generated/prisma/client.ts';
import { createApiToken } from '../../src/auth/tokens.ts';
import { describeEachDatabase } from '../support/databases.ts';
import { graphqlClient } from '../support/graphql.ts';
import { createApp } from '../../src/app.ts';

const EXISTING = 'corpus-model';
const MISSING = 'corpus-missing';

const HOSTILE_STRINGS: string[] = [
  '',
  ' ',
  ' padded ',
  'a'.repeat(257),
  'b'.repeat(4_097),
  'c'.repeat(100_001),
  '\u0000',
  'a\u0000b',
  '\uD800',
  'a\uDFFFb',
  '\u202Eevil',
  '\u200B',
  'e\u0301',
  '😀'.repeat(300),
  '\n',
  'a\nb',
  '\t',
  '\r\n',
  '\uFEFF',
  '\u{10FFFF}',
  'İ',
  'ﬀ',
  "'; DROP TABLE registered_model; --",
  "' OR '1'='1",
  '" OR ""="',
  '1; SELECT pg_sleep(10)',
  '$1',
  '%',
  '_',
  '%_%',
  '\\',
  '\\x00',
  '../../etc/passwd',
  'a/b',
  'models:/x@y',
  '<script>alert(1)</script>',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a template-injection probe, sent literally
  '${7*7}',
  '{{7*7}}',
  'null',
  'NaN',
  '__proto__',
  'constructor',
  'latest',
  'v1',
  'production',
];
const WRONG_VALUES: unknown[] = [
  0,
  -1,
  1.5,
  true,
  {},
  [],
  ['a'],
  { key: 'x' },
  null,
  2 ** 31,
  2 ** 53,
  -(2 ** 31) - 1,
  'not-a-date',
  1e308,
];

interface MutationCase {
  field: string;
  inputType: string;
  /** An input that must fail (validation or not found) whatever one of its fields is replaced by. */
  base: Record<string, unknown>;
}

// Every base is one that cannot succeed: the named model or version does not exist, or another
// field is invalid, so any replacement value must end in an error and leave the data as it is.
const MUTATIONS: MutationCase[] = [
  {
    field: 'createRegisteredModel',
    inputType: 'CreateRegisteredModelInput',
    base: { name: EXISTING, tags: [{ key: '', value: '' }], description: 'd', idempotencyKey: 'k' },
  },
  { field: 'updateRegisteredModel', inputType: 'UpdateRegisteredModelInput', base: { name: MISSING, description: 'd' } },
  { field: 'renameRegisteredModel', inputType: 'RenameRegisteredModelInput', base: { name: MISSING, newName: 'fresh' } },
  { field: 'deleteRegisteredModel', inputType: 'DeleteRegisteredModelInput', base: { name: MISSING } },
  {
    field: 'createModelVersion',
    inputType: 'CreateModelVersionInput',
    base: { name: MISSING, source: 's3://x', runId: 'r', runLink: 'l', description: 'd', idempotencyKey: 'k', tags: [] },
  },
  {
    field: 'updateModelVersion',
    inputType: 'UpdateModelVersionInput',
    base: { name: EXISTING, version: 999, description: 'd', status: 'READY', statusMessage: 'm' },
  },
  {
    field: 'transitionModelVersionStage',
    inputType: 'TransitionModelVersionStageInput',
    base: { name: EXISTING, version: 999, stage: 'STAGING', archiveExistingVersions: true },
  },
  { field: 'deleteModelVersion', inputType: 'DeleteModelVersionInput', base: { name: EXISTING, version: 999 } },
  { field: 'setRegisteredModelTag', inputType: 'SetRegisteredModelTagInput', base: { name: MISSING, key: 'k', value: 'v' } },
  { field: 'deleteRegisteredModelTag', inputType: 'DeleteRegisteredModelTagInput', base: { name: EXISTING, key: 'absent' } },
  { field: 'setModelVersionTag', inputType: 'SetModelVersionTagInput', base: { name: EXISTING, version: 999, key: 'k', value: 'v' } },
  { field: 'deleteModelVersionTag', inputType: 'DeleteModelVersionTagInput', base: { name: EXISTING, version: 1, key: 'absent' } },
  { field: 'setModelAlias', inputType: 'SetModelAliasInput', base: { name: EXISTING, alias: 'corpus', version: 999, expectedVersion: 0 } },
  { field: 'deleteModelAlias', inputType: 'DeleteModelAliasInput', base: { name: EXISTING, alias: 'absent', expectedVersion: 1 } },
  // Two bad fields (an empty pattern, an expiry in the past), so no single replacement can fix both.
  {
    field: 'createApiToken',
    inputType: 'CreateApiTokenInput',
    base: { name: 'corpus-token', role: 'READER', models: [''], promote: false, expiresAt: '2000-01-01T00:00:00Z' },
  },
  { field: 'revokeApiToken', inputType: 'RevokeApiTokenInput', base: { name: 'absent' } },
];

function* mutationCases(): Generator<{ label: string; query: string; variables: Record<string, unknown> }> {
  for (const m of MUTATIONS) {
    const query = `mutation($input: ${m.inputType}!) { ${m.field}(input: $input) { __typename ... on Error { code message } } }`;
    const fields = Object.keys(m.base);
    for (const field of fields) {
      // Names (looked up in SQL) get every hostile string, other string fields every fourth; other
      // fields every wrong value; all get a few of the other kind.
      const original = m.base[field];
      const values =
        typeof original === 'string'
          ? [...(field === 'name' ? HOSTILE_STRINGS : HOSTILE_STRINGS.filter((_, i) => i % 4 === 0)), 0, true, { key: 'x' }, ['a'], null]
          : [...WRONG_VALUES, '', '1', "1' OR '1'='1", '\u0000', 'x'.repeat(5_000)];
      for (const value of values) {
        yield {
          label: `${m.field}.${field}=${JSON.stringify(value)?.slice(0, 40)}`,
          query,
          variables: { input: { ...m.base, [field]: value } },
        };
      }
      const { [field]: _dropped, ...without } = m.base;
      yield { label: `${m.field} without ${field}`, query, variables: { input: without } };
    }
    yield { label: `${m.field} with an unknown field`, query, variables: { input: { ...m.base, extra: 1 } } };
    yield { label: `${m.field} with null input`, query, variables: { input: null } };
    yield { label: `${m.field} with a list input`, query, variables: { input: [m.base] } };
    // Tags as a huge list of invalid entries, where the input takes tags.
    if ('tags' in m.base) {
      yield {
        label: `${m.field} with 5,000 bad tags`,
        query,
        variables: { input: { ...m.base, tags: Array.from({ length: 5_000 }, (_, i) => ({ key: `/${i}`, value: 'v' })) } },
      };
    }
  }
}

const QUERIES: { query: string; type: string }[] = [
  { query: 'query($v: String!) { registeredModel(name: $v) { name } }', type: 'string' },
  { query: 'query($v: Int) { registeredModels(first: $v) { totalCount } }', type: 'any' },
  { query: 'query($v: String) { registeredModels(after: $v) { totalCount } }', type: 'string' },
  {
    query: 'query($v: String) { registeredModels(filter: { nameContains: $v, hasAlias: $v }) { totalCount nodes { name } } }',
    type: 'string',
  },
  { query: 'query($v: String!) { registeredModels(filter: { tags: [{ key: $v, value: $v }] }) { totalCount } }', type: 'string' },
  { query: 'query($v: RegisteredModelOrder) { registeredModels(orderBy: $v) { totalCount } }', type: 'any' },
  { query: 'query($v: String!) { modelVersion(name: $v, version: 1) { version } }', type: 'string' },
  { query: `query($v: Int!) { modelVersion(name: "${EXISTING}", version: $v) { version } }`, type: 'any' },
  {
    query: 'query($v: String) { modelVersions(name: $v, filter: { runId: $v, tags: [{ key: "k", value: $v }] }) { totalCount } }',
    type: 'string',
  },
  { query: 'query($v: String) { modelVersions(after: $v) { totalCount } }', type: 'string' },
  { query: 'query($v: String!) { resolveModelUri(uri: $v) { version } }', type: 'string' },
  { query: 'query($v: String!) { a: resolveModelUri(uri: $v) { version } }', type: 'uri' },
  { query: 'query($v: ID!) { node(id: $v) { id } }', type: 'any' },
  { query: 'query($v: String) { auditEvents(filter: { modelName: $v, alias: $v, actor: $v }) { nodes { sequence } } }', type: 'string' },
  { query: 'query($v: DateTime) { auditEvents(filter: { since: $v, until: $v }) { nodes { sequence } } }', type: 'any' },
  { query: 'query($v: String) { auditEvents(after: $v) { nodes { sequence } } }', type: 'string' },
  {
    query: `query($v: String!) { registeredModel(name: "${EXISTING}") { tag(key: $v) versionByAlias(alias: $v) { version }
      versions(filter: { runId: $v }) { totalCount } history(alias: $v, after: $v) { nodes { sequence } } } }`,
    type: 'string',
  },
  {
    query: `query($v: DateTime!) { registeredModel(name: "${EXISTING}") { versionByAlias(alias: "champion", at: $v) { version } } }`,
    type: 'any',
  },
  {
    query: `query($v: Int!) { registeredModel(name: "${EXISTING}") { version(version: $v) { version } versions(first: $v) { totalCount } } }`,
    type: 'any',
  },
];

function* queryCases(): Generator<{ label: string; query: string; variables: Record<string, unknown> }> {
  for (const { query, type } of QUERIES) {
    const values =
      type === 'uri'
        ? HOSTILE_STRINGS.flatMap((s) => [`models:/${s}`, `models:/${EXISTING}@${s}`, `models:/${EXISTING}/${s}`])
        : [
            ...HOSTILE_STRINGS.filter((_, i) => type === 'string' || i % 3 === 0),
            ...WRONG_VALUES,
            ...(type === 'any' ? ['2026-13-01T00:00:00Z', '0000-01-01T00:00:00Z', 'UmVnaXN0ZXJlZE1vZGVsOjk5OTk5OTk5OTk5'] : []),
          ];
    for (const v of values) yield { label: `${query.slice(0, 50)} v=${JSON.stringify(v)?.slice(0, 30)}`, query, variables: { v } };
  }
}

/** Raw bodies that may be answered without an error (an empty batch, unused deep variables, a NUL name). */
const RAW_ANSWERABLE: string[] = [
  '[]',
  `{"query": "{ __typename }", "variables": {"a": ${'['.repeat(5_000)}${']'.repeat(5_000)}}}`,
  JSON.stringify({ query: '{ registeredModel(name: "\\u0000") { name } }' }),
];

/** Raw bodies that must get an error: not JSON, wrong shapes, syntax errors, nesting and size bombs. */
const RAW_BODIES: string[] = [
  '',
  'not json',
  '{',
  '[1]',
  'null',
  '"x"',
  '{"query": 1}',
  '{"query": null}',
  '{"query": "{"}',
  '{"query": "}"}',
  '{"query": "{ registeredModels { nodes { name } }", "variables": "x"}',
  '{"query": "{ nope }"}',
  '{"query": "query A { __typename } query B { __typename }"}',
  '{"query": "{ __typename }", "operationName": "Missing"}',
  '{"query": "subscription { __typename }"}',
  '{"query": "mutation { __typename }", "extensions": 5}',
  JSON.stringify({ query: `{ ${'registeredModels { nodes { '.repeat(2_000)}name${' } }'.repeat(2_000)} }` }),
  JSON.stringify({ query: `{ ${'__typename '.repeat(60_000)}}` }),
  JSON.stringify({ query: `query(${Array.from({ length: 2_000 }, (_, i) => `$v${i}: Int`).join(', ')}) { __typename }` }),
  JSON.stringify({ query: `{ registeredModel(name: "${'"'.repeat(10)}") { name } }` }),
  JSON.stringify({ query: '{ registeredModels(first: 100000000000000000000) { totalCount } }' }),
  JSON.stringify({ query: `{ ${Array.from({ length: 500 }, (_, i) => `a${i}: registeredModels(first: 100) { totalCount }`).join(' ')} }` }),
  JSON.stringify({ query: `{ registeredModels(filter: { tags: ${'['.repeat(3_000)}{ key: "k" }${']'.repeat(3_000)} }) { totalCount } }` }),
  JSON.stringify({ query: `{ ${'a'.repeat(900_000)} }` }),
];

/** count and md5 of every row of every table, and the value of every sequence. */
async function checksum(prisma: PrismaClient): Promise<Record<string, string>> {
  const tables = await prisma.$queryRaw<{ name: string }[]>`
    SELECT table_name AS name FROM information_schema.tables
    WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY 1`;
  const sums: Record<string, string> = {};
  for (const { name } of tables) {
    const [row] = await prisma.$queryRawUnsafe<{ sum: string }[]>(
      `SELECT count(*)::text || ':' || coalesce(md5(string_agg(t::text, E'\\n' ORDER BY t::text)), '') AS sum FROM "${name}" t`,
    );
    sums[name] = row.sum;
  }
  const sequences = await prisma.$queryRaw<{ name: string }[]>`
    SELECT sequence_name AS name FROM information_schema.sequences WHERE sequence_schema = current_schema() ORDER BY 1`;
  for (const { name } of sequences) {
    const [row] = await prisma.$queryRawUnsafe<{ value: string }[]>(`SELECT last_value::text AS value FROM "${name}"`);
    sums[`sequence ${name}`] = row.value;
  }
  return sums;
}

// What a stack trace, a Prisma error or a PostgreSQL error looks like (inputs echoed in validation
// messages may contain SQL-looking text, so SQL keywords alone prove nothing).
const LEAKS =
  /\n\s+at |\bat [\w.<>]+ \(|prisma|Unexpected error|syntax error at or near|violates|duplicate key|relation "|column "|\.ts:\d+/i;

describeEachDatabase('security: hostile corpus', (ctx) => {
  let before: Record<string, string>;

  beforeAll(async () => {
    const setup = graphqlClient(ctx.db);
    await setup.data(`mutation { createRegisteredModel(input: { name: "${EXISTING}" }) { __typename } }`);
    await setup.data(`mutation { createModelVersion(input: { name: "${EXISTING}", source: "s3://v1" }) { __typename } }`);
    await setup.data(`mutation { setModelAlias(input: { name: "${EXISTING}", alias: "champion", version: 1 }) { __typename } }`);
    await createApiToken(ctx.db.prisma, { name: 'corpus-existing', role: 'READER' }, null);
    before = await checksum(ctx.db.prisma);
  });

  it('answers every case with a GraphQL or typed error, and changes nothing', { timeout: 240_000 }, async () => {
    const logged: unknown[] = [];
    // Anonymous with every right (auth off), so every mutation, token management included, gets as far
    // as its input allows; and no token lookup moves a lastUsedAt during the run.
    const yoga = createApp(ctx.db, { logError: (e) => logged.push(e), security: { auth: 'off' } }).yoga;
    const started = Date.now();
    const failures: string[] = [];
    let count = 0;

    async function send(label: string, body: string, expectError: 'always' | 'mutation' | 'never', field?: string) {
      count++;
      const response = await yoga.fetch('http://localhost/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
      const text = await response.text();
      let json: any;
      try {
        json = JSON.parse(text);
      } catch {
        failures.push(`${label}: HTTP ${response.status}, not JSON: ${text.slice(0, 80)}`);
        return;
      }
      if (response.status >= 500) failures.push(`${label}: HTTP ${response.status}`);
      const errors: { message: string }[] = json.errors ?? (Array.isArray(json) ? json.flatMap((r: any) => r.errors ?? []) : []);
      for (const e of errors) if (LEAKS.test(e.message)) failures.push(`${label}: leaks "${e.message.slice(0, 120)}"`);
      if (expectError === 'mutation') {
        const typename = json.data?.[field!]?.__typename as string | undefined;
        if (errors.length === 0 && !typename?.endsWith('Error')) failures.push(`${label}: succeeded (${typename})`);
      }
      if (expectError === 'always' && errors.length === 0) failures.push(`${label}: no error`);
    }

    for (const c of mutationCases()) {
      const field = /\{ (\w+)\(input/.exec(c.query)![1];
      await send(c.label, JSON.stringify({ query: c.query, variables: c.variables }), 'mutation', field);
    }
    const mutationsDone = Date.now();
    for (const c of queryCases()) await send(c.label, JSON.stringify({ query: c.query, variables: c.variables }), 'never');
    const queriesDone = Date.now();
    for (const body of RAW_BODIES) await send(`raw ${body.slice(0, 60)}`, body, 'always');
    for (const body of RAW_ANSWERABLE) await send(`raw ${body.slice(0, 60)}`, body, 'never');

    console.log(
      `hostile corpus [${ctx.kind}]: ${count} requests in ${Date.now() - started} ms (mutations ${mutationsDone - started} ms, queries ${queriesDone - mutationsDone} ms)`,
    );
    expect(count).toBeGreaterThan(1_500);
    expect(failures).toEqual([]);
    expect(logged.map(String)).toEqual([]);
    expect(await checksum(ctx.db.prisma)).toEqual(before);
    // Still serving normally.
    const after = await graphqlClient(ctx.db).data(
      `{ registeredModel(name: "${EXISTING}") { versionByAlias(alias: "champion") { version } } }`,
    );
    expect(after.registeredModel.versionByAlias.version).toBe(1);
  });
});

// Property-based fuzzing of the whole GraphQL surface: operations generated from the schema
// (test/support/fuzz-documents.ts) with hostile arguments, sent through the real yoga server on an
// in-memory PGlite registry, anonymously with auth off and with a token of each role and scope.
// Every answer must be a deliberate one: no HTTP 500, no masked fault, nothing logged, bounded in
// time and size, an operation over a limit refused; afterwards the registry passes `npm run check`.
// Seeded (FUZZ_SEED), FUZZ_RUNS raises the count; the seed and the failing case are printed.
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createApiToken } from '../../src/auth/tokens.ts';
import type { Role } from '../../src/auth/access.ts';
import { openDatabase } from '../../src/db/client.ts';
import type { Database } from '../../src/db/database.ts';
import { schema } from '../../src/graphql/schema/index.ts';
import { createApp } from '../../src/app.ts';
import type { RegistryYoga } from '../../src/graphql/yoga.ts';
import { checkIntegrity } from '../../src/registry/history/integrity.ts';
import { type FuzzContext, type FuzzOperation, KNOWN_OPEN, exceedsLimits, operationArbitrary } from '../support/fuzz-documents.ts';
import { seedModels } from '../support/seed.ts';

const RUNS = Number(process.env.FUZZ_RUNS ?? 300);
const SEED = Number(process.env.FUZZ_SEED ?? 20261201);
/** Generous sanity bounds: a request answered slower or larger than this did unbounded work. */
const MAX_MS = 5_000;
const MAX_BYTES = 2_000_000;
/** How long a subscription is read before it is closed (history replays arrive at once). */
const SSE_READ_MS = 300;

interface Principal {
  label: string;
  auth: 'off' | 'required';
  token?: string;
}

let db: Database;
let ctx: FuzzContext;
const principals: Principal[] = [];
const logged: unknown[] = [];
/** Outcomes by operation kind, printed at the end: a fuzzer that only hits validation errors tests little. */
const stats = new Map<string, number>();
let servers: Record<'off' | 'required', RegistryYoga>;

beforeAll(async () => {
  db = await openDatabase({ kind: 'pglite', dataDir: null }, { log: false });
  const modelNames = await seedModels(db.prisma, { prefix: 'fz', models: 3, versions: 2 });
  const specs: Array<{ name: string; role: Role; models?: string[]; promote?: boolean }> = [
    { name: 'fuzz-reader', role: 'READER' },
    { name: 'fuzz-writer', role: 'WRITER' },
    { name: 'fuzz-admin', role: 'ADMIN' },
    { name: 'fuzz-scoped', role: 'WRITER', models: ['fz-000', 'fz-new*'] },
    { name: 'fuzz-promoter', role: 'WRITER', models: ['fz-*'], promote: true },
  ];
  principals.push({ label: 'anonymous, auth off', auth: 'off' }, { label: 'no token, auth required', auth: 'required' });
  for (const spec of specs) {
    const { secret } = await createApiToken(db.prisma, spec, null);
    principals.push({ label: spec.name, auth: 'required', token: secret });
  }
  principals.push({ label: 'forged token', auth: 'required', token: 'mrt_forged' });
  const logError = (error: unknown) => logged.push(error);
  servers = {
    off: createApp(db, { logError, security: { auth: 'off' } }).yoga,
    required: createApp(db, { logError, security: { auth: 'required' } }).yoga,
  };
  // IDs and cursors the server hands out, for the generator to replay and forge.
  const seen = await post(principals[0], {
    query:
      '{ registeredModels(first: 2) { pageInfo { endCursor } nodes { id versions(first: 1) { pageInfo { endCursor } nodes { id } } } } auditEvents(first: 1) { pageInfo { endCursor } nodes { id } } }',
  });
  const text = seen.text;
  ctx = {
    schema,
    modelNames,
    nodeIds: [...text.matchAll(/"id":"([^"]+)"/g)].map((m) => m[1]),
    cursors: [...text.matchAll(/"endCursor":"([^"]+)"/g)].map((m) => m[1]),
  };
  expect(ctx.nodeIds.length).toBeGreaterThan(3);
});
afterAll(() => db?.close());

async function post(principal: Principal, body: { query: string; variables?: Record<string, unknown> }, sse = false) {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    accept: sse ? 'text/event-stream' : 'application/graphql-response+json, application/json',
  };
  if (principal.token) headers.authorization = `Bearer ${principal.token}`;
  const abort = new AbortController();
  const started = Date.now();
  const response = await servers[principal.auth].fetch('http://localhost/graphql', {
    method: 'POST',
    headers,
    body: JSON.stringify(body),
    signal: abort.signal,
  });
  let text = '';
  if (sse && response.headers.get('content-type')?.includes('text/event-stream') && response.body) {
    // Read what arrives within SSE_READ_MS (or up to the first event), then hang up.
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    const deadline = new Promise<null>((resolve) => setTimeout(() => resolve(null), SSE_READ_MS));
    for (;;) {
      const chunk = await Promise.race([reader.read(), deadline]);
      if (!chunk || chunk.done) break;
      text += decoder.decode(chunk.value, { stream: true });
      if (text.length > MAX_BYTES || /event: next\ndata: .*\n\n/.test(text)) break;
    }
    abort.abort();
    await reader.cancel().catch(() => {});
  } else {
    text = await response.text();
  }
  return { status: response.status, text, ms: Date.now() - started };
}

/** The payloads of an answer: one JSON object, or each SSE `next` event's data. */
function payloads(text: string, sse: boolean): any[] {
  if (!sse) {
    try {
      return [JSON.parse(text)];
    } catch {
      return [];
    }
  }
  return [...text.matchAll(/^data: (.*)$/gm)].flatMap((m) => {
    try {
      return [JSON.parse(m[1])];
    } catch {
      return [];
    }
  });
}

async function check(principal: Principal, op: FuzzOperation): Promise<void> {
  const sse = op.kind === 'subscription';
  const before = logged.length;
  const answer = await post(principal, { query: op.query, variables: op.variables }, sse);
  const where = `${principal.label}: ${answer.status} ${answer.text.slice(0, 400)}`;
  // 503 too: a request that makes the database time out is no outage but unbounded work.
  expect(answer.status, where).toBeLessThan(500);
  expect(answer.text, where).not.toContain('Unexpected error.');
  expect(answer.text, where).not.toContain('INTERNAL_SERVER_ERROR');
  expect(logged.slice(before), where).toEqual([]);
  expect(answer.ms, where).toBeLessThan(MAX_MS);
  expect(answer.text.length, where).toBeLessThan(MAX_BYTES);
  const first = payloads(answer.text, sse)[0];
  const outcome = !first
    ? `http ${answer.status}`
    : first.data && Object.values(first.data).some((v) => v !== null)
      ? first.errors
        ? 'data+errors'
        : 'data'
      : `refused ${first.errors?.[0]?.extensions?.code ?? '?'}`;
  // FUZZ_DEBUG=1 adds the first error's message (quoted parts blanked) to the tally.
  const message = process.env.FUZZ_DEBUG
    ? ` ${String(first?.errors?.[0]?.message)
        .replace(/"[^"]*"/g, '"_"')
        .slice(0, 90)}`
    : '';
  const key = `${op.aimed ? `${op.kind} aimed at ${op.aimed}` : op.kind} ${outcome}${message}${process.env.FUZZ_DEBUG ? ` [${principal.label}]` : ''}`;
  stats.set(key, (stats.get(key) ?? 0) + 1);
  if (exceedsLimits(op.shape)) {
    // Refused before any work: errors and no data, in the answer or the first event.
    if (first) {
      expect((first.errors ?? []).length, `over a limit (${JSON.stringify(op.shape)}) but answered: ${where}`).toBeGreaterThan(0);
      expect(first.data ?? null, `over a limit (${JSON.stringify(op.shape)}) but ran: ${where}`).toBeNull();
    } else {
      expect(answer.status, `over a limit but no payload: ${where}`).toBeGreaterThanOrEqual(400);
    }
  }
}

it(`answers ${RUNS} generated operations deliberately, within bounds, and leaves the registry consistent (seed ${SEED}; known open: ${KNOWN_OPEN.join(', ') || 'none'})`, {
  timeout: 180_000,
}, async () => {
  // Tokens of each role and scope mostly; no token and a forged one now and then.
  const unauthenticated = principals.flatMap((p, i) =>
    (p.auth === 'required' && !p.token?.startsWith('mrt_')) || p.token === 'mrt_forged' ? [i] : [],
  );
  const principal = fc.oneof(
    { arbitrary: fc.constantFrom(...[...principals.keys()].filter((i) => !unauthenticated.includes(i))), weight: 7 },
    { arbitrary: fc.constantFrom(...unauthenticated), weight: 1 },
  );
  try {
    await fc.assert(
      fc.asyncProperty(principal, operationArbitrary(ctx), async (p, op) => check(principals[p], op)),
      { numRuns: RUNS, seed: SEED, endOnFailure: true },
    );
  } catch (error) {
    console.error(`fuzz failed with FUZZ_SEED=${SEED} FUZZ_RUNS=${RUNS}`);
    throw error;
  }
  console.info(
    'fuzz outcomes:\n' +
      [...stats]
        .sort()
        .map(([k, n]) => `${n} ${k}`)
        .join('\n'),
  );
  const report = await checkIntegrity(db.prisma);
  expect(report.violations).toEqual([]);
  expect(logged).toEqual([]);
});

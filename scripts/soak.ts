// `npm run soak -- --seconds 60 --concurrency 16 [--database pglite|postgres] [--models 20]`:
// a bounded mixed read/write workload against a server process on a scratch database (loopback
// only), then its figures: requests, errors (expected 0), latency p50/p99, the server's RSS at
// start and end, and how much the history grew. A script with figures, not a timed test.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { openDatabase } from '../src/db/client.ts';
import { parseDatabaseUrl } from '../src/config.ts';
import { createScratchDatabase } from './faults/scratch-database.ts';
import { postGraphQL, spawnServer } from './faults/server-process.ts';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '60' },
    concurrency: { type: 'string', default: '16' },
    database: { type: 'string', default: 'pglite' },
    models: { type: 'string', default: '20' },
  },
});
const seconds = Number(values.seconds);
const concurrency = Number(values.concurrency);
const modelCount = Number(values.models);
if (!(seconds > 0 && seconds <= 3600 && concurrency > 0 && concurrency <= 256 && modelCount > 0)) {
  console.error('usage: npm run soak -- --seconds <1-3600> --concurrency <1-256> [--database pglite|postgres] [--models n]');
  process.exit(2);
}

/** A small deterministic PRNG, so two runs send the same mix. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function rssMiB(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : NaN;
}

const database = await createScratchDatabase(values.database!, 'soak');
const server = await spawnServer(database.url);
const pid = server.child.pid!;
const models = Array.from({ length: modelCount }, (_, m) => `soak-${String(m).padStart(3, '0')}`);
const versionsOf = new Map<string, number>();

try {
  console.error(`soak: ${seconds} s, ${concurrency} clients, ${modelCount} models, ${database.kind}, server pid ${pid} at ${server.url}`);
  for (const name of models) {
    await postGraphQL(
      server.url,
      `mutation($name: String!) { createRegisteredModel(input: { name: $name, tags: [{ key: "team", value: "soak" }] }) { __typename } }`,
      { name },
    );
    for (let v = 1; v <= 3; v++) {
      await postGraphQL(
        server.url,
        `mutation($name: String!, $source: String!) { createModelVersion(input: { name: $name, source: $source }) { __typename } }`,
        { name, source: `s3://${name}/${v}` },
      );
    }
    await postGraphQL(
      server.url,
      `mutation($name: String!) { setModelAlias(input: { name: $name, alias: "production", version: 1 }) { __typename } }`,
      { name },
    );
    versionsOf.set(name, 3);
  }
  const lastSequence = async () =>
    (await postGraphQL(server.url, '{ auditEvents(first: 1) { nodes { sequence } } }')).data?.auditEvents.nodes[0]?.sequence ?? 0;
  const eventsBefore = await lastSequence();
  const rssStart = rssMiB(pid);

  const operations: Array<{ name: string; weight: number; run: (pick: () => number) => [string, Record<string, unknown>] }> = [
    {
      name: 'list models (nested)',
      weight: 20,
      run: () => [
        '{ registeredModels(first: 10) { totalCount nodes { name tags { key value } aliases { alias version { version } } versions(first: 5) { nodes { version status tags { key value } } } } } }',
        {},
      ],
    },
    {
      name: 'one model',
      weight: 20,
      run: (pick) => [
        'query($n: String!) { registeredModel(name: $n) { name description latestVersion { version source } versions(first: 10) { nodes { version source aliases } } } }',
        { n: models[Math.floor(pick() * models.length)] },
      ],
    },
    {
      name: 'version by alias',
      weight: 10,
      run: (pick) => [
        'query($n: String!) { registeredModel(name: $n) { versionByAlias(alias: "production") { version source } } }',
        { n: models[Math.floor(pick() * models.length)] },
      ],
    },
    {
      name: 'history',
      weight: 10,
      run: (pick) => [
        'query($n: String!) { registeredModel(name: $n) { history(first: 20) { nodes { sequence at action version previousVersion alias } } } }',
        { n: models[Math.floor(pick() * models.length)] },
      ],
    },
    {
      name: 'resolve URI',
      weight: 5,
      run: (pick) => [
        'query($u: String!) { resolveModelUri(uri: $u) { version } }',
        { u: `models:/${models[Math.floor(pick() * models.length)]}@production` },
      ],
    },
    {
      name: 'create version',
      weight: 15,
      run: (pick) => {
        const n = models[Math.floor(pick() * models.length)];
        return [
          'mutation($n: String!, $s: String!) { createModelVersion(input: { name: $n, source: $s, tags: [{ key: "k", value: "v" }] }) { __typename ... on ModelVersionPayload { modelVersion { version } } ... on Error { message } } }',
          { n, s: `s3://${n}/soak/${pick()}` },
        ];
      },
    },
    {
      name: 'set version tag',
      weight: 10,
      run: (pick) => {
        const n = models[Math.floor(pick() * models.length)];
        return [
          'mutation($n: String!, $v: Int!, $x: String!) { setModelVersionTag(input: { name: $n, version: $v, key: "score", value: $x }) { __typename ... on Error { message } } }',
          { n, v: 1 + Math.floor(pick() * 3), x: String(pick()) },
        ];
      },
    },
    {
      name: 'move alias',
      weight: 10,
      run: (pick) => {
        const n = models[Math.floor(pick() * models.length)];
        return [
          'mutation($n: String!, $v: Int!) { setModelAlias(input: { name: $n, alias: "production", version: $v }) { __typename ... on Error { message } } }',
          { n, v: 1 + Math.floor(pick() * 3) },
        ];
      },
    },
  ];
  const totalWeight = operations.reduce((sum, op) => sum + op.weight, 0);
  const latencies: number[] = [];
  const errors = new Map<string, number>();
  const countError = (what: string) => errors.set(what, (errors.get(what) ?? 0) + 1);
  const perOperation = new Map<string, number>();
  let rssMax = rssStart;
  const sampler = setInterval(() => (rssMax = Math.max(rssMax, rssMiB(pid))), 1000);
  let lastReport = Date.now();
  const started = Date.now();
  const deadline = started + seconds * 1000;

  await Promise.all(
    Array.from({ length: concurrency }, async (_, c) => {
      const pick = random(c + 1);
      while (Date.now() < deadline) {
        let roll = pick() * totalWeight;
        const op =
          operations.find((o) => {
            roll -= o.weight;
            return roll < 0;
          }) ?? operations[0];
        const [query, variables] = op.run(pick);
        const t0 = performance.now();
        try {
          const reply = await postGraphQL(server.url, query, variables);
          latencies.push(performance.now() - t0);
          perOperation.set(op.name, (perOperation.get(op.name) ?? 0) + 1);
          if (reply.status !== 200) countError(`${op.name}: HTTP ${reply.status}`);
          else if (reply.errors?.length) countError(`${op.name}: ${reply.errors[0].message}`);
          else {
            const result = Object.values(reply.data ?? {})[0] as { message?: string; __typename?: string } | null;
            if (result?.message) countError(`${op.name}: ${result.__typename} ${result.message}`);
          }
        } catch (error) {
          countError(`${op.name}: no answer (${(error as Error).message})`);
        }
        if (Date.now() - lastReport >= 5000) {
          lastReport = Date.now();
          const errorCount = [...errors.values()].reduce((a, b) => a + b, 0);
          process.stderr.write(
            `  ${Math.round((Date.now() - started) / 1000)} s: ${latencies.length} requests, ${errorCount} errors, server RSS ${rssMiB(pid).toFixed(0)} MiB\n`,
          );
        }
      }
    }),
  );
  clearInterval(sampler);
  const elapsed = (Date.now() - started) / 1000;
  const rssEnd = rssMiB(pid);
  const eventsAfter = await lastSequence();

  const exit = await server.stop('SIGTERM');
  const db = await openDatabase(parseDatabaseUrl(database.url), { log: false });
  const [table] = await db.prisma.$queryRaw<{ rows: bigint; bytes: bigint }[]>`
    SELECT count(*) AS rows, pg_total_relation_size('audit_event') AS bytes FROM audit_event`;
  await db.close();

  latencies.sort((a, b) => a - b);
  const quantile = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN;
  const errorCount = [...errors.values()].reduce((a, b) => a + b, 0);
  const lines = [
    `database: ${database.kind}; ${concurrency} clients for ${elapsed.toFixed(1)} s over ${modelCount} models`,
    `requests: ${latencies.length} (${(latencies.length / elapsed).toFixed(0)}/s); ${[...perOperation].map(([k, v]) => `${k} ${v}`).join(', ')}`,
    `errors: ${errorCount}${
      errorCount
        ? ` (${[...errors]
            .slice(0, 10)
            .map(([k, v]) => `${v}x ${k}`)
            .join('; ')})`
        : ''
    }`,
    `latency: p50 ${quantile(0.5).toFixed(1)} ms, p99 ${quantile(0.99).toFixed(1)} ms, max ${quantile(1).toFixed(1)} ms`,
    `server RSS: ${rssStart.toFixed(0)} MiB at start, ${rssEnd.toFixed(0)} MiB at end (max ${rssMax.toFixed(0)} MiB, growth ${(rssEnd - rssStart).toFixed(0)} MiB)`,
    `history: +${eventsAfter - eventsBefore} events (sequence ${eventsBefore} -> ${eventsAfter}); audit_event now ${table.rows} rows, ${(Number(table.bytes) / 1048576).toFixed(1)} MiB with indexes (${(Number(table.bytes) / Number(table.rows)).toFixed(0)} bytes/event)`,
    `server exit after SIGTERM: ${exit.code ?? exit.signal}`,
  ];
  for (const line of lines) console.log(line);
  process.exitCode = errorCount === 0 && exit.code === 0 ? 0 : 1;
} finally {
  if (server.child.exitCode === null && server.child.signalCode === null) await server.stop('SIGKILL');
  await database.remove();
}

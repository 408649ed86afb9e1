// Replays an MLflow client's recorded traffic against a real MLflow 3.6 server (a .jsonl or
// .jsonl.gz fixture, one request and its answer a line) through our MLflow front door, in order, and
// compares each status and JSON body field by field. Timestamps are compared as "an integer number
// of ms"; tag lists as sets (MLflow answers them in insertion order, we by key). Lines whose route
// is not ours are skipped and listed in the output. Used by test/mlflow/replay.test.ts (the Python
// client) and test/mlflow/replay-js.test.ts (mlflow-js); each lists the differences it keeps.
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { beforeAll, expect, it } from 'vitest';
import { PENDING_ROUTES, ROUTES } from '../../src/mlflow/routes.ts';
import { describeEachDatabase } from './databases.ts';
import { type MlflowCall, type MlflowClient, mlflowClient } from './mlflow.ts';

export interface Recorded {
  method: string;
  path: string;
  raw_query: string;
  headers: Record<string, string>;
  body: unknown;
  status: number;
  response: unknown;
}

/** The recorded lines of a fixture (`.gz` is gunzipped), numbered from 1 as in the tables. */
export function readRecorded(file: string): Recorded[] {
  const bytes = readFileSync(file);
  return (file.endsWith('.gz') ? gunzipSync(bytes) : bytes)
    .toString('utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l));
}

const PREFIX = '/api/2.0/mlflow';
const implemented = new Set(ROUTES.map((r) => `${r.method} ${PREFIX}${r.path}`));

function whyNotOurs(path: string): string {
  const tail = path.slice(PREFIX.length);
  const pending = PENDING_ROUTES.find((r) => r.path === tail);
  if (pending) return `not implemented yet: ${pending.todo}`;
  if (tail.startsWith('/runs/')) return 'the tracking API, not the registry';
  if (tail.startsWith('/webhooks')) return "MLflow's webhooks, not part of this front door yet";
  return 'route not implemented here';
}

/** Paths where `actual` differs from `expected`, timestamps as any integer and tag lists as sets. */
export function differences(expected: unknown, actual: unknown, path = ''): string[] {
  const key = path.split('.').pop() ?? '';
  if (key.endsWith('_timestamp')) return Number.isInteger(actual) && Number.isInteger(expected) ? [] : [path];
  if (key === 'latest_versions' && Array.isArray(expected) && Array.isArray(actual)) {
    // One entry per stage: matched by version number, so a missing stage names its version.
    const byVersion = (list: any[]) => new Map(list.map((v) => [v.version, v]));
    const [e, a] = [byVersion(expected), byVersion(actual)];
    return [...new Set([...e.keys(), ...a.keys()])].flatMap((v) =>
      e.has(v) && a.has(v) ? differences(e.get(v), a.get(v), `${path}[version=${v}]`) : [`${path}[version=${v}]`],
    );
  }
  if (Array.isArray(expected) && Array.isArray(actual)) {
    const sorted = (list: unknown[]) =>
      key.endsWith('tags') ? [...list].sort((a: any, b: any) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)) : list;
    const [e, a] = [sorted(expected), sorted(actual)];
    return Array.from({ length: Math.max(e.length, a.length) }, (_, i) =>
      i >= e.length || i >= a.length ? [`${path}[${i}]`] : differences(e[i], a[i], `${path}[${i}]`),
    ).flat();
  }
  if (
    expected &&
    actual &&
    typeof expected === 'object' &&
    typeof actual === 'object' &&
    !Array.isArray(expected) &&
    !Array.isArray(actual)
  ) {
    const keys = new Set([...Object.keys(expected), ...Object.keys(actual)]);
    return [...keys].flatMap((k) => differences((expected as any)[k], (actual as any)[k], path ? `${path}.${k}` : k));
  }
  return Object.is(expected, actual) ? [] : [path];
}

export interface Replay {
  /** The client, as the console line names it. */
  client: string;
  lines: Recorded[];
  /** Lines of an implemented route that are not replayed, and why. */
  notReplayed?: Record<number, string>;
  /** Per line, the JSON paths (or `status`) whose values differ, and why. */
  expected?: Record<number, { paths: string[]; why: string }>;
  /** What the recorded server held before the traffic began, made through the front door first. */
  before?: MlflowCall[];
}

/** One test per database: every line of an implemented route, but the listed ones, answers as recorded. */
export function describeReplay({ client: name, lines, notReplayed = {}, expected = {}, before = [] }: Replay): void {
  describeEachDatabase(`MLflow ${name} traffic, replayed`, (ctx) => {
    let client: MlflowClient;
    beforeAll(async () => {
      client = mlflowClient(ctx.db);
      for (const call of before) expect((await client.call(call)).status).toBe(200);
    });

    it('answers every recorded request of an implemented route as MLflow 3.6 did, but for the listed differences', async () => {
      const skipped: string[] = [];
      const found: Record<number, string[]> = {};
      for (const [index, recorded] of lines.entries()) {
        const number = index + 1;
        const route = `${recorded.method} ${recorded.path}`;
        if (!implemented.has(route)) {
          skipped.push(`${number} ${route} (${whyNotOurs(recorded.path)})`);
          continue;
        }
        if (notReplayed[number]) {
          skipped.push(`${number} ${route} (${notReplayed[number]})`);
          continue;
        }
        const response = await client.call({
          method: recorded.method,
          path: recorded.raw_query ? `${recorded.path}?${recorded.raw_query}` : recorded.path,
          headers: recorded.headers,
          body: recorded.body === null ? undefined : JSON.stringify(recorded.body),
        });
        const diff = [...(response.status === recorded.status ? [] : ['status']), ...differences(recorded.response, response.json)];
        if (diff.length > 0) found[number] = diff;
        if (diff.length > 0 && !expected[number]) {
          console.error(
            `line ${number} ${route}: status ${recorded.status} → ${response.status}`,
            diff,
            JSON.stringify(recorded.response),
            JSON.stringify(response.json),
          );
        }
      }
      console.info(
        `MLflow ${name} replay [${ctx.kind}]: ${lines.length - skipped.length} of ${lines.length} lines replayed; skipped:\n  ${skipped.join('\n  ')}`,
      );
      expect(found).toEqual(Object.fromEntries(Object.entries(expected).map(([line, d]) => [line, d.paths])));
      expect(client.logged).toEqual([]);
    });
  });
}

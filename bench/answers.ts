// The answer-equivalence check: servers that answer differently are not doing the same work, and
// comparing their throughput would mean nothing.
import { isDeepStrictEqual } from 'node:util';
import { type SeedOptions, modelName } from '../scripts/lib/seed-data.ts';
import type { ServerProcess } from './children.ts';
import { type GraphQLBody, aliasLookupBody, dashboardBody } from './workloads.ts';

async function post(url: string, body: GraphQLBody): Promise<{ text: string; json: unknown }> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`${url} answered ${response.status}: ${text.slice(0, 500)}`);
  return { text, json: JSON.parse(text) };
}

/** Compared parsed, not byte for byte: the raw server's JSON has PostgreSQL's spacing. */
export async function checkSameAnswers(servers: ServerProcess[], seed: SeedOptions): Promise<{ dashboardBytes: number }> {
  let dashboardBytes = 0;
  for (const body of [dashboardBody(), aliasLookupBody(modelName(seed, 0)), aliasLookupBody('no-such-model')]) {
    const answers = await Promise.all(servers.map((s) => post(s.url, body)));
    for (let i = 1; i < answers.length; i++) {
      if (!isDeepStrictEqual(answers[i].json, answers[0].json)) {
        throw new Error(
          `${servers[i].name} and ${servers[0].name} answer ${body.operationName} differently:\n` +
            `${answers[0].text.slice(0, 400)}\n${answers[i].text.slice(0, 400)}`,
        );
      }
    }
    if (body.operationName === 'Dashboard') dashboardBytes = Buffer.byteLength(answers[0].text);
  }
  return { dashboardBytes };
}

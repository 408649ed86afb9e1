// The database layer under attack and outage: forged cursors, server-side statement timeouts, a
// database dropped under a running server, /health's wording, history indexes and replay cost.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRegistryYoga } from '../../src/graphql/yoga.ts';
import type { Database } from '../../src/db/database.ts';
import { describeEachDatabase } from '../support/databases.ts';

function yogaOn(db: Database) {
  const logged: unknown[] = [];
  const yoga = createRegistryYoga(db, { logError: (e) => logged.push(e) });
  return {
    logged,
    async post(query: string, variables?: unknown) {
      const response = await yoga.fetch('http://localhost/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query, variables }),
      });
      return { status: response.status, json: (await response.json()) as any };
    },
  };
}

const cursorOf = (values: unknown[]) => Buffer.from(JSON.stringify(values)).toString('base64url');

describeEachDatabase('F11: forged cursors with unstorable text', (ctx) => {
  it('answers BAD_USER_INPUT for U+0000 and a lone surrogate, not "Unexpected error."', async () => {
    const api = yogaOn(ctx.db);
    for (const forged of ['a\u0000b', 'a\ud800b']) {
      const { json } = await api.post('query($after: String) { registeredModels(after: $after) { totalCount } }', {
        after: cursorOf([forged]),
      });
      expect(json.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    }
    expect(api.logged).toEqual([]);
  });
});

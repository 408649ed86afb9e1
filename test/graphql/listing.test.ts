// Listings over GraphQL: registeredModels (paging, orderings, filters, totalCount),
// RegisteredModel.versions and Query.modelVersions (filters, orderings, paging), node(id).
import { beforeAll, describe, expect, it } from 'vitest';
import { describeEachDatabase } from '../support/databases.ts';
import { sleep, uniqueName, useApi } from './helpers.ts';

const cursorOf = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describeEachDatabase('API: listings', (ctx) => {
  const api = useApi(ctx);

  const MODELS = `query L($first: Int, $after: String, $filter: RegisteredModelFilter, $orderBy: RegisteredModelOrder) {
    registeredModels(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {
      totalCount
      edges { cursor node { name } }
      nodes { name }
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    }
  }`;
  const models = async (vars: Record<string, unknown>) => (await api.data(MODELS, vars)).registeredModels;
  const names = async (vars: Record<string, unknown>) => (await models({ first: 100, ...vars })).nodes.map((n: any) => n.name);

  /** Every page of a listing, walked through endCursor. */
  async function walk(vars: Record<string, unknown>, first: number) {
    const pages: any[] = [];
    let after: string | null = null;
    for (let guard = 0; guard < 100; guard++) {
      const page: any = await models({ ...vars, first, after });
      pages.push(page);
      expect(page.pageInfo.hasPreviousPage).toBe(after !== null);
      expect(page.edges.map((e: any) => e.node)).toEqual(page.nodes);
      if (page.nodes.length) {
        expect(page.pageInfo.startCursor).toBe(page.edges[0].cursor);
        expect(page.pageInfo.endCursor).toBe(page.edges.at(-1).cursor);
      }
      if (!page.pageInfo.hasNextPage) return pages;
      after = page.pageInfo.endCursor;
    }
    throw new Error('more than 100 pages');
  }

  describe('registeredModels: paging', () => {
    const prefix = `pg${Math.random().toString(36).slice(2, 8)}`;
    const all: string[] = [];
    beforeAll(async () => {
      // 23 models named so that every collation sorts them the same way.
      for (let i = 0; i < 23; i++) {
        const name = `${prefix}-${String.fromCharCode(97 + i)}${String.fromCharCode(97 + ((i * 7) % 26))}`;
        all.push(name);
        await api.createModel(name);
      }
      all.sort();
    });

    it('walks every page via endCursor: no gaps, no duplicates, hasNextPage false at the end', async () => {
      const pages = await walk({ filter: { nameContains: prefix } }, 5);
      expect(pages.map((p) => p.nodes.length)).toEqual([5, 5, 5, 5, 3]);
      expect(pages.flatMap((p) => p.nodes.map((n: any) => n.name))).toEqual(all);
      expect(pages.every((p) => p.totalCount === 23)).toBe(true);
      expect(pages.at(-1).pageInfo.hasNextPage).toBe(false);
      // After the last item: an empty page.
      const empty = await models({ filter: { nameContains: prefix }, first: 5, after: pages.at(-1).pageInfo.endCursor });
      expect(empty).toEqual({
        totalCount: 23,
        edges: [],
        nodes: [],
        pageInfo: { hasNextPage: false, hasPreviousPage: true, startCursor: null, endCursor: null },
      });
    });

    it('keeps its place when models are created or deleted between pages', async () => {
      const sub = `${prefix}-m`; // sorts between ...-l* and ...-n*
      const first = await models({ filter: { nameContains: prefix }, first: 12 });
      expect(first.nodes.map((n: any) => n.name)).toEqual(all.slice(0, 12));
      // A model sorting before the cursor and one after it appear meanwhile; one after it goes.
      await api.createModel(`${prefix}-0`);
      await api.createModel(sub);
      await api.ok('deleteRegisteredModel', { name: all[20] });
      const rest = await models({ filter: { nameContains: prefix }, first: 100, after: first.pageInfo.endCursor });
      expect(rest.nodes.map((n: any) => n.name)).toEqual([...all.slice(12), sub].filter((n) => n !== all[20]).sort());
      // Restore the fixture for the other tests.
      await api.ok('deleteRegisteredModel', { name: `${prefix}-0` });
      await api.ok('deleteRegisteredModel', { name: sub });
      await api.createModel(all[20]);
    });

    it('walks the whole registry unfiltered the same way', async () => {
      const total = (await models({ first: 1 })).totalCount;
      const pages = await walk({}, 7);
      const seen = pages.flatMap((p) => p.nodes.map((n: any) => n.name));
      expect(seen).toHaveLength(total);
      expect(new Set(seen).size).toBe(total);
      expect(seen.filter((n: string) => n.startsWith(prefix))).toEqual(all);
    });

    it('defaults first to 20 and accepts 1 and 100', async () => {
      const page = await models({ filter: { nameContains: prefix } });
      expect(page.nodes.map((n: any) => n.name)).toEqual(all.slice(0, 20));
      expect(page.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
      const one = await models({ filter: { nameContains: prefix }, first: 1 });
      expect(one.nodes.map((n: any) => n.name)).toEqual([all[0]]);
      const hundred = await models({ filter: { nameContains: prefix }, first: 100 });
      expect(hundred.nodes).toHaveLength(23);
      expect(hundred.pageInfo.hasNextPage).toBe(false);
    });

    it.each([0, -1, 101])('first: %i is a GraphQL error', async (first) => {
      const response = await api.request(MODELS, { first });
      expect(response.errors?.length, JSON.stringify(response)).toBeGreaterThan(0);
      expect(response.errors![0].message).toMatch(/first/);
      expect(response.errors![0].message).not.toMatch(/Unexpected error/);
      expect(response.data ?? null).toBeNull();
    });

    it('a forged cursor is a GraphQL error, not a server fault', async () => {
      const realNameCursor = (await models({ first: 1 })).pageInfo.endCursor;
      const forged = [
        'not-a-cursor',
        cursorOf({ name: 'x' }),
        cursorOf([]),
        cursorOf(['a', 'b']),
        cursorOf([5]),
        cursorOf([{ d: '2026-01-01T00:00:00.000Z' }]),
        cursorOf([null]),
      ];
      for (const after of forged) {
        const response = await api.request(MODELS, { first: 5, after });
        expect(response.errors?.[0]?.message ?? '(no GraphQL error)', `${after}: ${JSON.stringify(response)}`).toMatch(/cursor/);
      }
      // A name-order cursor handed to another order, with the wrong value types.
      for (const [orderBy, after] of [
        ['UPDATED_AT_DESC', realNameCursor],
        ['UPDATED_AT_DESC', cursorOf(['x', 1])],
        ['CREATED_AT_DESC', cursorOf([1, 1])],
      ]) {
        const response = await api.request(MODELS, { first: 5, after, orderBy });
        expect(response.errors?.[0]?.message ?? '(no GraphQL error)', `${orderBy} ${after}: ${JSON.stringify(response)}`).toMatch(/cursor/);
      }
    });

    it('a cursor holding values the database cannot hold is refused or answered, never a server fault', async () => {
      const name = (await models({ first: 1 })).nodes[0].name;
      const attempts: [string, Record<string, unknown>][] = [
        [MODELS, { orderBy: 'UPDATED_AT_DESC', after: cursorOf([{ d: '-200000-01-01T00:00:00.000Z' }, 1]) }],
        [MODELS, { orderBy: 'CREATED_AT_DESC', after: cursorOf([{ d: '2026-01-01T00:00:00.000Z' }, 2147483648]) }],
        [
          `query V($after: String, $orderBy: ModelVersionOrder) { modelVersions(after: $after, orderBy: $orderBy) { nodes { version } } }`,
          { orderBy: 'VERSION_DESC', after: cursorOf([2147483648, 1]) },
        ],
        [
          `query V($name: String!, $after: String) { registeredModel(name: $name) { versions(after: $after) { nodes { version } } } }`,
          { name, after: cursorOf([2147483648]) },
        ],
        [
          `query V($name: String!, $after: String) { registeredModel(name: $name) { versions(after: $after, orderBy: CREATED_AT_DESC) { nodes { version } } } }`,
          { name, after: cursorOf([{ d: '-200000-01-01T00:00:00.000Z' }, 1]) },
        ],
        [`query A($after: String) { auditEvents(after: $after) { nodes { sequence } } }`, { after: cursorOf([2147483648]) }],
        [`query A($after: String) { auditEvents(after: $after) { nodes { sequence } } }`, { after: cursorOf([9007199254740991]) }],
        [
          `query H($name: String!, $after: String) { registeredModel(name: $name) { history(after: $after) { nodes { sequence } } } }`,
          { name, after: cursorOf([9007199254740991]) },
        ],
      ];
      // Collected first, so that a failure lists every cursor that went wrong.
      const wrong: string[] = [];
      for (const [query, variables] of attempts) {
        const response = await api.request(query, variables);
        const faults = api.client.logged.splice(0);
        if (faults.length || (response.errors && !/cursor/.test(response.errors[0].message))) {
          wrong.push(
            `${JSON.stringify(variables)} → ${response.errors?.[0]?.message}; logged: ${faults.map((f) => String(f).split('\n').at(-1)).join(' | ')}`,
          );
        }
      }
      expect(wrong).toEqual([]);
    });
  });

  describe('registeredModels: orderings', () => {
    it('orders by NAME_ASC (default), NAME_DESC, UPDATED_AT_DESC and CREATED_AT_DESC, and pages in each', async () => {
      const prefix = `ord${Math.random().toString(36).slice(2, 8)}`;
      const [m1, m2, m3] = [`${prefix}-b`, `${prefix}-c`, `${prefix}-a`];
      for (const name of [m1, m2, m3]) {
        await api.createModel(name);
        await sleep(5);
      }
      const filter = { nameContains: prefix };
      const order = (orderBy?: string) => names({ filter, orderBy });
      expect(await order()).toEqual([m3, m1, m2]);
      expect(await order('NAME_ASC')).toEqual([m3, m1, m2]);
      expect(await order('NAME_DESC')).toEqual([m2, m1, m3]);
      expect(await order('CREATED_AT_DESC')).toEqual([m3, m2, m1]);
      expect(await order('UPDATED_AT_DESC')).toEqual([m3, m2, m1]);

      // A model tag moves m1 first; a new version moves m2, then m3; an alias moves m2.
      await api.ok('setRegisteredModelTag', { name: m1, key: 'k', value: 'v' });
      expect(await order('UPDATED_AT_DESC')).toEqual([m1, m3, m2]);
      await sleep(5);
      await api.ok('createModelVersion', { name: m2, source: 's3://x' });
      expect(await order('UPDATED_AT_DESC')).toEqual([m2, m1, m3]);
      await sleep(5);
      await api.ok('createModelVersion', { name: m3, source: 's3://y' });
      expect(await order('UPDATED_AT_DESC')).toEqual([m3, m2, m1]);
      await sleep(5);
      await api.ok('setModelAlias', { name: m2, alias: 'prod', version: 1 });
      expect(await order('UPDATED_AT_DESC')).toEqual([m2, m3, m1]);
      // No-ops move nothing.
      await sleep(5);
      await api.ok('setModelAlias', { name: m2, alias: 'prod', version: 1 });
      await api.ok('setRegisteredModelTag', { name: m1, key: 'k', value: 'v' });
      await api.ok('updateRegisteredModel', { name: m3 });
      expect(await order('UPDATED_AT_DESC')).toEqual([m2, m3, m1]);
      expect(await order('CREATED_AT_DESC')).toEqual([m3, m2, m1]);

      // Paging one at a time gives the same order, in every ordering.
      for (const orderBy of ['NAME_ASC', 'NAME_DESC', 'UPDATED_AT_DESC', 'CREATED_AT_DESC']) {
        const pages = await walk({ filter, orderBy }, 1);
        expect(pages.flatMap((p) => p.nodes.map((n: any) => n.name))).toEqual(await order(orderBy));
      }
    });
  });

  describe('registeredModels: filters', () => {
    const prefix = `flt${Math.random().toString(36).slice(2, 8)}`;
    const n = (suffix: string) => `${prefix}-${suffix}`;
    beforeAll(async () => {
      await api.createModel(n('Alpha'), 1, {
        tags: [
          { key: 'team', value: 'risk' },
          { key: 'task', value: 'cls' },
        ],
      });
      await api.createModel(n('beta'), 1, { tags: [{ key: 'team', value: 'growth' }] });
      await api.createModel(n('GAMMA'), 1, { tags: [{ key: 'team', value: 'risk' }] });
      await api.createModel(n('delta'), 1);
      await api.ok('setModelAlias', { name: n('beta'), alias: 'champion', version: 1 });
      await api.ok('setModelAlias', { name: n('GAMMA'), alias: 'champion', version: 1 });
      await api.ok('setModelAlias', { name: n('delta'), alias: 'staging', version: 1 });
    });
    const filtered = async (filter: Record<string, unknown>) => {
      const page = await models({ first: 100, filter: { nameContains: prefix, ...filter } });
      const got = page.nodes.map((m: any) => m.name.slice(prefix.length + 1)).sort();
      expect(page.totalCount).toBe(got.length);
      return got;
    };

    it('nameContains is a case-insensitive substring', async () => {
      expect(await filtered({})).toEqual(['Alpha', 'GAMMA', 'beta', 'delta']);
      expect(await filtered({ nameContains: `${prefix.toUpperCase()}-AL` })).toEqual(['Alpha']);
      expect((await models({ first: 100, filter: { nameContains: 'aMm' } })).nodes.map((m: any) => m.name)).toContain(n('GAMMA'));
      expect((await models({ first: 100, filter: { nameContains: `${prefix}-ET` } })).nodes).toEqual([]);
      expect((await models({ first: 100, filter: { nameContains: `${prefix}-BET` } })).nodes).toEqual([{ name: n('beta') }]);
    });

    it('nameContains treats %, _ and \\ as plain characters', async () => {
      const base = `lit${Math.random().toString(36).slice(2, 8)}`;
      const literal = [`${base}-a_b`, `${base}-axb`, `${base}-50%`, `${base}-500`, `${base}-x\\y`, `${base}-xy`];
      for (const name of literal) await api.createModel(name);
      const find = async (s: string) =>
        (await models({ first: 100, filter: { nameContains: s } })).nodes.map((m: any) => m.name).filter((m: string) => m.startsWith(base));
      expect(await find('a_b')).toEqual([`${base}-a_b`]);
      expect(await find('0%')).toEqual([`${base}-50%`]);
      expect(await find('x\\y')).toEqual([`${base}-x\\y`]);
      expect(await find(`${base}-_`)).toEqual([]);
      expect(await find(`${base}%`)).toEqual([]);
    });

    it('tags: key only, key and value, several (all must match)', async () => {
      expect(await filtered({ tags: [{ key: 'team' }] })).toEqual(['Alpha', 'GAMMA', 'beta']);
      expect(await filtered({ tags: [{ key: 'team', value: 'risk' }] })).toEqual(['Alpha', 'GAMMA']);
      expect(await filtered({ tags: [{ key: 'team', value: 'RISK' }] })).toEqual([]);
      expect(await filtered({ tags: [{ key: 'team', value: 'risk' }, { key: 'task' }] })).toEqual(['Alpha']);
      expect(await filtered({ tags: [{ key: 'team', value: 'growth' }, { key: 'task' }] })).toEqual([]);
      expect(await filtered({ tags: [{ key: 'team', value: null }] })).toEqual(['Alpha', 'GAMMA', 'beta']);
      expect(await filtered({ tags: [] })).toEqual(['Alpha', 'GAMMA', 'beta', 'delta']);
      expect(await filtered({ tags: [{ key: 'nope' }] })).toEqual([]);
    });

    it('tags: an empty value matches only the empty value', async () => {
      await api.ok('setRegisteredModelTag', { name: n('delta'), key: 'approved', value: '' });
      await api.ok('setRegisteredModelTag', { name: n('beta'), key: 'approved', value: 'true' });
      expect(await filtered({ tags: [{ key: 'approved', value: '' }] })).toEqual(['delta']);
      expect(await filtered({ tags: [{ key: 'approved' }] })).toEqual(['beta', 'delta']);
      await api.ok('deleteRegisteredModelTag', { name: n('delta'), key: 'approved' });
      await api.ok('deleteRegisteredModelTag', { name: n('beta'), key: 'approved' });
    });

    it('hasAlias, and all conditions together; totalCount counts all pages', async () => {
      expect(await filtered({ hasAlias: 'champion' })).toEqual(['GAMMA', 'beta']);
      expect(await filtered({ hasAlias: 'staging' })).toEqual(['delta']);
      expect(await filtered({ hasAlias: 'CHAMPION' })).toEqual([]);
      expect(await filtered({ hasAlias: 'champion', tags: [{ key: 'team', value: 'risk' }] })).toEqual(['GAMMA']);
      const page = await models({ first: 1, filter: { nameContains: prefix, tags: [{ key: 'team' }] } });
      expect(page.totalCount).toBe(3);
      expect(page.nodes).toHaveLength(1);
      expect(page.pageInfo.hasNextPage).toBe(true);
      // Removing the alias removes the model from the filter.
      await api.ok('deleteModelAlias', { name: n('beta'), alias: 'champion' });
      expect(await filtered({ hasAlias: 'champion' })).toEqual(['GAMMA']);
    });
  });

  describe('versions', () => {
    const name = uniqueName('versions');
    const other = uniqueName('versions-other');
    beforeAll(async () => {
      await api.createModel(name);
      for (let v = 1; v <= 6; v++) {
        await api.ok('createModelVersion', {
          name,
          source: `s3://${name}/${v}`,
          runId: v % 2 ? 'run-odd' : 'run-even',
          tags: [{ key: 'parity', value: v % 2 ? 'odd' : 'even' }, ...(v > 3 ? [{ key: 'late', value: 'yes' }] : [])],
        });
        await sleep(2);
      }
      await api.ok('updateModelVersion', { name, version: 2, status: 'FAILED_REGISTRATION' });
      await api.ok('updateModelVersion', { name, version: 5, status: 'PENDING_REGISTRATION' });
      await api.ok('deleteModelVersion', { name, version: 6 });
      await api.ok('setModelAlias', { name, alias: 'prod', version: 3 });
      await api.createModel(other, 2);
      await api.ok('createModelVersion', { name: other, source: 's3://o/3', runId: 'run-odd' });
    });

    const VERSIONS = `query V($name: String!, $first: Int, $after: String, $filter: ModelVersionFilter, $orderBy: ModelVersionOrder) {
      registeredModel(name: $name) {
        versions(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {
          totalCount
          edges { cursor node { version } }
          nodes { version status runId aliases tags { key value } }
          pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
        }
      }
    }`;
    const versions = async (vars: Record<string, unknown>) => (await api.data(VERSIONS, { name, ...vars })).registeredModel.versions;
    const numbersOf = async (vars: Record<string, unknown>) => {
      const page = await versions(vars);
      return { numbers: page.nodes.map((v: any) => v.version), totalCount: page.totalCount };
    };

    it('RegisteredModel.versions: newest first by default, each orderBy, each filter, totalCount', async () => {
      expect(await numbersOf({})).toEqual({ numbers: [5, 4, 3, 2, 1], totalCount: 5 });
      expect(await numbersOf({ orderBy: 'VERSION_DESC' })).toEqual({ numbers: [5, 4, 3, 2, 1], totalCount: 5 });
      expect(await numbersOf({ orderBy: 'VERSION_ASC' })).toEqual({ numbers: [1, 2, 3, 4, 5], totalCount: 5 });
      expect(await numbersOf({ orderBy: 'CREATED_AT_DESC' })).toEqual({ numbers: [5, 4, 3, 2, 1], totalCount: 5 });
      expect(await numbersOf({ filter: { status: 'READY' } })).toEqual({ numbers: [4, 3, 1], totalCount: 3 });
      expect(await numbersOf({ filter: { status: 'FAILED_REGISTRATION' } })).toEqual({ numbers: [2], totalCount: 1 });
      expect(await numbersOf({ filter: { status: 'PENDING_REGISTRATION' } })).toEqual({ numbers: [5], totalCount: 1 });
      expect(await numbersOf({ filter: { runId: 'run-odd' } })).toEqual({ numbers: [5, 3, 1], totalCount: 3 });
      expect(await numbersOf({ filter: { runId: 'run-none' } })).toEqual({ numbers: [], totalCount: 0 });
      expect(await numbersOf({ filter: { tags: [{ key: 'late' }] } })).toEqual({ numbers: [5, 4], totalCount: 2 });
      expect(await numbersOf({ filter: { tags: [{ key: 'parity', value: 'even' }] } })).toEqual({ numbers: [4, 2], totalCount: 2 });
      expect(await numbersOf({ filter: { tags: [{ key: 'parity', value: 'odd' }, { key: 'late' }] } })).toEqual({
        numbers: [5],
        totalCount: 1,
      });
      expect(await numbersOf({ filter: { runId: 'run-odd', status: 'READY' }, orderBy: 'VERSION_ASC' })).toEqual({
        numbers: [1, 3],
        totalCount: 2,
      });
      const three = (await versions({ filter: { runId: 'run-odd', status: 'READY' } })).nodes.find((v: any) => v.version === 3);
      expect(three).toEqual({ version: 3, status: 'READY', runId: 'run-odd', aliases: ['prod'], tags: [{ key: 'parity', value: 'odd' }] });
    });

    it('RegisteredModel.versions pages with after in every order, totalCount on every page', async () => {
      for (const [orderBy, expected] of [
        ['VERSION_DESC', [5, 4, 3, 2, 1]],
        ['VERSION_ASC', [1, 2, 3, 4, 5]],
        ['CREATED_AT_DESC', [5, 4, 3, 2, 1]],
      ] as const) {
        const seen: number[] = [];
        let after: string | null = null;
        for (let i = 0; i < 10; i++) {
          const page: any = await versions({ first: 2, after, orderBy });
          expect(page.totalCount).toBe(5);
          expect(page.pageInfo.hasPreviousPage).toBe(after !== null);
          seen.push(...page.nodes.map((v: any) => v.version));
          if (!page.pageInfo.hasNextPage) break;
          after = page.pageInfo.endCursor;
        }
        expect(seen, orderBy).toEqual([...expected]);
      }
      const filtered = await versions({ first: 1, filter: { runId: 'run-odd' } });
      const next = await versions({ first: 5, after: filtered.pageInfo.endCursor, filter: { runId: 'run-odd' } });
      expect([...filtered.nodes, ...next.nodes].map((v: any) => v.version)).toEqual([5, 3, 1]);
      expect(next.pageInfo.hasNextPage).toBe(false);
      for (const first of [0, 101]) {
        const response = await api.request(VERSIONS, { name, first });
        expect(response.errors?.[0]?.message ?? '(no GraphQL error)').toMatch(/first/);
      }
      const forged = await api.request(VERSIONS, { name, after: 'forged!' });
      expect(forged.errors?.[0]?.message ?? '(no GraphQL error)').toMatch(/cursor/);
    });

    const ALL = `query A($name: String, $first: Int, $after: String, $filter: ModelVersionFilter, $orderBy: ModelVersionOrder) {
      modelVersions(name: $name, first: $first, after: $after, filter: $filter, orderBy: $orderBy) {
        totalCount
        nodes { version aliases model { name } }
        pageInfo { hasNextPage hasPreviousPage endCursor }
      }
    }`;
    const all = async (vars: Record<string, unknown>) => (await api.data(ALL, vars)).modelVersions;
    const pairs = (page: any) => page.nodes.map((v: any) => [v.model.name === name ? 'm' : v.model.name === other ? 'o' : '?', v.version]);

    it('Query.modelVersions of one model: newest registered first by default, filters, orders, paging', async () => {
      expect(pairs(await all({ name, first: 100 }))).toEqual([
        ['m', 5],
        ['m', 4],
        ['m', 3],
        ['m', 2],
        ['m', 1],
      ]);
      expect((await all({ name })).totalCount).toBe(5);
      expect(pairs(await all({ name, orderBy: 'VERSION_ASC' }))).toEqual([
        ['m', 1],
        ['m', 2],
        ['m', 3],
        ['m', 4],
        ['m', 5],
      ]);
      expect(pairs(await all({ name, orderBy: 'VERSION_DESC' }))).toEqual([
        ['m', 5],
        ['m', 4],
        ['m', 3],
        ['m', 2],
        ['m', 1],
      ]);
      expect(pairs(await all({ name, filter: { status: 'READY', tags: [{ key: 'parity', value: 'odd' }] } }))).toEqual([
        ['m', 3],
        ['m', 1],
      ]);
      const prod = (await all({ name, filter: { runId: 'run-odd' } })).nodes.find((v: any) => v.version === 3);
      expect(prod.aliases).toEqual(['prod']);
      const first = await all({ name, first: 3 });
      const rest = await all({ name, first: 3, after: first.pageInfo.endCursor });
      expect([...pairs(first), ...pairs(rest)]).toEqual([
        ['m', 5],
        ['m', 4],
        ['m', 3],
        ['m', 2],
        ['m', 1],
      ]);
      expect(first.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
      expect(rest.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });
      expect(await all({ name: uniqueName('nobody') })).toEqual({
        totalCount: 0,
        nodes: [],
        pageInfo: { hasNextPage: false, hasPreviousPage: false, endCursor: null },
      });
    });

    it('Query.modelVersions across models: newest first, filters span models', async () => {
      const newest = await all({ first: 4 });
      expect(pairs(newest)).toEqual([
        ['o', 3],
        ['o', 2],
        ['o', 1],
        ['m', 5],
      ]);
      const byRun = await all({ first: 100, filter: { runId: 'run-odd' } });
      expect(pairs(byRun)).toEqual([
        ['o', 3],
        ['m', 5],
        ['m', 3],
        ['m', 1],
      ]);
      expect(byRun.totalCount).toBe(4);
      const versionDesc = await all({ first: 100, filter: { runId: 'run-odd' }, orderBy: 'VERSION_DESC' });
      expect(versionDesc.nodes.map((v: any) => v.version)).toEqual([5, 3, 3, 1]);
      // Walking all versions of the registry in pages of 7 sees each once.
      const total = (await all({ first: 1 })).totalCount;
      const seen: string[] = [];
      let after: string | null = null;
      for (let i = 0; i < 100; i++) {
        const page: any = await api.data(
          `query W($after: String) { modelVersions(first: 7, after: $after) { nodes { id } pageInfo { hasNextPage endCursor } } }`,
          { after },
        );
        seen.push(...page.modelVersions.nodes.map((v: any) => v.id));
        if (!page.modelVersions.pageInfo.hasNextPage) break;
        after = page.modelVersions.pageInfo.endCursor;
      }
      expect(seen).toHaveLength(total);
      expect(new Set(seen).size).toBe(total);
      const forged = await api.request(ALL, { after: cursorOf([1, 2]) });
      expect(forged.errors?.[0]?.message ?? '(no GraphQL error)', JSON.stringify(forged)).toMatch(/cursor/);
    });
  });

  describe('nested lists across several models in one request', () => {
    it('gives each model its own versions, history and aliases, whatever the other models hold', async () => {
      const prefix = `nest${Math.random().toString(36).slice(2, 8)}`;
      const [x, y, z] = [`${prefix}-x`, `${prefix}-y`, `${prefix}-z`];
      await api.createModel(x);
      for (let v = 1; v <= 5; v++) {
        await api.ok('createModelVersion', { name: x, source: `s3://x/${v}`, tags: [{ key: 'parity', value: v % 2 ? 'odd' : 'even' }] });
      }
      await api.ok('updateModelVersion', { name: x, version: 4, status: 'FAILED_REGISTRATION' });
      await api.ok('setModelAlias', { name: x, alias: 'prod', version: 2 });
      await api.ok('setModelAlias', { name: x, alias: 'prod', version: 3 });
      await api.createModel(y);
      for (let v = 1; v <= 2; v++) {
        await api.ok('createModelVersion', { name: y, source: `s3://y/${v}`, tags: [{ key: 'parity', value: v % 2 ? 'odd' : 'even' }] });
      }
      await api.ok('setModelAlias', { name: y, alias: 'prod', version: 1 });
      await api.createModel(z);

      const SELECTION = `
        name
        newest: versions(first: 2) { totalCount nodes { version aliases tags { key value } source } pageInfo { hasNextPage endCursor } }
        oldest: versions(first: 2, orderBy: VERSION_ASC) { totalCount nodes { version } pageInfo { hasNextPage } }
        even: versions(filter: { tags: [{ key: "parity", value: "even" }] }) { totalCount nodes { version } }
        ready: versions(first: 1, filter: { status: READY }, orderBy: CREATED_AT_DESC) { totalCount nodes { version } pageInfo { hasNextPage } }
        latestVersion { version }
        recent: history(first: 2) { nodes { action version alias } pageInfo { hasNextPage endCursor } }
        prodHistory: history(alias: "prod") { nodes { action version previousVersion } }
        prod: versionByAlias(alias: "prod") { version }
        prodFuture: versionByAlias(alias: "prod", at: "2999-01-01T00:00:00Z") { version }
      `;
      const all = await api.data(
        `query N($prefix: String!) { registeredModels(filter: { nameContains: $prefix }) { nodes { ${SELECTION} } } }`,
        { prefix },
      );
      const byName = Object.fromEntries(all.registeredModels.nodes.map((m: any) => [m.name, m]));
      // The same selection, one model at a time.
      for (const name of [x, y, z]) {
        const one = await api.data(`query O($name: String!) { registeredModel(name: $name) { ${SELECTION} } }`, { name });
        expect(byName[name], name).toEqual(one.registeredModel);
      }
      const versions = (page: any) => page.nodes.map((v: any) => v.version);
      expect([x, y, z].map((n) => versions(byName[n].newest))).toEqual([[5, 4], [2, 1], []]);
      expect([x, y, z].map((n) => byName[n].newest.totalCount)).toEqual([5, 2, 0]);
      expect([x, y, z].map((n) => byName[n].newest.pageInfo.hasNextPage)).toEqual([true, false, false]);
      expect([x, y, z].map((n) => versions(byName[n].oldest))).toEqual([[1, 2], [1, 2], []]);
      expect([x, y, z].map((n) => [versions(byName[n].even), byName[n].even.totalCount])).toEqual([
        [[4, 2], 2],
        [[2], 1],
        [[], 0],
      ]);
      expect([x, y, z].map((n) => [versions(byName[n].ready), byName[n].ready.totalCount, byName[n].ready.pageInfo.hasNextPage])).toEqual([
        [[5], 4, true],
        [[2], 2, true],
        [[], 0, false],
      ]);
      expect([x, y, z].map((n) => byName[n].latestVersion?.version ?? null)).toEqual([5, 2, null]);
      expect(byName[x].newest.nodes[0]).toEqual({ version: 5, aliases: [], tags: [{ key: 'parity', value: 'odd' }], source: 's3://x/5' });
      expect([x, y, z].map((n) => byName[n].recent.nodes.map((e: any) => [e.action, e.version, e.alias]))).toEqual([
        [
          ['ALIAS_SET', 3, 'prod'],
          ['ALIAS_SET', 2, 'prod'],
        ],
        [
          ['ALIAS_SET', 1, 'prod'],
          ['VERSION_TAG_SET', 2, null],
        ],
        [['MODEL_CREATED', null, null]],
      ]);
      expect([x, y, z].map((n) => byName[n].prodHistory.nodes.map((e: any) => [e.version, e.previousVersion]))).toEqual([
        [
          [3, 2],
          [2, null],
        ],
        [[1, null]],
        [],
      ]);
      expect([x, y, z].map((n) => [byName[n].prod?.version ?? null, byName[n].prodFuture?.version ?? null])).toEqual([
        [3, 3],
        [1, 1],
        [null, null],
      ]);

      // Second pages, each model continuing from its own cursor, in one request.
      const next = await api.data(
        `query P($x: String!, $y: String!, $cx: String, $cy: String, $hx: String, $hy: String) {
          x: registeredModel(name: $x) { versions(first: 2, after: $cx) { nodes { version } pageInfo { hasNextPage hasPreviousPage } } history(first: 2, after: $hx) { nodes { action version } } }
          y: registeredModel(name: $y) { versions(first: 2, after: $cy) { nodes { version } pageInfo { hasNextPage hasPreviousPage } } history(first: 2, after: $hy) { nodes { action version } } }
        }`,
        {
          x,
          y,
          cx: byName[x].newest.pageInfo.endCursor,
          cy: byName[y].newest.pageInfo.endCursor,
          hx: byName[x].recent.pageInfo.endCursor,
          hy: byName[y].recent.pageInfo.endCursor,
        },
      );
      expect(next).toEqual({
        x: {
          versions: { nodes: [{ version: 3 }, { version: 2 }], pageInfo: { hasNextPage: true, hasPreviousPage: true } },
          history: {
            nodes: [
              { action: 'VERSION_UPDATED', version: 4 },
              { action: 'VERSION_TAG_SET', version: 5 },
            ],
          },
        },
        y: {
          versions: { nodes: [], pageInfo: { hasNextPage: false, hasPreviousPage: true } },
          history: {
            nodes: [
              { action: 'VERSION_CREATED', version: 2 },
              { action: 'VERSION_TAG_SET', version: 1 },
            ],
          },
        },
      });
    });
  });

  describe('node(id)', () => {
    it('resolves RegisteredModel, ModelVersion and AuditEvent ids, and null for garbage or unknown ids', async () => {
      const name = uniqueName('node');
      await api.createModel(name, 2, { description: 'noded' });
      const ids = await api.data(
        `query I($name: String!) {
          registeredModel(name: $name) { id version(version: 2) { id } history(first: 1) { nodes { id sequence } } }
        }`,
        { name },
      );
      const modelId = ids.registeredModel.id;
      const versionId = ids.registeredModel.version.id;
      const eventId = ids.registeredModel.history.nodes[0].id;
      expect(new Set([modelId, versionId, eventId]).size).toBe(3);

      const NODE = `query N($id: ID!) {
        node(id: $id) {
          __typename id
          ... on RegisteredModel { name description }
          ... on ModelVersion { version model { name } }
          ... on AuditEvent { sequence action modelName }
        }
      }`;
      const node = async (id: string) => (await api.data(NODE, { id })).node;
      expect(await node(modelId)).toEqual({ __typename: 'RegisteredModel', id: modelId, name, description: 'noded' });
      expect(await node(versionId)).toEqual({ __typename: 'ModelVersion', id: versionId, version: 2, model: { name } });
      expect(await node(eventId)).toEqual({
        __typename: 'AuditEvent',
        id: eventId,
        sequence: ids.registeredModel.history.nodes[0].sequence,
        action: 'VERSION_CREATED',
        modelName: name,
      });

      for (const garbage of ['', 'garbage', '!!!', 'UmVnaXN0ZXJlZE1vZGVs', '\u0000', 'a'.repeat(1000)]) {
        expect(await node(garbage), JSON.stringify(garbage)).toBeNull();
      }
      // An id with junk appended is not the id of anything (ids are compared whole, not decoded leniently).
      for (const junk of [`${modelId}x`, `${versionId}!`, ` ${eventId}`]) {
        expect(await node(junk), JSON.stringify(junk)).toBeNull();
      }
      // Unknown ids: the version and then the model, deleted. The event stays.
      await api.ok('deleteModelVersion', { name, version: 2 });
      expect(await node(versionId)).toBeNull();
      await api.ok('deleteRegisteredModel', { name });
      expect(await node(modelId)).toBeNull();
      expect((await node(eventId))?.sequence).toBe(ids.registeredModel.history.nodes[0].sequence);
    });
  });
});

// MLflow's searches against real databases: the scenarios of mlflow-registry-spec.md §5 H and I,
// seeded through the registry's commands. Each block keeps to its own name prefix through `scope`,
// which doubles as the test that out-of-scope models never appear.
import { beforeAll, describe, expect, it } from 'vitest';
import type { PrismaClient } from '../../src/generated/prisma/client.ts';
import { parseModelSearch, parseVersionSearch, type SearchParams } from '../../src/mlflow/search-filter.ts';
import { createRegisteredModel, deleteRegisteredModel, updateRegisteredModel } from '../../src/registry/commands/models.ts';
import { setModelVersionTag, setRegisteredModelTag } from '../../src/registry/commands/tags.ts';
import { createModelVersion, deleteModelVersion, updateModelVersion } from '../../src/registry/commands/versions.ts';
import { parseNamePattern } from '../../src/registry/rules/name-patterns.ts';
import { searchModelVersions, searchRegisteredModels } from '../../src/store/mlflow-search.ts';
import { describeEachDatabase } from '../support/databases.ts';
import { writeAs } from '../support/registry.ts';

const PROMPT = 'mlflow.prompt.is_prompt';

/** A pause so that consecutive writes get distinct millisecond timestamps. */
const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

async function model(prisma: PrismaClient, name: string, tags: Record<string, string> = {}): Promise<void> {
  await writeAs(prisma, null, (w) =>
    createRegisteredModel(w, { name, tags: Object.entries(tags).map(([key, value]) => ({ key, value })) }),
  );
  await tick();
}

async function version(
  prisma: PrismaClient,
  name: string,
  source: string,
  runId: string | null,
  tags: Record<string, string> = {},
): Promise<void> {
  await writeAs(prisma, null, (w) =>
    createModelVersion(w, { name, source, runId, tags: Object.entries(tags).map(([key, value]) => ({ key, value })) }),
  );
  await tick();
}

/** `prefix` + RM000, RM001, ...: name order is number order. */
function numbered(prefix: string, n: number): string[] {
  return Array.from({ length: n }, (_, i) => `${prefix}RM${String(i).padStart(3, '0')}`);
}

/** Many models in one transaction, for speed (each still reads its own database clock). */
function manyModels(prisma: PrismaClient, names: readonly string[]): Promise<void> {
  return writeAs(prisma, null, async (w) => {
    for (const name of names) await createRegisteredModel(w, { name });
  });
}

describeEachDatabase('MLflow search', (ctx) => {
  const scopeOf = (prefix: string) => [parseNamePattern(`${prefix}*`)];

  async function models(prefix: string, params: SearchParams = {}) {
    return searchRegisteredModels(ctx.db, { ...parseModelSearch(params), scope: scopeOf(prefix) });
  }
  async function modelNames(prefix: string, params: SearchParams = {}) {
    return (await models(prefix, params)).rows.map((m) => m.name);
  }
  async function versions(prefix: string, params: SearchParams = {}) {
    return searchModelVersions(ctx.db, { ...parseVersionSearch(params), scope: scopeOf(prefix) });
  }
  async function versionNumbers(prefix: string, params: SearchParams = {}) {
    return (await versions(prefix, params)).rows.map((v) => v.version);
  }

  describe('registered models by name (H01-H06)', () => {
    const p = 'test_for_search_';
    const all = ['RM1', 'RM2', 'RM3', 'RM4', 'RM4A', 'RM4ab'].map((s) => p + s);
    beforeAll(async () => {
      for (const name of all) await model(ctx.db.prisma, name);
    });

    it('filters by =, !=, LIKE (case-sensitive) and ILIKE', async () => {
      expect(await modelNames(p)).toEqual(all);
      expect(await modelNames(p, { filter: `name='${p}RM1'` })).toEqual([`${p}RM1`]);
      expect(await modelNames(p, { filter: `name='${p}RM1cats'` })).toEqual([]);
      expect(await modelNames(p, { filter: `name != '${p}RM1'` })).toEqual(all.slice(1));
      for (const f of [`name LIKE '${p}%'`, "name LIKE '%RM%'", "name LIKE '_e%'", "name iLike '%%'"]) {
        expect(await modelNames(p, { filter: f })).toEqual(all);
      }
      expect(await modelNames(p, { filter: `name LIKE '${p}RM4A%'` })).toEqual([`${p}RM4A`]);
      for (const f of [`name ILIKE '${p}RM4A%'`, "name ILIKE '%RM4a%'", "name ilike '%RM4a%'"]) {
        expect(await modelNames(p, { filter: f })).toEqual([`${p}RM4A`, `${p}RM4ab`]);
      }
    });

    it('ignores the client’s prompt predicate, and stays within scope', async () => {
      expect(await modelNames(p, { filter: `tag.\`${PROMPT}\` != 'true'` })).toEqual(all);
      expect(await modelNames(`${p}RM4`, { filter: "name LIKE '%'" })).toEqual(all.slice(3));
      expect(await modelNames('nothing-here-', {})).toEqual([]);
    });
  });

  describe('after deletes (H09, I11)', () => {
    const p = 'h09-';
    beforeAll(async () => {
      for (const s of ['RM1', 'RM2', 'RM4ab']) await model(ctx.db.prisma, p + s);
      for (const source of ['A/B', 'A/C', 'A/D', 'A/D']) await version(ctx.db.prisma, `${p}RM1`, source, null);
      await writeAs(ctx.db.prisma, null, (w) => deleteRegisteredModel(w, { name: `${p}RM4ab` }));
      await writeAs(ctx.db.prisma, null, (w) => deleteModelVersion(w, { name: `${p}RM1`, version: 4 }));
    });

    it('finds neither the deleted model nor the deleted version', async () => {
      expect(await models(p, { max_results: 1000 })).toMatchObject({ nextPageToken: null });
      expect(await modelNames(p, { max_results: 1000 })).toEqual([`${p}RM1`, `${p}RM2`]);
      for (const filter of ['', null, `name='${p}RM1'`]) expect(await versionNumbers(p, { filter })).toEqual([3, 2, 1]);
      expect(await versionNumbers(p, { filter: "source_path='A/D'" })).toEqual([3]);
    });
  });

  describe('paging every filter to the end (H23)', () => {
    const p = 'h23-';
    const names = numbered(p, 29);
    beforeAll(() => manyModels(ctx.db.prisma, names));

    it('returns exactly the matching set with any page size', async () => {
      const cases: [string | null, string[]][] = [
        [null, names],
        ['', names],
        ["name LIKE '%7'", names.filter((n) => n.endsWith('7'))],
        ["name ILIKE '%rm%00%'", names.filter((n) => n.includes('RM00'))],
        ["name LIKE '%rm%00%'", []],
        ["name = 'badname'", []],
      ];
      for (const [filter, expected] of cases) {
        for (const size of [1, 8, 100]) {
          const seen: string[] = [];
          let token: string | null = null;
          do {
            const page = await models(p, { filter, max_results: size, page_token: token });
            seen.push(...page.rows.map((m) => m.name));
            token = page.nextPageToken;
          } while (token);
          expect(seen, `${filter} by ${size}`).toEqual(expected);
        }
      }
    });
  });

  describe('registered models by tag (H10)', () => {
    const p = 'h10-';
    beforeAll(async () => {
      await model(ctx.db.prisma, `${p}n1`, { t1: 'abc', t2: 'xyz' });
      await model(ctx.db.prisma, `${p}n2`, { t1: 'abcd', t2: 'xyz123', t3: 'XYZ' });
      await model(ctx.db.prisma, `${p}n3`);
    });

    it('matches MLflow’s vectors, != only among models with the tag', async () => {
      const cases: [string, string[]][] = [
        ["tag.t3='XYZ'", ['n2']],
        [`name='${p}n1' and tag.t1='abc'`, ['n1']],
        ["tag.t1 LIKE 'ab%'", ['n1', 'n2']],
        ["tag.t1 ILIKE 'aB%'", ['n1', 'n2']],
        ["tag.t1 LIKE 'aB%'", []],
        ["tag.t1 LIKE 'ab%' AND tag.t2 LIKE 'xy%'", ['n1', 'n2']],
        ["tag.t3='XYz'", []],
        ["tag.T3='XYZ'", []],
        ["tag.t1 != 'abc'", ['n2']],
        ["tag.t1 != 'abcd' and tag.t1 LIKE 'ab%'", ['n1']],
        ["tags.t3 != 'nope'", ['n2']],
      ];
      for (const [filter, expected] of cases) {
        expect(await modelNames(p, { filter }), filter).toEqual(expected.map((n) => p + n));
      }
    });
  });

  describe('prompts (H22, I19)', () => {
    const p = 'h22-';
    beforeAll(async () => {
      await model(ctx.db.prisma, `${p}model_1`, { fruit: 'apple' });
      await model(ctx.db.prisma, `${p}model_2`, { [PROMPT]: 'false' });
      await model(ctx.db.prisma, `${p}prompt_1`, { [PROMPT]: 'true', fruit: 'apple' });
      await model(ctx.db.prisma, `${p}prompt_2`, { [PROMPT]: 'true' });
      await version(ctx.db.prisma, `${p}model_1`, 's', null);
      await version(ctx.db.prisma, `${p}prompt_1`, 's', null, { [PROMPT]: 'true' });
      await version(ctx.db.prisma, `${p}prompt_2`, 's', null, { [PROMPT]: 'true' });
      await version(ctx.db.prisma, `${p}prompt_2`, 's', null, { [PROMPT]: 'true' });
    });

    it('leaves prompts out unless the filter asks for them', async () => {
      const modelsOnly = [`${p}model_1`, `${p}model_2`];
      const prompts = [`${p}prompt_1`, `${p}prompt_2`];
      expect(await modelNames(p)).toEqual(modelsOnly);
      expect(await modelNames(p, { filter: `tag.\`${PROMPT}\` != 'true'` })).toEqual(modelsOnly);
      expect(await modelNames(p, { filter: `tags.\`${PROMPT}\` = 'false'` })).toEqual(modelsOnly);
      expect(await modelNames(p, { filter: "tags.fruit='apple'" })).toEqual([`${p}model_1`]);
      expect(await modelNames(p, { filter: `name='${p}prompt_1'` })).toEqual([]);
      expect(await modelNames(p, { filter: `tags.\`${PROMPT}\` = 'true'` })).toEqual(prompts);
      expect(await modelNames(p, { filter: `tags.\`${PROMPT}\` != 'false'` })).toEqual(prompts);
    });

    it('on versions, by the versions’ own tags', async () => {
      expect((await versions(p)).rows.map((v) => v.modelName)).toEqual([`${p}model_1`]);
      expect(await versionNumbers(p, { filter: `tags.\`${PROMPT}\` = 'true'` })).toHaveLength(3);
      expect(await versionNumbers(p, { filter: `tags.\`${PROMPT}\` = 'true' AND name='${p}prompt_2'` })).toEqual([2, 1]);
    });
  });

  describe('paging and order (H11, H12, H15-H17)', () => {
    const p = 'h11-';
    const names = numbered(p, 50);
    beforeAll(() => manyModels(ctx.db.prisma, names));

    async function walk(params: SearchParams, sizes: number[]) {
      const pages: string[][] = [];
      const tokens: (string | null)[] = [];
      let token: string | null = null;
      for (const size of sizes) {
        const page = await models(p, { ...params, max_results: size, page_token: token });
        pages.push(page.rows.map((m) => m.name));
        tokens.push(page.nextPageToken);
        token = page.nextPageToken;
        if (!token) break;
      }
      return { pages, tokens };
    }

    it('chains pages of any size through tokens', async () => {
      const byFive = await walk({ filter: "name LIKE '%RM%'" }, Array(20).fill(5));
      expect(byFive.pages.flat()).toEqual(names);
      expect(byFive.pages).toHaveLength(10);
      const mixed = await walk({}, [5, 10, 20, 100]);
      expect(mixed.pages).toEqual([names.slice(0, 5), names.slice(5, 15), names.slice(15, 35), names.slice(35)]);
      expect(mixed.tokens.map((t) => t !== null)).toEqual([true, true, true, false]);
      expect((await models(p, { max_results: 1000 })).nextPageToken).toBeNull();
      expect((await models(p, { max_results: 50 })).nextPageToken).toBeNull();
    });

    it('orders by name DESC stably across pages', async () => {
      expect((await walk({ order_by: 'name DESC' }, Array(20).fill(5))).pages.flat()).toEqual([...names].reverse());
    });

    it('orders by last update, name ASC breaking ties (H16, H17)', async () => {
      // Each model got its own database clock reading: creation order is last-update order.
      expect(await modelNames(p, { order_by: 'timestamp DESC', max_results: 3 })).toEqual(names.slice(-3).reverse());
      expect(await modelNames(p, { order_by: 'last_updated_timestamp' })).toEqual(names);
      await writeAs(ctx.db.prisma, null, (w) => updateRegisteredModel(w, { name: names[7], description: 'touched' }));
      expect(await modelNames(p, { order_by: 'timestamp DESC', max_results: 2 })).toEqual([names[7], names[49]]);
      // H17: two pairs with one timestamp each, set directly since no command writes a tie.
      const [mr1, mr2, mr3, mr4] = names.slice(0, 4);
      const at = (ms: number) => new Date(Date.UTC(2100, 0, 1) + ms);
      await ctx.db.prisma.registeredModel.updateMany({ where: { name: { in: [mr1, mr2] } }, data: { updatedAt: at(1) } });
      await ctx.db.prisma.registeredModel.updateMany({ where: { name: { in: [mr3, mr4] } }, data: { updatedAt: at(2) } });
      const top = (order_by: string[]) => modelNames(p, { order_by, max_results: 4 });
      expect(await top(['last_updated_timestamp DESC'])).toEqual([mr3, mr4, mr1, mr2]);
      expect(await top(['timestamp  deSc', 'name deSc'])).toEqual([mr4, mr3, mr2, mr1]);
      const bottom = (await modelNames(p, { order_by: ['last_updated_timestamp ASC', 'name DESC'] })).slice(-4);
      expect(bottom).toEqual([mr2, mr1, mr4, mr3]);
    });
  });

  describe('model versions (I01-I11, I18)', () => {
    const p = 'i01-';
    const n = `${p}model`;
    beforeAll(async () => {
      await model(ctx.db.prisma, n);
      await model(ctx.db.prisma, `${p}other`);
      await version(ctx.db.prisma, n, 'A/B', 'r1', { t1: 'abc', t2: 'xyz' });
      await version(ctx.db.prisma, n, 'A/C', 'r2', { t1: 'abc', t2: 'x123' });
      await version(ctx.db.prisma, n, 'A/D', 'r2');
      await version(ctx.db.prisma, n, 'A/D', 'r3');
      await version(ctx.db.prisma, `${p}other`, 'A/D', null);
    });

    const set = async (filter: string) => (await versionNumbers(p, { filter: `name='${n}' AND ${filter}` })).sort();

    it('filters by name, version_number, run_id and source_path', async () => {
      expect((await versions(p, { filter: `name='${n}'` })).rows.map((v) => [v.modelName, v.version])).toEqual([
        [n, 4],
        [n, 3],
        [n, 2],
        [n, 1],
      ]);
      expect(await set('version_number=2')).toEqual([2]);
      expect(await set('version_number<=3')).toEqual([1, 2, 3]);
      expect(await set('version_number>3')).toEqual([4]);
      expect(await set('version_number!=3')).toEqual([1, 2, 4]);
      expect(await set('version_number<99999999999')).toEqual([1, 2, 3, 4]);
      expect(await set("run_id='r1'")).toEqual([1]);
      expect(await set("run_id='r2'")).toEqual([2, 3]);
      expect(await set("run_id IN ('r1','r2')")).toEqual([1, 2, 3]);
      expect(await set("run_id IN ('r1', 'r2')")).toEqual([1, 2, 3]);
      expect(await set("run_id IN ('R1','r2')")).toEqual([2, 3]);
      expect(await set("version_number=2 AND run_id IN ('R1','r2')")).toEqual([2]);
      expect(await set("run_id LIKE 'r%'")).toEqual([1, 2, 3, 4]);
      expect(await set("run_id LIKE 'R%'")).toEqual([]);
      expect(await set("run_id ILIKE 'R2%'")).toEqual([2, 3]);
      expect(await set("source_path = 'A/D'")).toEqual([3, 4]);
      for (const s of ["'A'", "'A/'", "''"]) expect(await set(`source_path = ${s}`)).toEqual([]);
      expect((await versions(p, { filter: "source_path = 'A/D'" })).rows.map((v) => v.modelName)).toEqual([`${p}other`, n, n]);
    });

    it('filters by version tags (I18)', async () => {
      const cases: [string, number[]][] = [
        ["tag.t2='xyz'", [1]],
        ["tag.`t2`='xyz'", [1]],
        ["tag.t3='xyz'", []],
        ["tag.t2 != 'xy'", [1, 2]],
        ["tag.t2 LIKE 'xy%'", [1]],
        ["tag.t2 LIKE 'xY%'", []],
        ["tag.t2 ILIKE 'xY%'", [1]],
        ["tag.t2 LIKE 'x%'", [1, 2]],
        ["tag.T2='xyz'", []],
        ["tag.t1='abc' and tag.t2='xyz'", [1]],
        ["tag.t1='abc' and tag.t2 LIKE 'x%'", [1, 2]],
        ["tag.t1='abc' and tag.t2 LIKE 'y%'", []],
        ["tag.t2 like 'x%' and tag.t2 != 'xyz'", [2]],
      ];
      for (const [filter, expected] of cases) expect(await set(filter), filter).toEqual(expected);
      expect(await versionNumbers(p, { filter: "name='wrong' and tag.t2='xyz'" })).toEqual([]);
    });

    it('returns rows shaped like Prisma rows, with the model’s name', async () => {
      const [row] = (await versions(p, { filter: `name='${n}' AND version_number=1` })).rows;
      const { modelName, ...fields } = row;
      expect(modelName).toBe(n);
      expect(fields).toEqual(await ctx.db.prisma.modelVersion.findFirstOrThrow({ where: { id: row.id } }));
      const [m] = (await models(p, { filter: `name='${n}'` })).rows;
      expect(m).toEqual(await ctx.db.prisma.registeredModel.findUniqueOrThrow({ where: { name: n } }));
    });
  });

  describe('model version order and paging (I13, I14, I17)', () => {
    const p = 'i13-';
    const [rm1, rm2, rm3, rm4] = [1, 2, 3, 4].map((i) => `${p}RM${i}`);
    beforeAll(async () => {
      for (const name of [rm1, rm2, rm3, rm4]) await model(ctx.db.prisma, name);
      for (const name of [rm1, rm2, rm3, rm4, rm1, rm4]) await version(ctx.db.prisma, name, 's', null);
    });

    const pairs = async (params: SearchParams) => (await versions(p, params)).rows.map((v) => [v.modelName.slice(p.length), v.version]);

    it('orders newest change first by default, then by the given keys with MLflow’s tiebreaks', async () => {
      const newest = [
        ['RM4', 2],
        ['RM1', 2],
        ['RM4', 1],
        ['RM3', 1],
        ['RM2', 1],
        ['RM1', 1],
      ];
      expect(await pairs({})).toEqual(newest);
      expect(await pairs({ order_by: 'creation_timestamp DESC' })).toEqual(newest);
      expect((await pairs({ order_by: 'name DESC' })).map(([, v]) => v)).toEqual([2, 1, 1, 1, 2, 1]);
      expect((await pairs({ order_by: 'version_number DESC' })).map(([name]) => name)).toEqual(['RM1', 'RM4', 'RM1', 'RM2', 'RM3', 'RM4']);
      await writeAs(ctx.db.prisma, null, (w) => updateModelVersion(w, { name: rm1, version: 1, description: 'later' }));
      expect((await pairs({ order_by: 'last_updated_timestamp ASC' })).at(-1)).toEqual(['RM1', 1]);
    });

    it('pages through tokens in any order', async () => {
      const all = await pairs({ order_by: ['name ASC', 'version_number ASC'] });
      const seen: unknown[] = [];
      let token: string | null = null;
      for (const size of [1, 2, 100]) {
        const page = await versions(p, { order_by: ['name ASC', 'version_number ASC'], max_results: size, page_token: token });
        seen.push(...page.rows.map((v) => [v.modelName.slice(p.length), v.version]));
        token = page.nextPageToken;
      }
      expect(token).toBeNull();
      expect(seen).toEqual(all);
    });
  });

  it('matches nothing with text no row can hold, rather than failing', async () => {
    expect(await modelNames('test_for_search_', { filter: "name = 'a\u0000b'" })).toEqual([]);
    expect(await modelNames('h10-', { filter: "tag.t1 != 'a\u0000b'" })).toEqual(['h10-n1', 'h10-n2']);
    expect(await versionNumbers('i01-', { filter: "run_id IN ('a\u0000')" })).toEqual([]);
    // Values travel as parameters: quotes and SQL inside a string are only text to compare.
    expect(await modelNames('test_for_search_', { filter: "name = 'x'' OR 1=1 --'" })).toEqual([]);
    expect(await modelNames('h10-', { filter: `tag.t1 LIKE "%'; DROP TABLE registered_model; --"` })).toEqual([]);
    expect(await modelNames('h10-')).toHaveLength(3);
  });

  it('sets tags through the registry as MLflow’s client would', async () => {
    await model(ctx.db.prisma, 'tagged-later');
    await writeAs(ctx.db.prisma, null, (w) => setRegisteredModelTag(w, { name: 'tagged-later', key: PROMPT, value: 'true' }));
    expect(await modelNames('tagged-later')).toEqual([]);
    await version(ctx.db.prisma, 'tagged-later', 's', null);
    await writeAs(ctx.db.prisma, null, (w) => setModelVersionTag(w, { name: 'tagged-later', version: 1, key: 'k', value: 'v' }));
    expect(await versionNumbers('tagged-later', { filter: "tag.k = 'v'" })).toEqual([1]);
  });
});

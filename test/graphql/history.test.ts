// History over GraphQL: every action with its fields, RegisteredModel.history, Query.auditEvents
// filters and paging, and time travel with versionByAlias(alias, at).
import { describe, expect, it } from 'vitest';
import { createRegisteredModel } from '../../src/registry/commands/models.ts';
import { setRegisteredModelTag } from '../../src/registry/commands/tags.ts';
import { writeAs } from '../support/registry.ts';
import { describeEachDatabase } from '../support/databases.ts';
import { EVENT_FIELDS, sleep, uniqueName, useApi } from './helpers.ts';

const iso = (msValue: number) => new Date(msValue).toISOString();
const shift = (at: string, delta: number) => iso(Date.parse(at) + delta);

describeEachDatabase('API: history', (ctx) => {
  const api = useApi(ctx);

  const AUDIT = `query A($filter: AuditEventFilter, $first: Int, $after: String) {
    auditEvents(filter: $filter, first: $first, after: $after) {
      edges { cursor node { ${EVENT_FIELDS} } }
      nodes { ${EVENT_FIELDS} }
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    }
  }`;
  const audit = async (filter: Record<string, unknown>, first = 100) => (await api.data(AUDIT, { filter, first })).auditEvents.nodes;

  describe('every action', () => {
    it('records each action with its documented fields, in order, and keeps it after rename and delete', async () => {
      const a = uniqueName('every-a');
      const b = uniqueName('every-b');
      const start = await api.lastSequence();
      await api.ok('createRegisteredModel', { name: a, description: 'd1', tags: [{ key: 'team', value: 'risk' }] });
      await api.ok('updateRegisteredModel', { name: a, description: 'd2' });
      await api.ok('createModelVersion', { name: a, source: 's3://a/1', tags: [{ key: 'stage', value: 'dev' }] });
      await api.ok('createModelVersion', { name: a, source: 's3://a/2' });
      await api.ok('updateModelVersion', { name: a, version: 1, statusMessage: 'ok' });
      await api.ok('setRegisteredModelTag', { name: a, key: 'team', value: 'fraud' });
      await api.ok('deleteRegisteredModelTag', { name: a, key: 'team' });
      await api.ok('setModelVersionTag', { name: a, version: 1, key: 'stage', value: 'prod' });
      await api.ok('deleteModelVersionTag', { name: a, version: 1, key: 'stage' });
      await api.ok('setModelAlias', { name: a, alias: 'champion', version: 1 });
      await api.ok('setModelAlias', { name: a, alias: 'champion', version: 2 });
      await api.ok('deleteModelAlias', { name: a, alias: 'champion' });
      await api.ok('setModelAlias', { name: a, alias: 'prod', version: 2 });
      await api.ok('deleteModelVersion', { name: a, version: 2 });
      await api.ok('renameRegisteredModel', { name: a, newName: b });

      const n = null;
      const expected = [
        ['MODEL_CREATED', a, n, n, n, n, n, 'd1'],
        ['MODEL_TAG_SET', a, n, n, n, 'team', n, 'risk'],
        ['MODEL_UPDATED', a, n, n, n, 'description', 'd1', 'd2'],
        ['VERSION_CREATED', a, 1, n, n, n, n, 's3://a/1'],
        ['VERSION_TAG_SET', a, 1, n, n, 'stage', n, 'dev'],
        ['VERSION_CREATED', a, 2, n, n, n, n, 's3://a/2'],
        ['VERSION_UPDATED', a, 1, n, n, 'statusMessage', n, 'ok'],
        ['MODEL_TAG_SET', a, n, n, n, 'team', 'risk', 'fraud'],
        ['MODEL_TAG_DELETED', a, n, n, n, 'team', 'fraud', n],
        ['VERSION_TAG_SET', a, 1, n, n, 'stage', 'dev', 'prod'],
        ['VERSION_TAG_DELETED', a, 1, n, n, 'stage', 'prod', n],
        ['ALIAS_SET', a, 1, n, 'champion', n, n, n],
        ['ALIAS_SET', a, 2, 1, 'champion', n, n, n],
        ['ALIAS_DELETED', a, n, 2, 'champion', n, n, n],
        ['ALIAS_SET', a, 2, n, 'prod', n, n, n],
        ['ALIAS_DELETED', a, n, 2, 'prod', n, n, n],
        ['VERSION_DELETED', a, 2, n, n, n, n, n],
        ['MODEL_RENAMED', b, n, n, n, n, a, b], // recorded under the new name
      ];
      const row = (e: any) => [e.action, e.modelName, e.version, e.previousVersion, e.alias, e.key, e.previousValue, e.newValue];

      // deleteModelVersion records ALIAS_DELETED and VERSION_DELETED in one change: any order between them.
      const canonical = (rows: unknown[][]) => [...rows.slice(0, 15), ...rows.slice(15, 17).sort(), ...rows.slice(17)];
      const events = (await audit({ modelName: b })).reverse();
      expect(canonical(events.map(row))).toEqual(canonical(expected));
      expect(events[0].sequence).toBeGreaterThan(start);
      for (let i = 1; i < events.length; i++) {
        expect(events[i].sequence).toBeGreaterThan(events[i - 1].sequence);
        expect(Date.parse(events[i].at)).toBeGreaterThanOrEqual(Date.parse(events[i - 1].at));
      }
      for (const e of events) {
        expect(e.at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
        expect(e.actor).toBeNull();
        expect(e.model).toEqual({ name: b });
      }
      expect(new Set(events.map((e: any) => e.id)).size).toBe(events.length);
      // Every event is a Node.
      const node = await api.data(`query N($id: ID!) { node(id: $id) { __typename ... on AuditEvent { sequence action modelName } } }`, {
        id: events[2].id,
      });
      expect(node.node).toEqual({ __typename: 'AuditEvent', sequence: events[2].sequence, action: 'MODEL_UPDATED', modelName: a });
      // The old name finds the events recorded under it.
      expect(canonical((await audit({ modelName: a })).reverse().map(row))).toEqual(canonical(expected));
      // RegisteredModel.history is the same list.
      const history = await api.data(
        `query H($name: String!) { registeredModel(name: $name) { history(first: 100) { nodes { ${EVENT_FIELDS} } } } }`,
        {
          name: b,
        },
      );
      expect([...history.registeredModel.history.nodes].reverse()).toEqual(events);

      await api.ok('deleteRegisteredModel', { name: b });
      const all = await audit({ modelName: a });
      expect(all.every((e: any) => e.model === null)).toBe(true);
      const deleted = await audit({ modelName: b, actions: ['MODEL_DELETED'] });
      expect(deleted.map(row)).toEqual([['MODEL_DELETED', b, n, n, n, n, n, '1']]);
      expect(deleted[0].model).toBeNull();
    });

    it("a renamed, then deleted model's whole history stays readable by its last name", async () => {
      const a = uniqueName('renamed-deleted-a');
      const b = uniqueName('renamed-deleted-b');
      await api.createModel(a, 1);
      await api.ok('renameRegisteredModel', { name: a, newName: b });
      const beforeDelete = (await audit({ modelName: b })).map((e: any) => e.sequence);
      expect(beforeDelete).toHaveLength(3);
      await api.ok('deleteRegisteredModel', { name: b });
      const afterDelete = (await audit({ modelName: b })).map((e: any) => e.action);
      expect(afterDelete).toEqual(['MODEL_DELETED', 'MODEL_RENAMED', 'VERSION_CREATED', 'MODEL_CREATED']);
    });
  });

  describe('RegisteredModel.history', () => {
    it('is newest first, filters by alias and actions, and pages with after', async () => {
      const name = uniqueName('history');
      await api.createModel(name, 3);
      await api.ok('setModelAlias', { name, alias: 'prod', version: 1 });
      await api.ok('setModelAlias', { name, alias: 'canary', version: 2 });
      await api.ok('setModelAlias', { name, alias: 'prod', version: 2 });
      await api.ok('setModelVersionTag', { name, version: 3, key: 'k', value: 'v' });
      await api.ok('deleteModelVersion', { name, version: 2 });

      const HISTORY = `query H($name: String!, $first: Int, $after: String, $alias: String, $actions: [AuditAction!]) {
        registeredModel(name: $name) {
          history(first: $first, after: $after, alias: $alias, actions: $actions) {
            edges { cursor node { sequence action alias version previousVersion } }
            nodes { sequence action alias version previousVersion }
            pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
          }
        }
      }`;
      const history = async (vars: Record<string, unknown>) => (await api.data(HISTORY, { name, ...vars })).registeredModel.history;

      const full = await history({ first: 100 });
      // The version delete records three events in one change (their order among themselves is free).
      expect(
        full.nodes
          .slice(0, 3)
          .map((e: any) => [e.action, e.alias])
          .sort(),
      ).toEqual([
        ['ALIAS_DELETED', 'canary'],
        ['ALIAS_DELETED', 'prod'],
        ['VERSION_DELETED', null],
      ]);
      expect(full.nodes.slice(3).map((e: any) => e.action)).toEqual([
        'VERSION_TAG_SET',
        'ALIAS_SET',
        'ALIAS_SET',
        'ALIAS_SET',
        'VERSION_CREATED',
        'VERSION_CREATED',
        'VERSION_CREATED',
        'MODEL_CREATED',
      ]);
      const sequences = full.nodes.map((e: any) => e.sequence);
      expect([...sequences].sort((x, y) => y - x)).toEqual(sequences);
      expect(full.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: false });
      expect(full.edges.map((e: any) => e.node)).toEqual(full.nodes);
      // Default page size is 20: all 11 fit.
      expect((await history({})).nodes).toEqual(full.nodes);

      const prod = await history({ alias: 'prod' });
      expect(prod.nodes.map((e: any) => [e.action, e.version, e.previousVersion])).toEqual([
        ['ALIAS_DELETED', null, 2],
        ['ALIAS_SET', 2, 1],
        ['ALIAS_SET', 1, null],
      ]);
      const canary = await history({ alias: 'canary' });
      expect(canary.nodes.map((e: any) => [e.action, e.version, e.previousVersion])).toEqual([
        ['ALIAS_DELETED', null, 2],
        ['ALIAS_SET', 2, null],
      ]);
      expect((await history({ alias: 'nope' })).nodes).toEqual([]);

      const actions = await history({ actions: ['VERSION_CREATED', 'VERSION_DELETED'] });
      expect(actions.nodes.map((e: any) => [e.action, e.version])).toEqual([
        ['VERSION_DELETED', 2],
        ['VERSION_CREATED', 3],
        ['VERSION_CREATED', 2],
        ['VERSION_CREATED', 1],
      ]);
      const both = await history({ alias: 'prod', actions: ['ALIAS_SET'] });
      expect(both.nodes.map((e: any) => e.version)).toEqual([2, 1]);

      // Pages of 3: 3 + 3 + 3 + 2, no gaps, no duplicates.
      const pages: any[] = [];
      let after: string | null = null;
      for (;;) {
        const page: any = await history({ first: 3, after });
        pages.push(page);
        expect(page.pageInfo.hasPreviousPage).toBe(after !== null);
        expect(page.pageInfo.startCursor).toBe(page.edges[0].cursor);
        expect(page.pageInfo.endCursor).toBe(page.edges.at(-1).cursor);
        if (!page.pageInfo.hasNextPage) break;
        after = page.pageInfo.endCursor;
      }
      expect(pages.map((p) => p.nodes.length)).toEqual([3, 3, 3, 2]);
      expect(pages.flatMap((p) => p.nodes)).toEqual(full.nodes);

      // Paging within a filter.
      const first = await history({ alias: 'prod', first: 2 });
      expect(first.pageInfo.hasNextPage).toBe(true);
      const second = await history({ alias: 'prod', first: 2, after: first.pageInfo.endCursor });
      expect([...first.nodes, ...second.nodes]).toEqual(prod.nodes);
      expect(second.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });
    });

    it('rejects a bad page size as a GraphQL error', async () => {
      const name = uniqueName('history-first');
      await api.createModel(name);
      for (const first of [0, -1, 101]) {
        const response = await api.request(
          `query H($name: String!, $first: Int) { registeredModel(name: $name) { history(first: $first) { nodes { sequence } } } }`,
          {
            name,
            first,
          },
        );
        expect(response.errors?.[0]?.message ?? '(no GraphQL error)', JSON.stringify(response)).toMatch(/first/);
      }
    });
  });

  describe('Query.auditEvents', () => {
    it('is newest first across models, pages with after, and defaults to 20', async () => {
      for (let i = 0; i < 3; i++) await api.createModel(uniqueName('feed'), 7);
      const first = (await api.data(AUDIT, {})).auditEvents;
      expect(first.nodes).toHaveLength(20);
      expect(first.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
      const next = (await api.data(AUDIT, { first: 5, after: first.pageInfo.endCursor })).auditEvents;
      expect(next.pageInfo.hasPreviousPage).toBe(true);
      const sequences = [...first.nodes, ...next.nodes].map((e: any) => e.sequence);
      for (let i = 1; i < sequences.length; i++) expect(sequences[i]).toBe(sequences[i - 1] - 1);
      expect(sequences[0]).toBe(await api.lastSequence());
    });

    it('filters by modelName, alias, actions; all conditions must hold', async () => {
      const a = uniqueName('filter-a');
      const b = uniqueName('filter-b');
      const alias = `al${Math.random().toString(36).slice(2, 10)}`;
      await api.createModel(a, 2);
      await api.createModel(b, 1);
      await api.ok('setModelAlias', { name: a, alias, version: 1 });
      await api.ok('setModelAlias', { name: b, alias, version: 1 });
      await api.ok('setModelAlias', { name: a, alias, version: 2 });
      await api.ok('setModelAlias', { name: a, alias: 'other', version: 2 });

      const byAlias = await audit({ alias });
      expect(byAlias.map((e: any) => [e.modelName, e.version, e.previousVersion])).toEqual([
        [a, 2, 1],
        [b, 1, null],
        [a, 1, null],
      ]);
      const byAliasAndModel = await audit({ alias, modelName: b });
      expect(byAliasAndModel.map((e: any) => [e.modelName, e.version])).toEqual([[b, 1]]);
      const byActions = await audit({ modelName: a, actions: ['VERSION_CREATED', 'MODEL_CREATED'] });
      expect(byActions.map((e: any) => [e.action, e.version])).toEqual([
        ['VERSION_CREATED', 2],
        ['VERSION_CREATED', 1],
        ['MODEL_CREATED', null],
      ]);
      expect(await audit({ modelName: a, actions: ['MODEL_DELETED'] })).toEqual([]);
      expect(await audit({ modelName: uniqueName('nobody') })).toEqual([]);
    });

    it('filters by actor (events written by a named actor) and shows it', async () => {
      const name = uniqueName('actor');
      const actor = `release-bot-${Math.random().toString(36).slice(2, 8)}`;
      await writeAs(ctx.db.prisma, actor, async (w) => {
        await createRegisteredModel(w, { name });
        await setRegisteredModelTag(w, { name, key: 'k', value: 'v' });
      });
      await api.ok('setRegisteredModelTag', { name, key: 'k', value: 'w' });

      const byActor = await audit({ actor });
      expect(byActor.map((e: any) => [e.action, e.actor, e.modelName, e.newValue])).toEqual([
        ['MODEL_TAG_SET', actor, name, 'v'],
        ['MODEL_CREATED', actor, name, null],
      ]);
      const all = await audit({ modelName: name });
      expect(all.map((e: any) => e.actor)).toEqual([null, actor, actor]);
      expect(await audit({ actor: `${actor}-other` })).toEqual([]);
      expect(await audit({ actor, actions: ['MODEL_CREATED'] })).toHaveLength(1);
    });

    it('filters by since (inclusive) and until (exclusive)', async () => {
      const name = uniqueName('window');
      await api.createModel(name);
      await sleep(5);
      await api.ok('setRegisteredModelTag', { name, key: 'k', value: '1' });
      await sleep(5);
      await api.ok('setRegisteredModelTag', { name, key: 'k', value: '2' });
      const [e3, e2, e1] = await audit({ modelName: name });
      expect(Date.parse(e1.at)).toBeLessThan(Date.parse(e2.at));
      expect(Date.parse(e2.at)).toBeLessThan(Date.parse(e3.at));
      const seqs = async (filter: Record<string, unknown>) => (await audit({ modelName: name, ...filter })).map((e: any) => e.sequence);

      expect(await seqs({ since: e2.at })).toEqual([e3.sequence, e2.sequence]);
      expect(await seqs({ since: shift(e2.at, 1) })).toEqual([e3.sequence]);
      expect(await seqs({ until: e2.at })).toEqual([e1.sequence]);
      expect(await seqs({ until: shift(e2.at, 1) })).toEqual([e2.sequence, e1.sequence]);
      expect(await seqs({ since: e1.at, until: e3.at })).toEqual([e2.sequence, e1.sequence]);
      expect(await seqs({ since: e3.at, until: e3.at })).toEqual([]);
      // The same instant written with another offset.
      const plusTwo = new Date(Date.parse(e2.at) + 2 * 3600_000).toISOString().replace('Z', '+02:00');
      expect(await seqs({ since: plusTwo })).toEqual([e3.sequence, e2.sequence]);
    });

    it('rejects a DateTime without offset, a bad page size and a forged cursor as GraphQL errors', async () => {
      for (const since of ['2026-01-01T00:00:00', '2026-02-30T00:00:00Z', '2026-13-01T00:00:00Z', '2026-01-01', 'yesterday', '']) {
        const bad = await api.request(`query A($f: AuditEventFilter) { auditEvents(filter: $f, first: 1) { nodes { at } } }`, {
          f: { since },
        });
        expect(bad.errors?.[0]?.message ?? '(no GraphQL error)', `${since}: ${JSON.stringify(bad)}`).toMatch(/DateTime/);
      }
      for (const first of [0, -1, 101]) {
        const response = await api.request(AUDIT, { first });
        expect(response.errors?.[0]?.message ?? '(no GraphQL error)', JSON.stringify(response)).toMatch(/first/);
        expect(response.data ?? null).toBeNull();
      }
      for (const after of ['garbage', Buffer.from('["abc"]').toString('base64url'), Buffer.from('[1, 2]').toString('base64url')]) {
        const response = await api.request(AUDIT, { first: 5, after });
        expect(response.errors?.[0]?.message ?? '(no GraphQL error)', `${after}: ${JSON.stringify(response)}`).toMatch(/cursor/);
      }
    });
  });

  describe('instants the database cannot hold', () => {
    it('year 0000 in since / until / at is refused or answered, never a server fault', async () => {
      const name = uniqueName('year-zero');
      await api.createModel(name, 1);
      await api.ok('setModelAlias', { name, alias: 'prod', version: 1 });
      const early = '0000-01-01T00:00:00Z';
      const count = (await audit({ modelName: name })).length;
      // Every event is after year 0 and none before it; the alias did not exist then.
      const attempts: [string, Record<string, unknown>, unknown][] = [
        [AUDIT, { filter: { modelName: name, since: early } }, null],
        [
          `query A($f: AuditEventFilter) { auditEvents(filter: $f) { nodes { sequence } } }`,
          { f: { modelName: name, until: early } },
          { auditEvents: { nodes: [] } },
        ],
        [
          `query T($name: String!, $at: DateTime!) { registeredModel(name: $name) { versionByAlias(alias: "prod", at: $at) { version } } }`,
          { name, at: early },
          { registeredModel: { versionByAlias: null } },
        ],
      ];
      const wrong: string[] = [];
      for (const [query, variables, expected] of attempts) {
        const response = await api.request(query, variables);
        const faults = api.client.logged.splice(0);
        const answered =
          !response.errors &&
          (expected === null
            ? response.data.auditEvents.nodes.length === count
            : JSON.stringify(response.data) === JSON.stringify(expected));
        const refused = !!response.errors && /DateTime/.test(response.errors[0].message);
        if (faults.length || !(answered || refused)) {
          wrong.push(
            `${JSON.stringify(variables)} → ${JSON.stringify(response).slice(0, 200)}; logged: ${faults.map((f) => String(f).split('\n').at(-1)).join(' | ')}`,
          );
        }
      }
      expect(wrong).toEqual([]);
    });
  });

  describe('versionByAlias(alias, at): time travel', () => {
    it('answers, for any instant, where the alias pointed then', async () => {
      const name = uniqueName('travel');
      await api.createModel(name, 4);
      const created = (await audit({ modelName: name }))[0].at;
      await sleep(5);
      const step = async (mutation: string, input: Record<string, unknown>) => {
        await api.ok(mutation, { name, ...input });
        const at = (await audit({ modelName: name }, 1))[0].at;
        await sleep(5);
        return at;
      };
      const a1 = await step('setModelAlias', { alias: 'champion', version: 1 });
      const a2 = await step('setModelAlias', { alias: 'champion', version: 2 });
      const a3 = await step('setModelAlias', { alias: 'champion', version: 3 });
      const a4 = await step('deleteModelAlias', { alias: 'champion' });
      const a5 = await step('setModelAlias', { alias: 'champion', version: 1 });
      // Another alias, moved to a version that is then deleted (which removes the alias).
      const p1 = await step('setModelAlias', { alias: 'prod', version: 2 });
      await step('setModelAlias', { alias: 'prod', version: 4 });
      const p2 = await step('deleteModelVersion', { version: 4 });

      const instants: Record<string, string> = {
        beforeModel: shift(created, -60_000),
        created,
        justBefore: shift(a1, -1),
        a1,
        afterA1: shift(a1, 1),
        beforeA2: shift(a2, -1),
        a2,
        a3,
        afterA3: shift(a3, 1),
        a4,
        afterA4: shift(a4, 1),
        a5,
        future: '2999-01-01T00:00:00.000Z',
        a2Offset: new Date(Date.parse(a2) - 5.5 * 3600_000).toISOString().replace('Z', '-05:30'),
        p1,
        p2,
      };
      const fields = Object.keys(instants)
        .map((k) => `${k}: versionByAlias(alias: "champion", at: $${k}) { version }`)
        .join('\n');
      const prodFields = `prodBefore: versionByAlias(alias: "prod", at: $a5) { version }
        prodAt: versionByAlias(alias: "prod", at: $p1) { version }
        prodDeleted: versionByAlias(alias: "prod", at: $p2) { version }
        prodNow: versionByAlias(alias: "prod") { version }
        now: versionByAlias(alias: "champion") { version aliases }
        other: versionByAlias(alias: "never", at: $future) { version }`;
      const query = `query T($name: String!, ${Object.keys(instants)
        .map((k) => `$${k}: DateTime!`)
        .join(', ')}) {
        registeredModel(name: $name) { ${fields} ${prodFields} }
      }`;
      const data = (await api.data(query, { name, ...instants })).registeredModel;
      const v = (n: number | null) => (n === null ? null : { version: n });
      expect(data).toEqual({
        beforeModel: null,
        created: null,
        justBefore: null,
        a1: v(1),
        afterA1: v(1),
        beforeA2: v(1),
        a2: v(2),
        a3: v(3),
        afterA3: v(3),
        a4: null,
        afterA4: null,
        a5: v(1),
        future: v(1),
        a2Offset: v(2),
        p1: v(1),
        p2: v(1),
        prodBefore: null,
        prodAt: v(2),
        prodDeleted: null,
        prodNow: null,
        now: { version: 1, aliases: ['champion'] },
        other: null,
      });
    });

    it('follows the model across a rename', async () => {
      const a = uniqueName('travel-rename-a');
      const b = uniqueName('travel-rename-b');
      await api.createModel(a, 2);
      await api.ok('setModelAlias', { name: a, alias: 'prod', version: 1 });
      const set = (await audit({ modelName: a }, 1))[0].at;
      await sleep(5);
      await api.ok('setModelAlias', { name: a, alias: 'prod', version: 2 });
      await api.ok('renameRegisteredModel', { name: a, newName: b });
      const data = await api.data(
        `query R($name: String!, $at: DateTime!) { registeredModel(name: $name) { past: versionByAlias(alias: "prod", at: $at) { version } now: versionByAlias(alias: "prod") { version } } }`,
        { name: b, at: set },
      );
      expect(data.registeredModel).toEqual({ past: { version: 1 }, now: { version: 2 } });
    });
  });
});

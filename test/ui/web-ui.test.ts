// The web UI end to end: real headless Chromium against a server started in-process on port 0 over
// a seeded PGlite registry (1,000 bulk-seeded models, and one model, fraud-detector, whose aliases
// moved 200 times through the API by two tokens). Each test drives the page as a person would and
// asserts what it shows; none asserts a duration.
import { copyFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, startServer } from '../../src/app.ts';
import { createApiToken } from '../../src/auth/tokens.ts';
import { DEFAULT_SECURITY } from '../../src/config.ts';
import { openDatabase } from '../../src/db/client.ts';
import { DEFAULT_SEED_OPTIONS } from '../../scripts/lib/seed-data.ts';
import { seedRegistry } from '../../scripts/lib/seed.ts';
import { type Browser, axeViolations, buildUi, chromiumAvailable, launchBrowser, projectRoot, screenshotDir } from '../support/browser.ts';

const MODEL = 'fraud-detector';
/** Polls until the assertion holds (5 s at most: a failure should not wait for the test timeout). */
const eventually = <T>(fn: () => T | Promise<T>) => expect.poll(fn, { timeout: 5_000, interval: 50 });
const SEEDED = 1000;

describe.skipIf(!chromiumAvailable())('web UI in Chromium', () => {
  let server: RunningServer;
  let browser: Browser;
  let page: Page;
  const tokens: Record<string, string> = {};
  /** The alias moves made while seeding, oldest first. */
  const moves: { alias: string; version: number; actor: string; at: string }[] = [];

  async function gql(query: string, variables: Record<string, unknown> = {}, token?: string): Promise<any> {
    const response = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await response.json()) as { data?: any; errors?: unknown[] };
    if (body.errors) throw new Error(JSON.stringify(body.errors));
    return body.data;
  }

  const SET_ALIAS = `mutation($input: SetModelAliasInput!) {
    setModelAlias(input: $input) { __typename ... on SetModelAliasPayload { alias { updatedAt } } ... on Error { message } }
  }`;
  async function setAlias(alias: string, version: number, actor?: string): Promise<void> {
    const data = await gql(SET_ALIAS, { input: { name: MODEL, alias, version } }, actor ? tokens[actor] : undefined);
    expect(data.setModelAlias.__typename).toBe('SetModelAliasPayload');
    moves.push({ alias, version, actor: actor ?? 'anonymous', at: data.setModelAlias.alias.updatedAt });
  }
  async function aliasVersion(alias: string): Promise<number | null> {
    const data = await gql(
      `query($name: String!, $alias: String!) { registeredModel(name: $name) { versionByAlias(alias: $alias) { version } } }`,
      {
        name: MODEL,
        alias,
      },
    );
    return data.registeredModel.versionByAlias?.version ?? null;
  }
  const origin = () => server.origin;
  const modelUrl = () => `${origin()}/models/${MODEL}`;

  beforeAll(async () => {
    buildUi();
    const db = await openDatabase({ kind: 'pglite', dataDir: null }, { log: false });
    await seedRegistry(db.prisma, {
      ...DEFAULT_SEED_OPTIONS,
      models: SEEDED,
      versions: 3,
      versionTags: 1,
      modelTags: 2,
      start: new Date(Date.now() - 86_400_000),
    });
    server = await startServer({ config: { host: '127.0.0.1', port: 0 }, db, log: { info() {}, error: console.error } });
    for (const [name, role] of [
      ['release-bot', 'WRITER'],
      ['alice', 'WRITER'],
      ['auditor', 'READER'],
    ] as const) {
      const data = await gql(
        `mutation($input: CreateApiTokenInput!) { createApiToken(input: $input) { ... on CreateApiTokenPayload { secret } } }`,
        { input: { name, role, promote: role === 'WRITER' } },
      );
      tokens[name] = data.createApiToken.secret;
    }
    await gql(
      `mutation { createRegisteredModel(input: { name: "${MODEL}", description: "Scores card payments for fraud.", tags: [{ key: "team", value: "risk" }, { key: "task", value: "classification" }] }) { __typename } }`,
    );
    for (let v = 1; v <= 10; v++) {
      await gql(
        `mutation($input: CreateModelVersionInput!) { createModelVersion(input: $input) { __typename } }`,
        {
          input: {
            name: MODEL,
            source: `s3://models/fraud/${v}`,
            runId: `run-${v}`,
            tags: [{ key: 'framework', value: v % 2 ? 'xgboost' : 'pytorch' }],
          },
        },
        tokens['release-bot'],
      );
    }
    // 200 moves: production cycles through v1..v6 (ending on v7, after v6), staging follows,
    // shadow is set and later removed.
    await setAlias('shadow', 2, 'alice');
    for (let i = 0; i < 160; i++) await setAlias('production', 1 + (i % 6), i % 3 === 0 ? 'alice' : 'release-bot');
    for (let i = 0; i < 36; i++) await setAlias('staging', 1 + ((i * 5) % 9), 'release-bot');
    await gql(`mutation { deleteModelAlias(input: { name: "${MODEL}", alias: "shadow" }) { __typename } }`, {}, tokens.alice);
    await setAlias('production', 7, 'release-bot');
    await setAlias('staging', 9, 'release-bot');
    browser = await launchBrowser();
    page = await browser.page();
    page.setDefaultTimeout(10_000);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  async function openModel(): Promise<void> {
    await page.goto(modelUrl());
    await page.getByRole('heading', { level: 1, name: MODEL }).waitFor();
    await page.getByTestId('alias-timeline').waitFor();
  }
  const aliasRow = (alias: string) => page.locator(`table.aliases tr[data-alias="${alias}"]`);

  it('lists the registry a page at a time, searches by name, filters by tag and alias, sorts', async () => {
    await page.goto(`${origin()}/`);
    await eventually(() => page.getByTestId('model-count').textContent()).toBe(`${SEEDED + 1} models`);
    expect(await page.locator('table.models tbody tr').count()).toBe(25);
    expect(await page.locator('table.models tbody tr').first().locator('a').textContent()).toBe(MODEL);
    await page.getByRole('button', { name: 'Next page', exact: true }).click();
    await eventually(() => page.locator('table.models tbody tr a').first().textContent()).toBe('model-0024');
    await page.getByRole('button', { name: 'Previous page', exact: true }).click();
    await eventually(() => page.locator('table.models tbody tr a').first().textContent()).toBe(MODEL);

    await page.getByLabel('Name', { exact: true }).fill('model-099');
    await eventually(() => page.getByTestId('model-count').textContent()).toBe('10 models');
    expect(page.url()).toContain('q=model-099');
    await page.getByLabel('Name', { exact: true }).fill('');
    await page.getByLabel('Tag', { exact: true }).fill('team=risk');
    await eventually(() => page.getByTestId('model-count').textContent()).toBe(`${Math.ceil(SEEDED / 7) + 1} models`);
    await page.getByLabel('Tag', { exact: true }).fill('');
    await page.getByLabel('Alias', { exact: true }).fill('production');
    await eventually(() => page.getByTestId('model-count').textContent()).toBe('1 model');
    expect(await page.locator('table.models tbody tr').first().textContent()).toContain('production: v7');
    await page.getByLabel('Alias', { exact: true }).fill('');
    await page.getByLabel('Sort', { exact: true }).selectOption('NAME_DESC');
    await eventually(() => page.locator('table.models tbody tr a').first().textContent()).toBe('model-0999');
    await page.screenshot({ path: path.join(screenshotDir, 'model-list.png') });
  });

  it('opens a model from the list: description, tags, aliases with versions, versions table', async () => {
    await page.goto(`${origin()}/?q=fraud`);
    await page.getByRole('link', { name: MODEL }).click();
    await page.getByRole('heading', { level: 1, name: MODEL }).waitFor();
    expect(page.url()).toBe(modelUrl());
    await eventually(() => page.locator('.description').textContent()).toBe('Scores card payments for fraud.');
    expect(await page.locator('.tag-list').first().textContent()).toContain('team=risk');
    expect(await aliasRow('production').locator('td').first().textContent()).toBe('v7');
    expect(await aliasRow('staging').locator('td').first().textContent()).toBe('v9');
    const versions = page.locator('table.versions tbody tr');
    expect(await versions.count()).toBe(10);
    const v7 = await versions.filter({ hasText: 's3://models/fraud/7' }).textContent();
    expect(v7).toContain('READY');
    expect(v7).toContain('run-7');
    expect(v7).toContain('framework=xgboost');
    expect(v7).toContain('production');
  });

  it('draws the alias timeline: a lane per alias, a bar per version that held it, a tick per move', async () => {
    await openModel();
    const timeline = page.getByTestId('alias-timeline');
    const lanes = await timeline.locator('g.lane').evaluateAll((gs) => gs.map((g) => g.getAttribute('data-alias')));
    expect(lanes).toEqual(['production', 'staging', 'shadow']);
    const production = moves.filter((m) => m.alias === 'production');
    expect(await timeline.locator('g.lane[data-alias="production"] line.move').count()).toBe(production.length);
    expect(await timeline.locator('g.lane[data-alias="production"] rect').count()).toBe(production.length);
    // The last bar is the current holder; the removed shadow lane has a tick for its removal.
    expect(await timeline.locator('g.lane[data-alias="production"] rect').last().getAttribute('data-version')).toBe('7');
    expect(await timeline.locator('g.lane[data-alias="shadow"] line.move').count()).toBe(2);
    const title = await timeline.locator('g.lane[data-alias="production"] rect title').last().textContent();
    expect(title).toMatch(/^production: v7 from .* \(holds now\), set by release-bot$/);
    await page.getByText('Every move (200)').click();
    expect(await page.locator('.moves li').first().textContent()).toMatch(/staging: v\d -> v9 by release-bot/);
    await page.getByText('Every move (200)').click();
    // Readable at a few hundred moves made in bursts: even spacing (each move the same width) is on.
    const even = page.getByLabel('Even spacing (every move the same width)', { exact: true });
    expect(await even.isChecked()).toBe(true);
    const widths = await timeline
      .locator('g.lane[data-alias="production"] rect')
      .evaluateAll((rects) => rects.slice(0, -1).map((r) => Number(r.getAttribute('width'))));
    expect(Math.min(...widths)).toBeGreaterThan(2);
    await page.locator('section[aria-labelledby="timeline-heading"]').screenshot({ path: path.join(screenshotDir, 'alias-timeline.png') });
    // On the time axis the bursts are hairlines, but every bar is still drawn.
    await even.uncheck();
    expect(await timeline.locator('g.lane[data-alias="production"] rect').count()).toBe(production.length);
  });

  it('answers "what held production at this instant" through versionByAlias(at:)', async () => {
    await openModel();
    const readout = page.getByTestId('cursor-readout');
    await eventually(() => readout.locator('li[data-alias="production"]').textContent()).toContain('held v7');
    // Put the cursor on a past move: the 100th production move.
    const target = moves.filter((m) => m.alias === 'production')[99];
    await page.getByText('Every move (200)').click();
    const at = target.at.replace('T', ' ').slice(0, 23);
    await page
      .locator('.moves li', { hasText: `${at} UTC` })
      .getByRole('button')
      .click();
    await eventually(() => readout.locator('p').textContent()).toBe(`At ${at} UTC:`);
    await eventually(() => readout.locator('li[data-alias="production"]').textContent()).toContain(`held v${target.version}`);
    expect(await readout.locator('li[data-alias="production"]').textContent()).toContain(`set by ${target.actor}`);
    expect(await readout.locator('li[data-alias="shadow"]').textContent()).toContain('held v2');
    // One step back along production's moves, by keyboard.
    await page.getByRole('button', { name: 'Previous move', exact: true }).focus();
    await page.keyboard.press('Enter');
    const previous = moves.filter((m) => m.alias === 'production')[98];
    await eventually(() => readout.locator('li[data-alias="production"]').textContent()).toContain(`held v${previous.version}`);
    await page.getByRole('button', { name: 'Now', exact: true }).click();
    await eventually(() => readout.locator('li[data-alias="shadow"]').textContent()).toContain('was not set');
  });

  it('moves an alias with compare-and-set: the dialog shows "production: v7 -> v8"', async () => {
    await openModel();
    await page.getByRole('button', { name: 'Move production', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Move production' });
    await dialog.getByLabel('Version', { exact: true }).selectOption('8');
    expect(await dialog.getByTestId('alias-change').textContent()).toBe('production: v7 -> v8');
    await dialog.getByRole('button', { name: 'Move alias', exact: true }).click();
    await dialog.waitFor({ state: 'hidden' });
    await eventually(() => aliasRow('production').locator('td').first().textContent()).toBe('v8');
    expect(await aliasVersion('production')).toBe(8);
    await eventually(() => page.locator('.history .feed li').first().textContent()).toContain('production: v7 -> v8');
  });

  it('shows a conflict when someone moved the alias meanwhile, and moves it from there when confirmed again', async () => {
    await openModel();
    await page.getByRole('button', { name: 'Move production', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Move production' });
    await dialog.getByLabel('Version', { exact: true }).selectOption('10');
    expect(await dialog.getByTestId('alias-change').textContent()).toBe('production: v8 -> v10');
    await setAlias('production', 9, 'alice');
    await dialog.getByRole('button', { name: 'Move alias', exact: true }).click();
    await eventually(() => dialog.getByTestId('alias-conflict').textContent()).toContain('someone moved it to v9 meanwhile');
    expect(await aliasVersion('production')).toBe(9);
    expect(await dialog.getByTestId('alias-change').textContent()).toBe('production: v9 -> v10');
    await dialog.getByRole('button', { name: 'Move alias', exact: true }).click();
    await dialog.waitFor({ state: 'hidden' });
    expect(await aliasVersion('production')).toBe(10);
    await eventually(() => aliasRow('production').locator('td').first().textContent()).toBe('v10');
  });

  it('rolls an alias back to the version it held before', async () => {
    await openModel();
    await aliasRow('production').getByRole('button', { name: 'Roll back production to v9', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Roll back production to v9' });
    expect(await dialog.getByTestId('alias-change').textContent()).toBe('production: v10 -> v9');
    await dialog.getByRole('button', { name: 'Move alias', exact: true }).click();
    await dialog.waitFor({ state: 'hidden' });
    expect(await aliasVersion('production')).toBe(9);
    await eventually(() => aliasRow('production').locator('td').first().textContent()).toBe('v9');
  });

  it('shows a change made by another client as it happens (registryEvents)', async () => {
    await openModel();
    await eventually(() => page.getByTestId('live-status').textContent()).toBe('live');
    const before = await page.locator('.history .feed li').count();
    await setAlias('staging', 4, 'alice');
    await eventually(() => page.locator('.history .feed li.new').first().textContent()).toContain('staging: v9 -> v4');
    expect(await page.locator('.history .feed li.new').first().textContent()).toContain('by alice');
    expect(await page.locator('.history .feed li').count()).toBe(before + 1);
    await eventually(() => aliasRow('staging').locator('td').first().textContent()).toBe('v4');
    await eventually(() => page.locator('g.lane[data-alias="staging"] rect').last().getAttribute('data-version')).toBe('4');
  });

  it('acts as the token entered (kept in sessionStorage, never in the URL); a FORBIDDEN answer is shown', async () => {
    await openModel();
    await page.getByRole('button', { name: 'Token', exact: true }).click();
    const tokenDialog = page.getByRole('dialog', { name: 'Bearer token' });
    await tokenDialog.getByLabel('Token', { exact: true }).fill(tokens.auditor);
    await tokenDialog.getByRole('button', { name: 'Use this token', exact: true }).click();
    expect(await page.evaluate(() => sessionStorage.getItem('model-registry.token'))).toBe(tokens.auditor);
    expect(page.url()).not.toContain(tokens.auditor);
    await page.getByRole('button', { name: 'Move staging', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Move staging' });
    await dialog.getByLabel('Version', { exact: true }).selectOption('5');
    await dialog.getByRole('button', { name: 'Move alias', exact: true }).click();
    await eventually(() => dialog.getByRole('alert').textContent()).toMatch(/^Your token may not do this/);
    await dialog.getByRole('button', { name: 'Cancel', exact: true }).click();

    await page.getByRole('button', { name: 'Token: set', exact: true }).click();
    await tokenDialog.getByLabel('Token', { exact: true }).fill(tokens['release-bot']);
    await tokenDialog.getByRole('button', { name: 'Use this token', exact: true }).click();
    await page.getByRole('button', { name: 'Move staging', exact: true }).click();
    await dialog.getByLabel('Version', { exact: true }).selectOption('5');
    await dialog.getByRole('button', { name: 'Move alias', exact: true }).click();
    await dialog.waitFor({ state: 'hidden' });
    await eventually(() => page.locator('.history .feed li').first().textContent()).toContain('staging: v4 -> v5 by release-bot');
    // A reload keeps it (same tab); "Forget" removes it.
    await page.reload();
    await page.getByRole('button', { name: 'Token: set', exact: true }).click();
    await tokenDialog.getByRole('button', { name: 'Forget the token', exact: true }).click();
    expect(await page.evaluate(() => sessionStorage.getItem('model-registry.token'))).toBeNull();
  });

  it('sets and removes tags; a ValidationError shows next to the field it names', async () => {
    await openModel();
    const tags = page.locator('section[aria-labelledby="tags-heading"]');
    await tags.getByLabel('Tag key', { exact: true }).fill('bad//key');
    await tags.getByLabel('Value', { exact: true }).fill('x');
    await tags.getByRole('button', { name: 'Set tag', exact: true }).click();
    const keyInput = tags.getByLabel('Tag key', { exact: true });
    const keyError = page.locator(`[id="${await keyInput.getAttribute('aria-describedby')}"]`);
    await eventually(() => keyError.textContent()).toMatch(/key/i);
    expect(await keyInput.getAttribute('aria-invalid')).toBe('true');
    await tags.getByLabel('Tag key', { exact: true }).fill('owner');
    await tags.getByLabel('Value', { exact: true }).fill('payments-team');
    await tags.getByRole('button', { name: 'Set tag', exact: true }).click();
    await eventually(() => tags.locator('.tag-list').textContent()).toContain('owner=payments-team');
    expect(await keyError.textContent()).toBe('');
    await tags.getByRole('button', { name: 'Remove tag owner', exact: true }).click();
    await eventually(() => tags.locator('.tag-list').textContent()).not.toContain('owner=');
  });

  it('opens a version page and edits its tags', async () => {
    await openModel();
    await page.locator('table.versions').getByRole('link', { name: 'v3', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: `${MODEL} v3` }).waitFor();
    expect(page.url()).toBe(`${modelUrl()}/versions/3`);
    expect(await page.locator('dl.fields').textContent()).toContain('s3://models/fraud/3');
    const tags = page.locator('section[aria-labelledby="version-tags-heading"]');
    await tags.getByLabel('Tag key', { exact: true }).fill('approved');
    await tags.getByLabel('Value', { exact: true }).fill('true');
    await tags.getByRole('button', { name: 'Set tag', exact: true }).click();
    await eventually(() => tags.locator('.tag-list').textContent()).toContain('approved=true');
    await page.goBack();
    await page.getByRole('heading', { level: 1, name: MODEL }).waitFor();
  });

  it('shows the registry history, filtered by action, alias and actor, with live updates', async () => {
    await page.goto(`${origin()}/history`);
    await page.getByRole('heading', { level: 1, name: /History/ }).waitFor();
    await eventually(() => page.getByTestId('live-status').textContent()).toBe('live');
    await page.getByLabel('Action', { exact: true }).selectOption('ALIAS_SET');
    await page.getByLabel('Alias', { exact: true }).fill('staging');
    await page.getByLabel('Actor', { exact: true }).fill('alice');
    await eventually(() => page.locator('.feed li').count()).toBe(1);
    expect(await page.locator('.feed li').first().textContent()).toContain('staging: v9 -> v4 by alice');
    await setAlias('staging', 6, 'alice');
    await eventually(() => page.locator('.feed li.new').count()).toBe(1);
    expect(await page.locator('.feed li').first().textContent()).toContain(
      `${MODEL}staging: v5 -> v6 by alice`.replace(MODEL, `${MODEL} `),
    );
    await setAlias('production', 8, 'release-bot');
    await setAlias('staging', 7, 'alice');
    await eventually(() => page.locator('.feed li.new').count()).toBe(2);
    expect(await page.locator('.feed li').allTextContents()).not.toContainEqual(expect.stringContaining('production'));
  });

  it('is keyboard navigable: skip link, a model link, the move dialog, Escape', async () => {
    await page.goto(`${origin()}/?q=fraud`);
    await page.getByRole('link', { name: MODEL }).waitFor();
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');
    let focused = '';
    for (let i = 0; i < 20 && focused !== MODEL; i++) {
      await page.keyboard.press('Tab');
      focused = (await page.evaluate(() => document.activeElement?.textContent)) ?? '';
    }
    expect(focused).toBe(MODEL);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: MODEL }).waitFor();
    await page.getByRole('button', { name: 'Move production', exact: true }).focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Move production' });
    await dialog.waitFor();
    expect(await page.evaluate(() => document.activeElement?.closest('dialog') !== null)).toBe(true);
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
  });

  it('fits a phone screen: no sideways page scroll on the list and the model page', async () => {
    const phone = await browser.page({ width: 390, height: 844 });
    try {
      for (const url of [`${origin()}/`, modelUrl()]) {
        await phone.goto(url);
        await phone.locator('h1').first().waitFor();
        if (url === modelUrl()) await phone.getByTestId('alias-timeline').waitFor();
        else await phone.locator('table.models tbody tr').first().waitFor();
        const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        expect(overflow).toBeLessThanOrEqual(0);
      }
      await phone.screenshot({ path: path.join(screenshotDir, 'model-page-phone.png'), fullPage: true });
    } finally {
      await phone.close();
    }
  });

  it('passes axe-core (WCAG 2.1 A and AA) on the list, the model page, the move dialog and the history', async () => {
    await page.goto(`${origin()}/`);
    await page.locator('table.models tbody tr').first().waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await openModel();
    await page.getByTestId('cursor-readout').locator('li').first().waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'Move production', exact: true }).click();
    await page.getByRole('dialog', { name: 'Move production' }).waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await page.keyboard.press('Escape');
    await page.goto(`${origin()}/history`);
    await page.locator('.feed li').first().waitFor();
    expect(await axeViolations(page)).toEqual([]);
  });

  it('on a server that requires tokens: asks for one, then browses and follows live with it', async () => {
    const db = await openDatabase({ kind: 'pglite', dataDir: null }, { log: false });
    await createApiToken(db.prisma, { name: 'admin', role: 'ADMIN', promote: true }, null);
    const { secret: viewer } = await createApiToken(db.prisma, { name: 'viewer', role: 'READER' }, null);
    const { secret: writer } = await createApiToken(db.prisma, { name: 'writer', role: 'WRITER' }, null);
    const locked = await startServer({
      config: { host: '127.0.0.1', port: 0, security: { ...DEFAULT_SECURITY, auth: 'required' } },
      db,
      log: { info() {}, error: console.error },
    });
    const other = await browser.page();
    try {
      await other.goto(`${locked.origin}/`);
      await eventually(() => other.getByRole('alert').first().textContent()).toContain('This server needs a token');
      await other.getByRole('button', { name: 'Token', exact: true }).click();
      await other.getByLabel('Token', { exact: true }).fill(viewer);
      await other.getByRole('button', { name: 'Use this token', exact: true }).click();
      await eventually(() => other.getByTestId('model-count').textContent()).toBe('0 models');
      expect(other.url()).toBe(`${locked.origin}/`);
      expect(await other.evaluate(() => JSON.stringify(localStorage))).not.toContain(viewer);
      await other.getByRole('link', { name: 'History', exact: true }).click();
      await eventually(() => other.getByTestId('live-status').textContent()).toBe('live');
      const create = await fetch(locked.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${writer}` },
        body: JSON.stringify({ query: 'mutation { createRegisteredModel(input: { name: "locked-model" }) { __typename } }' }),
      });
      expect((await create.json()).data.createRegisteredModel.__typename).toBe('RegisteredModelPayload');
      await eventually(() => other.locator('.feed li.new').first().textContent()).toContain('locked-model');
      expect(await other.locator('.feed li.new').first().textContent()).toContain('by writer');
    } finally {
      await other.close();
      await locked.close();
    }
    // The refusal before the token was entered is the one console error here: a 401 is logged by the browser.
    const refusals = browser.problems.filter((p) => p.includes('401'));
    browser.problems.splice(0, browser.problems.length, ...browser.problems.filter((p) => !p.includes('401')));
    expect(refusals.length).toBeLessThanOrEqual(1);
  });

  it('serves the model page screenshot for the README, and logged no console error on the way', async () => {
    await page.setViewportSize({ width: 1280, height: 900 });
    await openModel();
    await eventually(() => page.getByTestId('cursor-readout').locator('li[data-alias="production"]').textContent()).toContain('held');
    const file = path.join(screenshotDir, 'model-page.png');
    await page
      .screenshot({ path: file, fullPage: false, clip: { x: 0, y: 0, width: 1280, height: 1400 } })
      .catch(() => page.screenshot({ path: file }));
    if (process.env.UPDATE_UI_SCREENSHOT === '1') {
      mkdirSync(path.join(projectRoot, 'docs'), { recursive: true });
      copyFileSync(file, path.join(projectRoot, 'docs', 'ui-model-page.png'));
    }
    expect(browser.problems).toEqual([]);
  });
});

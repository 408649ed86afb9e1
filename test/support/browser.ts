// Headless Chromium for the web UI's end-to-end tests (test/ui/): Debian's /usr/bin/chromium driven
// by playwright-core, with a fresh profile and every background download off (the network here is
// closed, and Chromium hangs on it otherwise). Also: building the UI once per run, and axe-core.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BrowserContext, type Page, chromium } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
export const projectRoot = fileURLToPath(new URL('../..', import.meta.url));
export const screenshotDir = path.join(projectRoot, 'test', 'ui', 'screenshots');

/** Whether the UI tests can run; CI (REQUIRE_CHROMIUM=1) fails instead of skipping. */
export function chromiumAvailable(): boolean {
  if (existsSync(CHROMIUM)) return true;
  if (process.env.REQUIRE_CHROMIUM === '1') throw new Error(`${CHROMIUM} is missing (REQUIRE_CHROMIUM=1): apt-get install -y chromium`);
  console.warn(`${CHROMIUM} is missing; skipping the web UI tests (apt-get install -y chromium).`);
  return false;
}

/** Builds src/ui into dist/ui (what npm install does), so the tests see the current sources. */
export function buildUi(): void {
  const run = spawnSync(process.execPath, [path.join(projectRoot, 'scripts', 'build-ui.mjs')], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`npm run build:ui failed:\n${run.stdout}\n${run.stderr}`);
}

export interface Browser {
  context: BrowserContext;
  /** A new page that records console errors and uncaught exceptions into `problems`. */
  page(viewport?: { width: number; height: number }): Promise<Page>;
  problems: string[];
  close(): Promise<void>;
}

export async function launchBrowser(): Promise<Browser> {
  const profile = mkdtempSync(path.join(tmpdir(), 'registry-ui-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: { width: 1280, height: 900 },
    timeout: 30_000,
  });
  const problems: string[] = [];
  mkdirSync(screenshotDir, { recursive: true });
  return {
    context,
    problems,
    async page(viewport) {
      const page = await context.newPage();
      if (viewport) await page.setViewportSize(viewport);
      page.on('console', (message) => {
        if (message.type() === 'error') problems.push(`console: ${message.text()}`);
      });
      page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
      return page;
    },
    async close() {
      await context.close().catch(() => {});
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

const axeSource: string = createRequire(import.meta.url)('axe-core').source;

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[]; failureSummary?: string }[];
}

/** axe-core's WCAG 2.x A and AA rules over the page as it is now. */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  // Evaluated through the DevTools protocol, which the page's Content-Security-Policy does not govern.
  await page.evaluate(axeSource);
  return page.evaluate(async () => {
    const axe = (window as any).axe;
    const result = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return result.violations.map((v: any) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n: any) => ({ target: n.target, failureSummary: n.failureSummary })),
    }));
  });
}

// D1: one PGlite data folder, one process. Real processes: a second server and the token CLI are
// refused while a server holds the folder (naming its pid), and a SIGKILLed holder's stale lock
// does not block the restart.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { processes } from '../support/processes.ts';
import { LOCK_FILE } from '../../src/db/data-folder-lock.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'registry-lock-'));
const dataDir = path.join(dir, 'data');
const env = { ...process.env, DATABASE_URL: `pglite:${dataDir}`, PORT: '0', HOST: '127.0.0.1', REGISTRY_AUTH: 'off' };
const { run, startServer, killAll } = processes(env);
afterAll(() => {
  killAll();
  rmSync(dir, { recursive: true, force: true });
});

it('refuses a second server and the token CLI on a held folder, and recovers from a SIGKILLed holder', async () => {
  const first = await startServer();
  const pid = first.child.pid!;
  expect(existsSync(path.join(dataDir, LOCK_FILE))).toBe(true);

  const second = await run(['src/main.ts']);
  expect(second.code).toBe(1);
  expect(second.stderr).toContain(`is in use by process ${pid}`);
  expect(second.stderr).toContain('src/main.ts');
  expect(second.stdout).not.toMatch(/listening on/);

  const token = await run(['src/auth/cli.ts', 'create', '--name', 'while-running', '--role', 'admin']);
  expect(token.code).toBe(1);
  expect(token.stderr).toContain(`is in use by process ${pid}`);
  expect(token.stdout).not.toMatch(/mrt_/);

  first.child.kill('SIGKILL');
  await first.exit;
  // The dead holder's lock is still there, and must not block the restart.
  expect(existsSync(path.join(dataDir, LOCK_FILE))).toBe(true);
  const restarted = await startServer();
  restarted.child.kill('SIGINT');
  expect(await restarted.exit).toBe(0);
  expect(existsSync(path.join(dataDir, LOCK_FILE))).toBe(false);

  const list = await run(['src/auth/cli.ts', 'list']);
  expect(list.code).toBe(0);
  expect(list.stdout).not.toContain('while-running');
}, 180_000);

// D1: one PGlite data folder, one process. Real processes: a second server and the token CLI are
// refused while a server holds the folder (naming its pid), and a SIGKILLed holder's stale lock
// does not block the restart.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { projectRoot } from '../../src/config.ts';
import { LOCK_FILE } from '../../src/db/data-folder-lock.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'registry-lock-'));
const dataDir = path.join(dir, 'data');
const env = { ...process.env, DATABASE_URL: `pglite:${dataDir}`, PORT: '0', HOST: '127.0.0.1', REGISTRY_AUTH: 'off' };
const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], { cwd: projectRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (c) => (stdout += c));
  child.stderr!.setEncoding('utf8').on('data', (c) => (stderr += c));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stdout, stderr })));
}

function startServer(): Promise<{ child: ChildProcess; exit: Promise<number | null> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { cwd: projectRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let stdout = '';
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (c) => (stderr += c));
  return new Promise((resolve, reject) => {
    child.stdout!.setEncoding('utf8').on('data', (chunk) => {
      stdout += chunk;
      if (/listening on/.test(stdout)) resolve({ child, exit });
    });
    void exit.then((code) => reject(new Error(`server exited with ${code}: ${stderr}`)));
  });
}

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

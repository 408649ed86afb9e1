// The driver's side of the protocol of bench/child.ts: each server under test runs in a child
// process of its own, reports its URL when ready, its CPU time, statements, requests and peak RSS
// when asked, and stops on request.
import { type ChildProcess, fork } from 'node:child_process';
import path from 'node:path';
import { projectRoot } from '../src/paths.ts';
import type { ChildMessage, ServerStats } from './child.ts';
import type { Dialect } from './postgraphile.ts';

/** Which data a server serves: PGlite servers hold their own copy, the others share the bench database. */
export type Data = 'postgres' | 'pglite';

export interface ServerProcess {
  name: string;
  data: Data;
  url: string;
  /** For a server with a schema of its own (PostGraphile): how our requests and its answers translate. */
  dialect?: Dialect;
  child: ChildProcess;
  stats(): Promise<ServerStats>;
  stop(): Promise<void>;
}

export interface ChildOptions {
  execArgv?: string[];
  data?: Data;
  /**
   * The checkout whose bench/<script> runs, from that folder, so that `--import tsx` and every
   * import resolve in its own node_modules and src/generated.
   */
  root?: string;
  dialect?: Dialect;
}

export async function startChild(
  name: string,
  script: string,
  args: string[],
  { execArgv = [], data = 'postgres', root = projectRoot, dialect }: ChildOptions = {},
): Promise<ServerProcess> {
  const child = fork(path.join(root, 'bench', script), args, {
    cwd: root,
    // Every server under test runs in production mode (PostGraphile's and yoga's development modes add work).
    env: { ...process.env, NODE_ENV: 'production' },
    execArgv: ['--import', 'tsx', ...execArgv],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const next = <T extends ChildMessage['type']>(type: T) =>
    new Promise<Extract<ChildMessage, { type: T }>>((resolve, reject) => {
      const onMessage = (message: ChildMessage) => {
        if (message.type === 'failed') reject(new Error(`${name} server failed to start:\n${message.error}`));
        else if (message.type === type) {
          child.off('message', onMessage);
          child.off('exit', onExit);
          resolve(message as Extract<ChildMessage, { type: T }>);
        }
      };
      const onExit = (code: number | null) => reject(new Error(`${name} server exited (code ${code})`));
      child.on('message', onMessage);
      child.once('exit', onExit);
    });
  const ready = await next('ready');
  return {
    name,
    data,
    url: ready.url,
    ...(dialect ? { dialect } : {}),
    child,
    async stats() {
      const reply = next('stats');
      child.send({ type: 'stats' });
      const { type: _type, ...stats } = await reply;
      return stats;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
        child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        child.send({ type: 'stop' });
      }),
  };
}

export async function stopAll(servers: ServerProcess[]): Promise<void> {
  await Promise.all(servers.map((s) => s.stop()));
}

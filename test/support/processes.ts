// The project's own commands as real child processes (`node --import tsx <file>`), for tests of
// what a person at a terminal sees: exit codes, the one-line errors, the data-folder lock.
import { type ChildProcess, spawn } from 'node:child_process';
import { projectRoot } from '../../src/paths.ts';

export interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RunningServerProcess {
  child: ChildProcess;
  /** The GraphQL endpoint from the start-up line. */
  url: string;
  exit: Promise<number | null>;
}

/** Spawns commands with `env`; `killAll` (for afterAll) ends whatever still runs. */
export function processes(env: NodeJS.ProcessEnv) {
  const children: ChildProcess[] = [];
  const spawnTsx = (args: string[], extraEnv: Record<string, string>) => {
    const child = spawn(process.execPath, ['--import', 'tsx', ...args], {
      cwd: projectRoot,
      env: { ...env, ...extraEnv },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    return child;
  };
  return {
    /** Runs a script to its end. */
    run(args: string[], extraEnv: Record<string, string> = {}): Promise<Finished> {
      const child = spawnTsx(args, extraEnv);
      let stdout = '';
      let stderr = '';
      child.stdout!.setEncoding('utf8').on('data', (c) => (stdout += c));
      child.stderr!.setEncoding('utf8').on('data', (c) => (stderr += c));
      return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stdout, stderr })));
    },
    /** Starts `src/main.ts` and resolves once it prints its listening line. */
    startServer(extraEnv: Record<string, string> = {}): Promise<RunningServerProcess> {
      const child = spawnTsx(['src/main.ts'], extraEnv);
      const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      let stdout = '';
      let stderr = '';
      child.stderr!.setEncoding('utf8').on('data', (c) => (stderr += c));
      return new Promise((resolve, reject) => {
        child.stdout!.setEncoding('utf8').on('data', (chunk) => {
          stdout += chunk;
          const match = /listening on (http:\S+)/.exec(stdout);
          if (match) resolve({ child, url: match[1].replace(/;$/, ''), exit });
        });
        void exit.then((code) => reject(new Error(`server exited with ${code}: ${stderr}`)));
      });
    },
    killAll() {
      for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
}

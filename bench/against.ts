// --against: another checkout of this project (typically an older commit in a git worktree),
// whose own bench/registry-server.ts runs as one more server of the same run, so that "no worse
// than before" is measured on the same data under the same load, not across runs on a drifting
// machine.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

export interface Against {
  /** The checkout's folder: its bench/, node_modules and src/generated are the ones used. */
  root: string;
  /** `registry@<short rev>`, with `+` when tracked files differ from that commit. */
  name: string;
  /** Those of its own `npm start` unless --server-flags is given. */
  serverFlags: string[];
}

const SETUP =
  'make one with: git worktree add /tmp/old <rev> && ln -s "$PWD/node_modules" /tmp/old/node_modules && cp -r src/generated /tmp/old/src/';

export function resolveAgainst(folder: string): Omit<Against, 'serverFlags'> {
  const root = path.resolve(folder);
  for (const needed of ['bench/registry-server.ts', 'bench/child.ts', 'node_modules', 'src/generated']) {
    if (!existsSync(path.join(root, needed))) throw new Error(`--against ${root}: no ${needed}; ${SETUP}`);
  }
  const git = (...args: string[]) => execFileSync('git', ['-C', root, ...args], { encoding: 'utf8' }).trim();
  let rev: string;
  try {
    rev = git('rev-parse', '--short', 'HEAD') + (git('status', '--porcelain', '--untracked-files=no') ? '+' : '');
  } catch {
    throw new Error(`--against ${root}: not a git checkout; ${SETUP}`);
  }
  return { root, name: `registry@${rev}` };
}

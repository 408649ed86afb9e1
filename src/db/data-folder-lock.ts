import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/**
 * One PGlite data folder, one process: two processes on one folder each keep their own copy in
 * memory and the last to close overwrites the other's acknowledged writes. Like PostgreSQL's
 * postmaster.pid, the lock records the holder's pid so the refusal can name it and a lock left by
 * a crashed (SIGKILLed) holder is taken over instead of blocking the restart. proper-lockfile
 * judges staleness by mtime and does not name the holder, so this is a small own file.
 */
export const LOCK_FILE = 'registry-process.lock';

interface Holder {
  pid: number;
  startedAt: string;
  command: string;
}

/** Locks this process holds, so a pid equal to ours (pid reuse in a container) is told apart. */
const held = new Set<string>();

export class DataFolderInUseError extends Error {
  constructor(dataDir: string, holder: Holder) {
    super(
      `data folder ${dataDir} is in use by process ${holder.pid} (${holder.command}) since ${holder.startedAt}; ` +
        'stop it first (a PGlite folder can be open in one process only)',
    );
    this.name = 'DataFolderInUseError';
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readHolder(path: string): Holder | undefined {
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as Partial<Holder>;
    if (typeof parsed.pid !== 'number') return undefined;
    return { pid: parsed.pid, startedAt: String(parsed.startedAt), command: String(parsed.command) };
  } catch {
    return undefined;
  }
}

/** Takes the folder's lock or throws DataFolderInUseError; returns the release function. */
export function lockDataFolder(dataDir: string): () => void {
  const path = join(dataDir, LOCK_FILE);
  const mine: Holder = {
    pid: process.pid,
    startedAt: new Date().toISOString(),
    command: process.argv.slice(1).join(' ').slice(0, 200),
  };
  for (let attempt = 0; attempt < 3; attempt += 1) {
    try {
      const fd = openSync(path, 'wx');
      try {
        writeSync(fd, JSON.stringify(mine));
      } finally {
        closeSync(fd);
      }
      held.add(path);
      const release = () => {
        process.off('exit', release);
        if (!held.delete(path)) return;
        // Only our own file: a successor may have taken over after we were presumed dead.
        if (readHolder(path)?.startedAt === mine.startedAt && readHolder(path)?.pid === mine.pid) {
          try {
            unlinkSync(path);
          } catch {}
        }
      };
      process.on('exit', release);
      return release;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = readHolder(path);
    const stale = holder === undefined || !alive(holder.pid) || (holder.pid === process.pid && !held.has(path));
    // A file half-written by a holder starting right now reads as undefined: give it a moment.
    if (holder === undefined && attempt === 0) {
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
      continue;
    }
    if (!stale) throw new DataFolderInUseError(dataDir, holder);
    try {
      unlinkSync(path);
    } catch {}
  }
  throw new Error(`could not take the lock file ${path}`);
}

// The memory figure of a run: bench/memory-probe.ts, in a process of its own so that the heap it
// measures holds nothing but our server's.
import { fork } from 'node:child_process';
import path from 'node:path';
import { projectRoot } from '../src/paths.ts';
import type { MemoryProbe } from './memory-probe.ts';

/** With our server's node options, since they size the heap being measured. */
export function probeMemory(databaseUrl: string, serverFlags: string[], requests: number): Promise<MemoryProbe> {
  return new Promise((resolve, reject) => {
    const child = fork(path.join(projectRoot, 'bench', 'memory-probe.ts'), [databaseUrl, String(requests)], {
      cwd: projectRoot,
      execArgv: ['--import', 'tsx', '--expose-gc', ...serverFlags],
      stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
    });
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code === 0) resolve(JSON.parse(output.trim().split('\n').at(-1)!) as MemoryProbe);
      else reject(new Error(`memory probe exited with code ${code}`));
    });
  });
}

export function memoryLine(memory: MemoryProbe): string {
  const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(2);
  return (
    `memory: ${memory.requests} dashboard requests held at their peak (result built, rows loaded, not yet serialized) ` +
    `keep ${mb(memory.heldPerRequest)} MB of heap each, ${(memory.heldPerRequest / memory.responseBytes).toFixed(1)}x ` +
    `their ${(memory.responseBytes / 1024).toFixed(0)} KB response; idle heap ${mb(memory.idleHeap)} MB`
  );
}

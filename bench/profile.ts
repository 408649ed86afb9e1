// Summarizes a V8 .cpuprofile (node --cpu-prof): self time by package and by function, as a
// share of the busy (non-idle) time. `node --import tsx bench/profile.ts <file or folder>`.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

function packageOf(url: string): string {
  if (!url) return '(native / V8)';
  if (url.startsWith('node:')) return 'node internals';
  const file = url.startsWith('file://') ? fileURLToPath(url) : url;
  const modules = file.lastIndexOf('node_modules/');
  if (modules >= 0) {
    const parts = file.slice(modules + 'node_modules/'.length).split('/');
    return parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
  }
  const src = file.lastIndexOf('/src/');
  if (src >= 0) return file.slice(src + 1).replace(/\/[^/]+$/, '/');
  return path.basename(file);
}

function frameName(node: ProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame;
  if (!url) return functionName || '(anonymous)';
  const file = url.startsWith('file://') ? fileURLToPath(url) : url;
  const modules = file.lastIndexOf('node_modules/');
  const short = modules >= 0 ? file.slice(modules + 'node_modules/'.length) : file.slice(file.lastIndexOf('/src/') + 1);
  return `${functionName || '(anonymous)'} ${short}:${lineNumber + 1}`;
}

export function summarizeProfile(file: string, top = 25): string {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  for (const [i, id] of profile.samples.entries()) selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  let idle = 0;
  const byPackage = new Map<string, number>();
  const byFrame = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const node = nodes.get(id)!;
    const name = node.callFrame.functionName;
    if (name === '(idle)') {
      idle += us;
      continue;
    }
    const pkg = name === '(garbage collector)' ? '(garbage collector)' : name === '(program)' ? '(program)' : packageOf(node.callFrame.url);
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + us);
    const frame = frameName(node);
    byFrame.set(frame, (byFrame.get(frame) ?? 0) + us);
  }
  const busy = [...byPackage.values()].reduce((a, b) => a + b, 0);
  const lines = (map: Map<string, number>, count: number) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, count)
      .map(([name, us]) => `  ${((us / busy) * 100).toFixed(1).padStart(5)}%  ${(us / 1000).toFixed(0).padStart(7)} ms  ${name}`);
  return [
    `profile ${path.basename(file)}: busy ${(busy / 1000).toFixed(0)} ms, idle ${(idle / 1000).toFixed(0)} ms`,
    'self time by package:',
    ...lines(byPackage, 15),
    `self time by function (top ${top}):`,
    ...lines(byFrame, top),
  ].join('\n');
}

/**
 * Summarizes the main thread of the newest profiled process in `dir` (names are
 * CPU.<date>.<time>.<pid>.<thread>.<n>.cpuprofile; tsx's loader thread writes one too, a small one).
 */
export function summarizeProfiles(dir: string): string {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.cpuprofile'))
    .map((f) => ({ file: path.join(dir, f), pid: f.split('.')[3], stat: statSync(path.join(dir, f)) }))
    .sort((a, b) => b.stat.mtimeMs - a.stat.mtimeMs);
  if (files.length === 0) return `no .cpuprofile in ${dir}`;
  const main = files.filter((f) => f.pid === files[0].pid).sort((a, b) => b.stat.size - a.stat.size)[0];
  return summarizeProfile(main.file);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const target = process.argv[2];
  if (!target) {
    console.error('usage: node --import tsx bench/profile.ts <file.cpuprofile | folder>');
    process.exit(2);
  }
  console.log(statSync(target).isDirectory() ? summarizeProfiles(target) : summarizeProfile(target));
}

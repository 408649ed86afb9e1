// Memory held per in-flight dashboard request, run by `npm run bench` in its own
// process with --expose-gc on the bench database (argv[2]). Each of `count` concurrent dashboard
// requests is held at its peak: the result tree is built and its context (the loaders with every
// row they read) is alive, but nothing is serialized yet. With all of them held, a full GC leaves
// only what they keep alive; the growth over the idle heap, per request, is compared with the size
// of the response it becomes. Prints one JSON line.
import v8 from 'node:v8';
import type { Plugin } from 'graphql-yoga';
import { parseDatabaseUrl } from '../src/config.ts';
import { openDatabase } from '../src/db/client.ts';
import { createApp } from '../src/app.ts';
import { dashboardBody } from './workloads.ts';

export interface MemoryProbe {
  /** Requests held at once. */
  requests: number;
  /** Heap in use after a full GC at idle (after warm-up), in bytes. */
  idleHeap: number;
  /** Heap growth per held request over the idle heap, after a full GC, in bytes. */
  heldPerRequest: number;
  /** Size of the JSON response of one dashboard request, in bytes. */
  responseBytes: number;
}

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');

function liveHeap(): number {
  gc!();
  gc!();
  return v8.getHeapStatistics().used_heap_size;
}

const count = Number(process.argv[3] ?? 8);
let holding = false;
let arrived = 0;
let allArrived = () => {};
let release = () => {};
const hold: Plugin = {
  async onResultProcess() {
    if (!holding) return;
    arrived++;
    if (arrived === count) allArrived();
    await new Promise<void>((resolve) => {
      const previous = release;
      release = () => {
        previous();
        resolve();
      };
    });
  },
};

const db = await openDatabase(parseDatabaseUrl(process.argv[2]), { log: false });
const yoga = createApp(db, { plugins: [hold] }).yoga;
const body = JSON.stringify(dashboardBody());
async function dashboard(): Promise<string> {
  const response = await yoga.fetch('http://127.0.0.1/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  return response.text();
}

let responseBytes = 0;
for (let i = 0; i < 5; i++) responseBytes = Buffer.byteLength(await dashboard());
const idleHeap = liveHeap();
holding = true;
const everyone = new Promise<void>((resolve) => {
  allArrived = resolve;
});
const responses = Array.from({ length: count }, dashboard);
await everyone;
const heldHeap = liveHeap();
release();
await Promise.all(responses);
await db.close();

const probe: MemoryProbe = { requests: count, idleHeap, heldPerRequest: (heldHeap - idleHeap) / count, responseBytes };
console.log(JSON.stringify(probe));

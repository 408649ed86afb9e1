// Our server under test as `npm start` runs it with WORKERS=N: this process is a node:cluster
// primary whose workers each run bench/registry-server.ts on the database named by argv[2]
// (PostgreSQL), sharing one port. Each worker speaks bench/child.ts's protocol to this process as
// the single server speaks it to the driver; the stats reported to the driver are this process's
// plus every worker's (CPU and statements added up, peak RSS summed: the memory the N processes cost).
import cluster, { type Worker } from 'node:cluster';
import { fileURLToPath } from 'node:url';
import { type ChildMessage, type ParentMessage, type ServerStats, serve } from './child.ts';

const [databaseUrl, count] = [process.argv[2], Number(process.argv[3])];
if (!databaseUrl?.startsWith('postgres') || !(count > 1))
  throw new Error('usage: registry-cluster.ts <postgres://...> <workers, 2 or more>');

function next<T extends ChildMessage['type']>(worker: Worker, type: T): Promise<Extract<ChildMessage, { type: T }>> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: ChildMessage) => {
      if (message.type === 'failed') reject(new Error(`worker ${worker.id} failed to start:\n${message.error}`));
      else if (message.type === type) {
        worker.off('message', onMessage);
        worker.off('exit', onExit);
        resolve(message as Extract<ChildMessage, { type: T }>);
      }
    };
    const onExit = (code: number | null) => reject(new Error(`worker ${worker.id} exited (code ${code})`));
    worker.on('message', onMessage);
    worker.once('exit', onExit);
  });
}

cluster.setupPrimary({ exec: fileURLToPath(new URL('./registry-server.ts', import.meta.url)), args: [databaseUrl] });
const workers: Worker[] = [];

await serve(
  async () => {
    for (let i = 0; i < count; i++) workers.push(cluster.fork());
    const ready = await Promise.all(workers.map((worker) => next(worker, 'ready')));
    return {
      url: ready[0].url,
      close: async () => {
        const exits = workers.filter((w) => !w.isDead()).map((w) => new Promise((resolve) => w.once('exit', resolve)));
        for (const worker of workers) if (worker.isConnected()) worker.send({ type: 'stop' } satisfies ParentMessage);
        await Promise.all(exits);
      },
    };
  },
  async (own) => {
    const replies = workers.map((worker) => {
      const reply = next(worker, 'stats');
      worker.send({ type: 'stats' } satisfies ParentMessage);
      return reply;
    });
    const stats: ServerStats[] = [own, ...(await Promise.all(replies))];
    const sum = (key: keyof ServerStats) => stats.reduce((total, s) => total + s[key], 0);
    return { cpuMs: sum('cpuMs'), statements: sum('statements'), requests: sum('requests'), peakRss: sum('peakRss') };
  },
);

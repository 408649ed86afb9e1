// `npm start` with WORKERS=N (N > 1): every core serves. The primary process migrates the database
// once, forks N workers that each run the ordinary server (src/main.ts → startServer, with its own
// pg pool and its own LISTEN connection) on the same port — node:cluster shares the listening
// socket and hands new connections to the workers in turn — prints the listening line once all
// listen, restarts a worker that dies (at most CRASH_LIMIT times within CRASH_WINDOW_MS, then it
// gives up), and on SIGTERM/SIGINT asks each worker to stop as the single process does (finish
// in-flight requests, then close the database) and exits 0 once all did. Workers share nothing in
// memory: live updates and webhooks reach across them through PostgreSQL (LISTEN/NOTIFY, the
// delivery queue's SKIP LOCKED claims), exactly as across replicas. PGlite is one process's
// database (its folder is locked by one process), so workers need PostgreSQL.
import cluster, { type Worker } from 'node:cluster';
import type { Plugin } from 'graphql-yoga';
import { type Config, describeDatabaseTarget } from './config.ts';
import { openDatabase } from './db/client.ts';
import { describeError } from './db/describe-error.ts';
import { DEFAULT_SHUTDOWN_TIMEOUT_MS } from './http/server.ts';

/** Response header naming the worker (cluster worker id) that answered; only sent when WORKERS > 1. */
export const WORKER_HEADER = 'x-registry-worker';

/** Workers dying this many times within CRASH_WINDOW_MS make the primary give up (exit 1). */
export const CRASH_LIMIT = 5;
export const CRASH_WINDOW_MS = 60_000;

/** After a stop request, how long the primary waits for its workers before killing them. */
const STOP_BOUND_MS = DEFAULT_SHUTDOWN_TIMEOUT_MS + 20_000;

/** Signals this close together are one request to stop (see src/main.ts). */
const DUPLICATE_SIGNAL_MS = 300;

type Message = { registry: 'listening'; url: string } | { registry: 'stop' };

/** Whether this process should be the cluster's primary rather than a server. */
export function runsWorkers(config: Config): boolean {
  return config.workers > 1 && cluster.isPrimary;
}

/** Why `config` cannot run workers, as one line; null when it can. */
export function workersRefusal(config: Config): string | null {
  if (config.workers <= 1 || config.databaseUrl.kind === 'postgres') return null;
  return (
    `WORKERS=${config.workers} needs PostgreSQL: the embedded PGlite database lives inside one process (its data folder is ` +
    'locked by the process that opened it), so workers cannot share it. Set DATABASE_URL=postgres://... or WORKERS=1.'
  );
}

/** In a worker: the plugins that name it in every response (WORKER_HEADER); none otherwise. */
export function workerPlugins(): Plugin[] {
  const worker = cluster.worker;
  if (!worker) return [];
  const id = String(worker.id);
  return [
    {
      onResponse({ response }) {
        response.headers.set(WORKER_HEADER, id);
      },
    },
  ];
}

/**
 * Announces that the server listens: the one stdout line in a single process; in a worker a message
 * to the primary, which prints that line once every worker listens.
 */
export function announceListening(url: string, line: string): void {
  if (cluster.worker) cluster.worker.send({ registry: 'listening', url } satisfies Message);
  else console.log(line);
}

/** In a worker: calls `stop` when the primary asks this worker to stop. */
export function onStopRequest(stop: () => void): void {
  cluster.worker?.on('message', (message: Message) => {
    if (message?.registry === 'stop') stop();
  });
}

/** The primary: migrate, fork, supervise, stop. Exits the process. */
export async function runPrimary(config: Config): Promise<void> {
  const target = describeDatabaseTarget(config.databaseUrl);
  const count = config.workers;
  let stopping: { at: number } | undefined;
  let started = false;
  const workers = new Set<Worker>();
  const listening = new Set<Worker>();
  const crashes: number[] = [];
  let failed = false;

  const finish = (code: number) => {
    console.error(code === 0 ? 'model registry stopped' : 'model registry stopped after a failure');
    process.exit(code);
  };

  function stopAll(reason: string): void {
    console.error(reason);
    const bound = setTimeout(() => {
      console.error(`workers still running ${STOP_BOUND_MS} ms after the stop request: killing them`);
      for (const worker of workers) worker.process.kill('SIGKILL');
    }, STOP_BOUND_MS);
    bound.unref();
    for (const worker of workers) {
      if (worker.isConnected()) worker.send({ registry: 'stop' } satisfies Message);
      else worker.process.kill('SIGTERM');
    }
    if (workers.size === 0) finish(failed ? 1 : 0);
  }

  function onSignal(signal: NodeJS.Signals): void {
    if (stopping) {
      if (Date.now() - stopping.at < DUPLICATE_SIGNAL_MS) return;
      console.error(`${signal} again: killing the workers now, without waiting for requests`);
      for (const worker of workers) worker.process.kill('SIGKILL');
      process.exit(1);
    }
    stopping = { at: Date.now() };
    if (!started) {
      console.error(`${signal} received while starting: stopping`);
      if (workers.size === 0) return; // still migrating: the start sees `stopping`
    }
    stopAll(`${signal} received: stopping ${workers.size} workers, each finishing its in-flight requests (${signal} again to exit now)`);
  }
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  function fork(): void {
    const worker = cluster.fork();
    workers.add(worker);
    worker.on('message', (message: Message) => {
      if (message?.registry !== 'listening') return;
      listening.add(worker);
      console.error(`worker ${worker.id} (pid ${worker.process.pid}) listening`);
      if (!started && listening.size === count) {
        started = true;
        console.log(`model registry listening on ${message.url}; database: ${target}`);
        console.error(`${count} workers share the port; each has its own PostgreSQL pool`);
      }
    });
    worker.on('exit', (code, signal) => {
      workers.delete(worker);
      const wasListening = listening.delete(worker);
      const how = signal ? `signal ${signal}` : `code ${code}`;
      if (stopping || failed) {
        if (code !== 0) failed = true;
        if (workers.size === 0) finish(failed ? 1 : 0);
        return;
      }
      if (!started && !wasListening) {
        // Its reason is on stderr already (the worker prints why it could not start).
        failed = true;
        stopAll(`worker ${worker.id} failed to start (${how}): stopping`);
        return;
      }
      const now = Date.now();
      crashes.push(now);
      while (crashes.length > 0 && crashes[0] <= now - CRASH_WINDOW_MS) crashes.shift();
      if (crashes.length >= CRASH_LIMIT) {
        failed = true;
        stopAll(
          `worker ${worker.id} (pid ${worker.process.pid}) exited (${how}): ${crashes.length} worker crashes within ${CRASH_WINDOW_MS / 1000} s, giving up`,
        );
        return;
      }
      console.error(`worker ${worker.id} (pid ${worker.process.pid}) exited (${how}); starting a new one`);
      fork();
    });
  }

  console.error(`opening ${target}`);
  try {
    // Migrated once here; each worker's openDatabase then finds nothing to apply.
    const db = await openDatabase(config.databaseUrl, { ...config, log: (line) => console.error(line) });
    await db.close();
  } catch (error) {
    console.error(`model registry failed to start: ${describeError(error, config.databaseUrl)}`);
    process.exit(1);
  }
  if (stopping) finish(0);
  console.error(`starting ${count} workers`);
  for (let i = 0; i < count; i++) fork();
}

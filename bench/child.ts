// What a server under test reports to the benchmark driver over IPC: CPU time, SQL statements,
// HTTP requests answered and peak RSS since the last report. Imported first by each server
// process, so the statement counter wraps `pg` before any connection exists.
import diagnostics from 'node:diagnostics_channel';
import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';

export interface ServerStats {
  /** process.cpuUsage() user + system, in ms, since the last report. */
  cpuMs: number;
  statements: number;
  requests: number;
  /** Highest RSS sampled since the last report, in bytes. */
  peakRss: number;
}

export type ChildMessage = { type: 'ready'; url: string } | ({ type: 'stats' } & ServerStats) | { type: 'failed'; error: string };
export type ParentMessage = { type: 'stats' } | { type: 'stop' };

let statements = 0;
let requests = 0;
let peakRss = process.memoryUsage.rss();
let cpuMark = process.cpuUsage();

/** Every statement sent to PostgreSQL through node-postgres (pools and Prisma's adapter included). */
export function countPgStatements(): void {
  const query = pg.Client.prototype.query as (...args: unknown[]) => unknown;
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    statements++;
    return query.apply(this, args);
  } as typeof pg.Client.prototype.query;
}

/** For engines not reached through `pg` (PGlite): count from Prisma's query events instead. */
export function countStatement(): void {
  statements++;
}

diagnostics.channel('http.server.request.start').subscribe(() => {
  requests++;
});

const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage.rss());
}, 50);
sampler.unref();

function takeStats(): ServerStats {
  const cpu = process.cpuUsage(cpuMark);
  cpuMark = process.cpuUsage();
  const stats = { cpuMs: (cpu.user + cpu.system) / 1000, statements, requests, peakRss: Math.max(peakRss, process.memoryUsage.rss()) };
  statements = 0;
  requests = 0;
  peakRss = process.memoryUsage.rss();
  return stats;
}

function send(message: ChildMessage): void {
  process.send?.(message);
}

/**
 * Starts the server, reports its URL, answers stats requests, stops on request or when the driver
 * goes away. `collect` turns this process's stats into the reported ones (bench/registry-cluster.ts
 * adds its workers').
 */
export async function serve(
  start: () => Promise<{ url: string; close(): Promise<void> }>,
  collect: (own: ServerStats) => Promise<ServerStats> = async (own) => own,
): Promise<void> {
  let server: { url: string; close(): Promise<void> };
  try {
    server = await start();
  } catch (error) {
    send({ type: 'failed', error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
    process.exit(1);
  }
  const stop = async () => {
    await server.close().catch(() => {});
    // A normal exit, so that --cpu-prof writes its profile.
    process.exit(0);
  };
  process.on('message', (message: ParentMessage) => {
    if (message.type === 'stats') void collect(takeStats()).then((stats) => send({ type: 'stats', ...stats }));
    else if (message.type === 'stop') void stop();
  });
  process.on('disconnect', () => void stop());
  takeStats();
  send({ type: 'ready', url: server.url });
}

/** A node:http server of the bench listening on loopback, its GraphQL endpoint, and a close that ends its connections, then `release`. */
export async function listenOnLoopback(
  server: http.Server,
  release: () => Promise<void>,
): Promise<{ url: string; close(): Promise<void> }> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/graphql`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await release();
    },
  };
}

// `npm start`: read the environment, open (and migrate) the database, serve until SIGINT/SIGTERM.
// Progress and faults go to stderr; stdout gets one line once the server listens. With WORKERS > 1
// this process is the primary of src/cluster.ts, and each of its workers runs the rest of this file.
import { type Config, describeDatabaseTarget, loadConfig } from './config.ts';
import { openDatabase } from './db/client.ts';
import type { Database } from './db/database.ts';
import { describeError } from './db/describe-error.ts';
import { type RunningServer, consoleLog, startServer } from './app.ts';
import { announceListening, onStopRequest, runPrimary, runsWorkers, workerPlugins, workersRefusal } from './cluster.ts';

// `npm start` forwards the terminal's Ctrl-C to us while the terminal sends its own: signals this
// close together are one request to stop, not a second "stop now".
const DUPLICATE_SIGNAL_MS = 300;

let config: Config;
try {
  config = loadConfig();
} catch (error) {
  console.error((error as Error).message);
  process.exit(1);
}

const refusal = workersRefusal(config);
if (refusal) {
  console.error(refusal);
  process.exit(1);
}

let db: Database | undefined;
let server: RunningServer | undefined;
let stopping: { at: number } | undefined;

async function shutdown(signal: NodeJS.Signals): Promise<void> {
  if (stopping) {
    if (Date.now() - stopping.at < DUPLICATE_SIGNAL_MS) return;
    console.error(`${signal} again: exiting now, without waiting for requests or the database`);
    process.exit(1);
  }
  stopping = { at: Date.now() };
  try {
    if (server) {
      console.error(`${signal} received: finishing in-flight requests, then closing the database (${signal} again to exit now)`);
      await server.close();
    } else {
      // Still starting: main() sees `stopping` and closes what it opened.
      console.error(`${signal} received while starting: stopping once the database is open (${signal} again to exit now)`);
      return;
    }
  } catch (error) {
    console.error('model registry: shutdown failed:', error);
    process.exit(1);
  }
  console.error('model registry stopped');
  process.exit(0);
}

function serve(): void {
  process.on('SIGINT', (signal) => void shutdown(signal));
  process.on('SIGTERM', (signal) => void shutdown(signal));
  // A worker asked by the primary (which got the signal; a terminal's Ctrl-C may reach us too).
  onStopRequest(() => {
    if (!stopping) void shutdown('SIGTERM');
  });
  main().catch(async (error) => {
    console.error(`model registry failed to start: ${describeError(error, config.databaseUrl)}`);
    if (db && !server) await db.close().catch(() => {});
    process.exit(1);
  });
}

async function main(): Promise<void> {
  const target = describeDatabaseTarget(config.databaseUrl);
  console.error(`opening ${target}`);
  db = await openDatabase(config.databaseUrl, { ...config, log: (line) => console.error(line) });
  if (stopping) {
    await db.close();
    console.error('model registry stopped');
    process.exit(0);
  }
  server = await startServer({ config, db, log: consoleLog, plugins: workerPlugins() });
  announceListening(server.url, `model registry listening on ${server.url}; database: ${target}`);
  if (stopping) {
    // A signal arrived during listen(); shutdown() returned without a server to close.
    await server.close();
    process.exit(0);
  }
}

if (runsWorkers(config)) void runPrimary(config);
else serve();

// `npm run import -- --in registry.jsonl`: loads an export into the empty registry at DATABASE_URL
// (migrating it first). All or nothing: a truncated file, a non-empty target or a failed integrity
// check leaves the target as it was.
import { createReadStream } from 'node:fs';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { describeDatabaseTarget, parseDatabaseUrl } from '../src/config.ts';
import { openDatabase } from '../src/db/client.ts';
import type { Database } from '../src/db/database.ts';
import { describeError } from '../src/db/describe-error.ts';
import { ImportError, importRegistry } from '../src/registry/history/transfer.ts';
import { fileArgument, progressLine } from './transfer-cli.ts';

const input = fileArgument('in', 'npm run import -- --in <file.jsonl>');
const target = parseDatabaseUrl(process.env.DATABASE_URL);
console.error(`importing ${input} into ${describeDatabaseTarget(target)}`);
const started = Date.now();
const progress = progressLine('imported');
let db: Database | undefined;
try {
  const stream = createReadStream(input);
  // A missing --in file fails here, before the target is opened and migrated.
  await once(stream, 'open');
  db = await openDatabase(target, { log: (line) => console.error(line), queryTimeoutMs: 3_600_000 });
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  const { counts, integrity } = await importRegistry(db.prisma, lines, { onProgress: (c) => progress.update(c) });
  progress.done(counts);
  for (const line of integrity.checked) console.error(`checked ${line}`);
  console.error(`imported in ${((Date.now() - started) / 1000).toFixed(1)} s; integrity check passed`);
} catch (error) {
  const message = error instanceof ImportError ? error.message : describeError(error, target);
  console.error(`${progress.started() ? '\n' : ''}import failed: ${message}`);
  process.exitCode = 1;
} finally {
  await db?.close();
}

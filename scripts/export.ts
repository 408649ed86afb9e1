// `npm run export -- --out registry.jsonl`: writes the registry at DATABASE_URL, history included,
// in the format described in src/registry/history/transfer.ts (a consistent snapshot; on PGlite stop the
// server first: a PGlite folder can be open in one process only).
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { describeDatabaseTarget, parseDatabaseUrl } from '../src/config.ts';
import { openDatabase } from '../src/db/client.ts';
import type { Database } from '../src/db/database.ts';
import { describeError } from '../src/db/describe-error.ts';
import { exportRegistryConsistently } from '../src/registry/history/transfer.ts';
import { fileArgument, progressLine } from './transfer-cli.ts';

const out = fileArgument('out', 'npm run export -- --out <file.jsonl>');
const target = parseDatabaseUrl(process.env.DATABASE_URL);
console.error(`exporting ${describeDatabaseTarget(target)} to ${out}`);
const started = Date.now();
const progress = progressLine('exported');
let db: Database | undefined;
let file: ReturnType<typeof createWriteStream> | undefined;
try {
  // Opened first, so a bad --out path fails before the database is touched.
  file = createWriteStream(out);
  await once(file, 'open');
  db = await openDatabase(target, { log: (line) => console.error(line), queryTimeoutMs: 3_600_000 });
  const sink = file;
  const counts = await exportRegistryConsistently(
    db.prisma,
    async (line) => {
      if (!sink.write(line)) await once(sink, 'drain');
    },
    { onProgress: (c) => progress.update(c) },
  );
  file.end();
  await once(file, 'finish');
  progress.done(counts);
  console.error(`wrote ${out} (${file.bytesWritten} bytes) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
} catch (error) {
  file?.destroy();
  console.error(`${progress.started() ? '\n' : ''}export failed: ${describeError(error, target)}`);
  process.exitCode = 1;
} finally {
  await db?.close();
}

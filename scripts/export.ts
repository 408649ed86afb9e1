// `npm run export -- --out registry.jsonl`: writes the registry at DATABASE_URL, history included,
// in the format described in src/registry/transfer.ts (a consistent snapshot; on PGlite stop the
// server first: a PGlite folder can be open in one process only).
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { describeDatabaseTarget, parseDatabaseUrl } from '../src/config.ts';
import { openDatabase } from '../src/db/client.ts';
import { exportRegistryConsistently } from '../src/registry/transfer.ts';
import { fileArgument, progressLine } from './transfer-cli.ts';

const out = fileArgument('out', 'npm run export -- --out <file.jsonl>');
const target = parseDatabaseUrl(process.env.DATABASE_URL);
console.error(`exporting ${describeDatabaseTarget(target)} to ${out}`);
const started = Date.now();
const db = await openDatabase(target, { log: (line) => console.error(line), queryTimeoutMs: 3_600_000 });
const file = createWriteStream(out);
const progress = progressLine('exported');
try {
  const counts = await exportRegistryConsistently(
    db.prisma,
    async (line) => {
      if (!file.write(line)) await once(file, 'drain');
    },
    { onProgress: (c) => progress.update(c) },
  );
  file.end();
  await once(file, 'finish');
  progress.done(counts);
  console.error(`wrote ${out} (${file.bytesWritten} bytes) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
} catch (error) {
  file.destroy();
  console.error(`\nexport failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
} finally {
  await db.close();
}

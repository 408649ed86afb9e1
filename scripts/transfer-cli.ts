// Shared by scripts/export.ts and scripts/import.ts: argument parsing and progress on stderr.
import { parseArgs } from 'node:util';
import type { RecordCounts } from '../src/registry/history/transfer.ts';

export function fileArgument(name: 'in' | 'out', usage: string): string {
  const { values } = parseArgs({ options: { [name]: { type: 'string' } }, allowPositionals: false });
  const file = values[name];
  if (typeof file !== 'string' || file === '') {
    console.error(`usage: ${usage}`);
    process.exit(2);
  }
  return file;
}

/** Rewrites one stderr line at most every 200 ms (and always at the end). */
export function progressLine(verb: string): {
  update(counts: RecordCounts): void;
  done(counts: RecordCounts): void;
  started(): boolean;
} {
  let last = 0;
  let written = false;
  // \r rewrites the line on a terminal; in a log file it would glue the updates together.
  const tty = process.stderr.isTTY === true;
  const text = (c: RecordCounts) =>
    `${verb} ${c.model} models, ${c.modelTag} model tags, ${c.version} versions, ${c.versionTag} version tags, ${c.alias} aliases, ${c.event} events`;
  return {
    update(counts) {
      if (Date.now() - last < 200) return;
      last = Date.now();
      if (!tty) return;
      written = true;
      process.stderr.write(`\r${text(counts)}`);
    },
    done(counts) {
      process.stderr.write(`${tty ? '\r' : ''}${text(counts)}\n`);
      written = false;
    },
    started: () => written,
  };
}

// `npm run seed -- --models N --versions M --version-tags K --model-tags J [--history-depth H]`:
// fills the database of DATABASE_URL (migrated first) with a deterministic data set; see
// scripts/lib/seed-data.ts. Progress on stderr, a summary line on stdout.
import { parseArgs } from 'node:util';
import { describeDatabaseTarget, loadConfig, parseDatabaseUrl } from '../src/config.ts';
import { openDatabase } from '../src/db/client.ts';
import { describeError } from '../src/db/describe-error.ts';
import { DEFAULT_SEED_OPTIONS, type SeedOptions } from './lib/seed-data.ts';
import { seedRegistry } from './lib/seed.ts';

const USAGE = `usage: npm run seed -- [--models N] [--versions M] [--version-tags K] [--model-tags J]
                        [--history-depth H] [--prefix NAME] [--start ISO-INSTANT]
defaults: ${DEFAULT_SEED_OPTIONS.models} models x ${DEFAULT_SEED_OPTIONS.versions} versions, ${DEFAULT_SEED_OPTIONS.versionTags} tags per version, ${DEFAULT_SEED_OPTIONS.modelTags} per model,
aliases champion (newest version) and challenger (the one before); --history-depth H moves champion
H more times first. Writes to DATABASE_URL (default: PGlite in data/pglite).`;

function parseOptions(argv: string[]): SeedOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      models: { type: 'string' },
      versions: { type: 'string' },
      'version-tags': { type: 'string' },
      'model-tags': { type: 'string' },
      'history-depth': { type: 'string' },
      prefix: { type: 'string' },
      start: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const count = (name: string, raw: string | undefined, fallback: number, max: number) => {
    if (raw === undefined) return fallback;
    if (!/^\d+$/.test(raw) || Number(raw) > max) throw new Error(`--${name} must be an integer from 0 to ${max} (got "${raw}")`);
    return Number(raw);
  };
  const start = values.start === undefined ? DEFAULT_SEED_OPTIONS.start : new Date(values.start);
  if (Number.isNaN(start.getTime())) throw new Error(`--start must be an ISO instant (got "${values.start}")`);
  return {
    ...DEFAULT_SEED_OPTIONS,
    models: count('models', values.models, DEFAULT_SEED_OPTIONS.models, 10_000_000),
    versions: count('versions', values.versions, DEFAULT_SEED_OPTIONS.versions, 100_000),
    versionTags: count('version-tags', values['version-tags'], DEFAULT_SEED_OPTIONS.versionTags, 1000),
    modelTags: count('model-tags', values['model-tags'], DEFAULT_SEED_OPTIONS.modelTags, 1000),
    historyDepth: count('history-depth', values['history-depth'], DEFAULT_SEED_OPTIONS.historyDepth, 1_000_000),
    prefix: values.prefix ?? DEFAULT_SEED_OPTIONS.prefix,
    start,
  };
}

async function main(): Promise<void> {
  let options: SeedOptions;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    process.exit(2);
  }
  const config = loadConfig();
  console.error(`seeding ${describeDatabaseTarget(config.databaseUrl)}`);
  const db = await openDatabase(config.databaseUrl, { ...config, log: (line) => console.error(line) });
  const started = performance.now();
  const seconds = () => ((performance.now() - started) / 1000).toFixed(1);
  const tty = process.stderr.isTTY;
  try {
    const result = await seedRegistry(db.prisma, options, (p) => {
      const line = `seed: ${p.modelsDone}/${p.models} models, ${p.versions} versions, ${p.events} events, ${seconds()} s`;
      process.stderr.write(tty ? `\r${line}` : `${line}\n`);
    });
    if (tty) process.stderr.write('\n');
    console.log(`seeded ${result.models} models, ${result.versions} versions, ${result.events} audit events in ${seconds()} s`);
  } finally {
    await db.close();
  }
}

main().catch((error) => {
  console.error(`seed failed: ${describeError(error, parseDatabaseUrl(process.env.DATABASE_URL))}`);
  process.exit(1);
});

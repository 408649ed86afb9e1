// Our server under test: src/app.ts startServer on the database named by argv[2]
// (postgres://... or pglite:memory), counting SQL statements. A PGlite database lives in this
// process, so it is seeded here (argv[3] = number of models, default data set otherwise).
import { countPgStatements, countStatement, serve } from './child.ts';
import { parseDatabaseUrl } from '../src/config.ts';
import { openDatabase } from '../src/db/client.ts';
import { startServer } from '../src/app.ts';
import { DEFAULT_SEED_OPTIONS } from '../scripts/lib/seed-data.ts';
import { seedRegistry } from '../scripts/lib/seed.ts';

const target = parseDatabaseUrl(process.argv[2]);
const quiet = { info: () => {}, error: (message: string, detail?: unknown) => console.error(message, detail ?? '') };

await serve(async () => {
  if (target.kind === 'postgres') countPgStatements();
  const db = await openDatabase(target, {
    log: false,
    ...(target.kind === 'pglite' ? { onQuery: () => countStatement() } : {}),
  });
  if (target.kind === 'pglite') {
    await seedRegistry(db.prisma, { ...DEFAULT_SEED_OPTIONS, models: Number(process.argv[3] ?? DEFAULT_SEED_OPTIONS.models) });
  }
  return startServer({ config: { host: '127.0.0.1', port: 0 }, db, log: quiet });
});

// `npm run check`: verifies the registry at DATABASE_URL (same forms as the server; unset means the
// default PGlite folder, which must not be open in a running server at the same time).
// Prints each invariant checked and every violation; exits 1 on any violation, 2 if it cannot run.
import { describeDatabaseTarget, parseDatabaseUrl } from '../src/config.ts';
import { openDatabase } from '../src/db/client.ts';
import { describeError } from '../src/db/describe-error.ts';
import { checkIntegrity } from '../src/registry/history/integrity.ts';

async function main(): Promise<number> {
  const target = parseDatabaseUrl(process.env.DATABASE_URL);
  console.error(`checking ${describeDatabaseTarget(target)}`);
  const db = await openDatabase(target, { log: (line) => console.error(line), queryTimeoutMs: 3_600_000 });
  try {
    const started = Date.now();
    const report = await checkIntegrity(db.prisma, {
      onProgress: (events) => process.stderr.write(`\rreplayed ${events} events`),
    });
    process.stderr.write('\n');
    for (const line of report.checked) console.log(`checked ${line}`);
    for (const v of report.violations) console.log(`VIOLATION [${v.invariant}] ${v.message}`);
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    console.log(
      report.violations.length === 0
        ? `OK: no violations (${seconds} s)`
        : `FAILED: ${report.violations.length} violation(s) (${seconds} s)`,
    );
    return report.violations.length === 0 ? 0 : 1;
  } finally {
    await db.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(`check could not run: ${describeError(error, parseDatabaseUrl(process.env.DATABASE_URL))}`);
    process.exit(2);
  },
);

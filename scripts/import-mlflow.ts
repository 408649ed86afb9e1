// `npm run import:mlflow -- --from http://mlflow:5000` or `-- --from-db sqlite:///mlflow.db`: brings an
// MLflow Model Registry into the registry at DATABASE_URL (migrating it first), as actor
// `import:mlflow`. The source is read whole first, then applied in one transaction
// (registry.importSnapshot): a bad or partial source, or a contradiction with what is here, imports
// nothing. A rerun brings over only what changed at the source. Progress goes to stderr, the summary
// to stdout. Exit codes: 0 imported (or nothing to do), 1 refused or failed, 2 usage.
import { parseArgs } from 'node:util';
import { createOperatorRegistry } from '../src/app.ts';
import { Access } from '../src/auth/access.ts';
import { describeDatabaseTarget, parseDatabaseUrl } from '../src/config.ts';
import { openDatabase } from '../src/db/client.ts';
import type { Database } from '../src/db/database.ts';
import { describeError } from '../src/db/describe-error.ts';
import { readMlflowDatabase } from '../src/mlflow/import/database-source.ts';
import { MlflowSourceError } from '../src/mlflow/import/mlflow-rows.ts';
import { readMlflowRest } from '../src/mlflow/import/rest-source.ts';
import { ImportRefusedError, type ImportSummary } from '../src/registry/imports/import-snapshot.ts';
import type { RegistrySnapshot } from '../src/registry/imports/snapshot.ts';

const IMPORT_ACTOR = 'import:mlflow';

const USAGE = `usage: npm run import:mlflow -- (--from <MLflow URL> | --from-db <MLflow database URL>) [--include-prompts] [--dry-run]

  --from URL        an MLflow tracking server (any, hosted too); its token from --token or
                    MLFLOW_TRACKING_TOKEN, or MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD
  --from-db URL     MLflow's own database: sqlite:///mlflow.db (or a file path) or postgresql://...;
                    gives exact version numbering (deleted versions count), which REST cannot see
  --include-prompts also bring MLflow's prompts (models tagged mlflow.prompt.is_prompt)
  --dry-run         read and apply, report, then roll back

The target is DATABASE_URL (default: the embedded database; stop the server using it first).`;

function usage(problem: string): never {
  console.error(`${problem}\n\n${USAGE}`);
  process.exit(2);
}

const { values } = (() => {
  try {
    return parseArgs({
      options: {
        from: { type: 'string' },
        'from-db': { type: 'string' },
        token: { type: 'string' },
        'include-prompts': { type: 'boolean', default: false },
        'dry-run': { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
      allowPositionals: false,
    });
  } catch (error) {
    return usage((error as Error).message);
  }
})();
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
if ((values.from === undefined) === (values['from-db'] === undefined)) usage('give exactly one of --from and --from-db');

const progress = (line: string) => console.error(line);
const includePrompts = values['include-prompts'];

function readSource(): Promise<RegistrySnapshot> {
  if (values['from-db'] !== undefined) return readMlflowDatabase(values['from-db'], { includePrompts, onProgress: progress });
  const env = process.env;
  return readMlflowRest({
    url: values.from as string,
    token: values.token ?? env.MLFLOW_TRACKING_TOKEN,
    username: env.MLFLOW_TRACKING_USERNAME,
    password: env.MLFLOW_TRACKING_PASSWORD,
    includePrompts,
    onProgress: progress,
  });
}

function printSummary(summary: ImportSummary, dryRun: boolean): void {
  const part = (label: string, c: ImportSummary['models']) =>
    `${c.imported + c.updated + c.unchanged} ${label} (${c.imported} new, ${c.updated} updated, ${c.unchanged} unchanged)`;
  const verb = dryRun ? 'would import (dry run, nothing written)' : 'imported';
  console.log(`${verb} from ${summary.origin}: ${part('models', summary.models)}, ${part('versions', summary.versions)}`);
  console.log(`${summary.events} history event(s) by ${IMPORT_ACTOR}${summary.events === 0 ? ': nothing to do' : ''}`);
  for (const warning of summary.warnings) console.log(`warning: ${warning}`);
  if (!dryRun) console.log(`integrity check passed (${summary.integrity.checked.length} invariants)`);
}

const target = parseDatabaseUrl(process.env.DATABASE_URL);
let db: Database | undefined;
try {
  const started = Date.now();
  const snapshot = await readSource();
  const versions = snapshot.models.reduce((n, m) => n + m.versions.length, 0);
  console.error(`read ${snapshot.models.length} models and ${versions} versions from ${snapshot.origin}`);
  console.error(`importing into ${describeDatabaseTarget(target)}`);
  db = await openDatabase(target, { log: progress, queryTimeoutMs: 3_600_000 });
  let shown = 0;
  const summary = await createOperatorRegistry(db).importSnapshot(Access.operator(IMPORT_ACTOR), snapshot, {
    dryRun: values['dry-run'],
    onProgress(done, total) {
      // A line per tenth (and the last): readable in a log file as on a terminal.
      if (done === total || done - shown >= Math.max(1, Math.ceil(total / 10))) {
        shown = done;
        console.error(`applied ${done}/${total} models`);
      }
    },
  });
  printSummary(summary, values['dry-run']);
  console.error(`done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
} catch (error) {
  const known = error instanceof MlflowSourceError || error instanceof ImportRefusedError;
  console.error(`import failed: ${known ? error.message : describeError(error, target)}`);
  process.exitCode = 1;
} finally {
  await db?.close();
}

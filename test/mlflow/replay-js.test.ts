// Replays the recorded traffic of the TypeScript `mlflow-js` client's test suite against a real
// MLflow 3.6 server (test/fixtures/mlflow/mlflow-js-client.jsonl.gz, copied as is from
// /work/shared/mlflow) through our MLflow front door, with the machinery of
// test/support/mlflow-replay.ts (field by field, timestamps as integers, tag lists as sets). The
// suite also drives tracking (`runs/*`), which stays on MLflow: those 18 lines are skipped and
// listed. Nothing needs normalizing: each run starts on an empty database, so the timestamped model
// names are as unique as they were, and `$WORK/…` sources are stored and answered as sent. The
// suite registers identical versions twice in a row (same body) and expects versions 1 then 2,
// which the replay checks on every such pair.
//
// The recorded server was not empty: line 104 (model-versions/search with no filter) also lists two
// versions of a `CopyMVTest` model made on that server before the recording began (no line here
// creates them). They are made first, through the front door, as `before` below, so that line
// compares as recorded rather than as a difference of the environment.
//
// Differences we keep (each asserted, so the table cannot go stale):
//
// | line | recorded (MLflow) | ours | why |
// |---|---|---|---|
// | 90 | 400 INVALID_PARAMETER_VALUE: a local-path source without `run_id` ("To use a local path as a model version source, the run_id request parameter has to be specified…") | not replayed; we answer 200 and store the source as sent | MLflow checks a local path against the run's artifact directory in its tracking store, which a registry-only server does not have (notes §1.6: the facade must not validate local-path sources); replaying it would add a version 3 that shifts every later answer. test/mlflow/front-door.test.ts covers it |
// | 139 | rename onto a taken name: "Registered Model (name=…) already exists. Error: (raised as a result of Query-invoked autoflush…) (sqlite3.IntegrityError) UNIQUE constraint failed…" | the same code and status, with the message ending after "already exists." | deliberate: MLflow's SQLAlchemy store leaks its database error into the text; the part clients match on is the same (create's duplicate answers the short text in MLflow too, line 128) |
import { fileURLToPath } from 'node:url';
import { describeReplay, readRecorded } from '../support/mlflow-replay.ts';

const API = '/api/2.0/mlflow';
const copied = { name: 'CopyMVTest', description: 'dummy', run_id: 'run_id_1', tags: [{ key: 'hello', value: 'world' }] };

describeReplay({
  client: 'mlflow-js',
  lines: readRecorded(fileURLToPath(new URL('../fixtures/mlflow/mlflow-js-client.jsonl.gz', import.meta.url))),
  before: [
    { method: 'POST', path: `${API}/registered-models/create`, body: { name: 'CopyMVTest' } },
    { method: 'POST', path: `${API}/model-versions/create`, body: { ...copied, source: 'runs:/run_id/model' } },
    { method: 'POST', path: `${API}/model-versions/create`, body: { ...copied, source: 'models:/CopyMVTest/1' } },
  ],
  notReplayed: {
    90: 'deliberate: local-path sources are stored as sent, not checked against a run in a tracking store',
  },
  expected: {
    139: { paths: ['message'], why: "deliberate: MLflow's text carries its SQLAlchemy error; ours stops at 'already exists.'" },
  },
});

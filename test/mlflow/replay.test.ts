// Replays the MLflow 3.6 Python client's recorded traffic against a real MLflow 3.6 server
// (test/fixtures/mlflow/python-client-ops.jsonl, copied from /work/shared/mlflow) through our MLflow
// front door, with the machinery of test/support/mlflow-replay.ts (field by field, timestamps as
// integers, tag lists as sets; lines of routes not ours are skipped and listed).
//
// Differences we keep (each asserted, so the table cannot go stale):
//
// | line(s) | recorded (MLflow) | ours | why |
// |---|---|---|---|
// | 13 | 500 INTERNAL_ERROR: `models:/m-…` source whose LoggedModel the tracking store lacks | not replayed; we answer 200 and store the source as sent | a registry-only server has no tracking store to look the LoggedModel up in, and must store `models:/m-…` unchanged (notes §1.6); replaying it would add a version 3 that shifts every later answer. test/mlflow/front-door.test.ts covers it |
// | 54, 55 | `next_page_token: "eyJvZmZzZXQiOiAxfQ=="`, base64 of Python's `{"offset": 1}` | `"eyJvZmZzZXQiOjF9"`, URL-safe base64 of `{"offset":1}` | deliberate (src/mlflow/search-filter.ts encodePageToken): nothing to escape in a query string; the token is opaque to clients, and both spellings are read, so line 56 (MLflow's token sent back) pages on as recorded |
import { fileURLToPath } from 'node:url';
import { describeReplay, readRecorded } from '../support/mlflow-replay.ts';

const expected: Record<number, { paths: string[]; why: string }> = {};
for (const line of [54, 55]) {
  expected[line] = { paths: ['next_page_token'], why: 'deliberate: our page token is URL-safe base64 of the same offset' };
}

describeReplay({
  client: 'Python client',
  lines: readRecorded(fileURLToPath(new URL('../fixtures/mlflow/python-client-ops.jsonl', import.meta.url))),
  notReplayed: {
    13: 'deliberate: models:/m-… sources are stored unchanged, not resolved against a tracking store',
  },
  expected,
});

// The demo/benchmark data set, described as the registry writes that would create it: the
// bulk seeder (seed.ts) applies them to rows, test/scripts/seed.test.ts makes them through the domain
// functions and compares the two.
import type { CreateModelInput } from '../../src/registry/commands/models.ts';
import type { CreateVersionInput } from '../../src/registry/commands/versions.ts';

export interface SeedOptions {
  models: number;
  versions: number;
  versionTags: number;
  modelTags: number;
  /** Extra moves of the champion alias per model before it lands on the newest version. */
  historyDepth: number;
  /** Model names are `<prefix>-0000`, `<prefix>-0001`, ... (sorted by name = by index). */
  prefix: string;
  actor: string;
  /** The instant of the first write; each later write is 1 ms after the one before. */
  start: Date;
}

export const DEFAULT_SEED_OPTIONS: SeedOptions = {
  models: 1000,
  versions: 20,
  versionTags: 3,
  modelTags: 2,
  historyDepth: 0,
  prefix: 'model',
  actor: 'seed',
  start: new Date('2026-01-01T00:00:00.000Z'),
};

export type SeedOperation =
  | { kind: 'createModel'; input: CreateModelInput }
  | { kind: 'createVersion'; input: CreateVersionInput }
  | { kind: 'setAlias'; input: { name: string; alias: string; version: number } };

const TEAMS = ['risk', 'growth', 'search', 'ads', 'vision', 'speech', 'platform'];
const TASKS = ['classification', 'regression', 'ranking'];
const FRAMEWORKS = ['pytorch', 'sklearn', 'xgboost', 'lightgbm'];

export function modelName(options: Pick<SeedOptions, 'prefix' | 'models'>, index: number): string {
  const width = Math.max(4, String(Math.max(options.models - 1, 0)).length);
  return `${options.prefix}-${String(index).padStart(width, '0')}`;
}

function modelTag(index: number, j: number): { key: string; value: string } {
  if (j === 0) return { key: 'team', value: TEAMS[index % TEAMS.length] };
  if (j === 1) return { key: 'task', value: TASKS[index % TASKS.length] };
  return { key: `label-${j}`, value: `value-${index}-${j}` };
}

function versionTag(index: number, version: number, k: number): { key: string; value: string } {
  if (k === 0) return { key: 'framework', value: FRAMEWORKS[(index + version) % FRAMEWORKS.length] };
  if (k === 1)
    return {
      key: 'dataset',
      value: `s3://datasets/${TASKS[index % TASKS.length]}/2026-01-${String((version % 28) + 1).padStart(2, '0')}/train.parquet`,
    };
  if (k === 2) return { key: 'validation', value: (index + version) % 5 === 0 ? 'failed' : 'passed' };
  return { key: `metric-${k}`, value: String(((index * 31 + version * 7 + k) % 1000) / 1000) };
}

/** The registry writes that create model `index`, in order. */
export function modelOperations(options: SeedOptions, index: number): SeedOperation[] {
  const name = modelName(options, index);
  const tags = Array.from({ length: options.modelTags }, (_, j) => modelTag(index, j));
  const ops: SeedOperation[] = [
    {
      kind: 'createModel',
      input: { name, description: `${TASKS[index % TASKS.length]} model ${index}, owned by team ${TEAMS[index % TEAMS.length]}`, tags },
    },
  ];
  for (let v = 1; v <= options.versions; v++) {
    ops.push({
      kind: 'createVersion',
      input: {
        name,
        source: `s3://registry-artifacts/${name}/versions/${v}/model`,
        runId: `run-${index.toString(16)}-${v.toString(16)}`,
        tags: Array.from({ length: options.versionTags }, (_, k) => versionTag(index, v, k)),
      },
    });
  }
  if (options.versions > 0) {
    for (let h = 0; h < options.historyDepth; h++) {
      ops.push({ kind: 'setAlias', input: { name, alias: 'champion', version: 1 + (h % options.versions) } });
    }
    ops.push({ kind: 'setAlias', input: { name, alias: 'champion', version: options.versions } });
    if (options.versions > 1) ops.push({ kind: 'setAlias', input: { name, alias: 'challenger', version: options.versions - 1 } });
  }
  return ops;
}

// A registry built through the GraphQL API that exercises every kind of recorded change: creates with
// tags, description and status updates, renames, tag overwrites and deletes, alias moves and deletes,
// version deletes that take aliases with them, model deletes, and a deleted name used again.
import { expect } from 'vitest';
import type { GraphQLClient } from './graphql.ts';

/** Runs one mutation (input type `<Field>Input`) and fails unless it returns its payload type. */
export async function mutate(client: GraphQLClient, field: string, input: Record<string, unknown>): Promise<string> {
  const inputType = `${field[0].toUpperCase()}${field.slice(1)}Input`;
  const data = await client.data(`mutation($input: ${inputType}!) { ${field}(input: $input) { __typename ... on Error { message } } }`, {
    input,
  });
  const result = data[field] as { __typename: string; message?: string };
  expect(result.message, `${field} ${JSON.stringify(input)}`).toBeUndefined();
  return result.__typename;
}

/** Builds the registry under names starting with `prefix`; returns the names of the models that remain. */
export async function buildVariedRegistry(client: GraphQLClient, prefix: string): Promise<string[]> {
  const a = `${prefix}-a`;
  const b = `${prefix}-b`;
  const renamed = `${prefix}-b-renamed`;
  const gone = `${prefix}-gone`;
  await mutate(client, 'createRegisteredModel', {
    name: a,
    description: 'first',
    tags: [
      { key: 'team', value: 'risk' },
      { key: 'tier', value: '1' },
    ],
  });
  await mutate(client, 'createRegisteredModel', { name: b });
  await mutate(client, 'createRegisteredModel', { name: gone, description: 'short-lived' });
  for (let i = 1; i <= 4; i++) {
    await mutate(client, 'createModelVersion', {
      name: a,
      source: `s3://${a}/${i}`,
      runId: `run-${i}`,
      description: i === 2 ? 'second' : null,
      tags: i % 2 ? [{ key: 'validated', value: 'no' }] : [],
    });
  }
  await mutate(client, 'createModelVersion', { name: b, source: `s3://${b}/1` });
  await mutate(client, 'createModelVersion', { name: gone, source: `s3://${gone}/1` });
  await mutate(client, 'updateRegisteredModel', { name: a, description: 'first, revised' });
  await mutate(client, 'updateRegisteredModel', { name: b, description: null });
  await mutate(client, 'updateModelVersion', { name: a, version: 1, status: 'FAILED_REGISTRATION', statusMessage: 'bad weights' });
  await mutate(client, 'updateModelVersion', { name: a, version: 2, description: 'second, revised' });
  await mutate(client, 'setRegisteredModelTag', { name: a, key: 'tier', value: '2' });
  await mutate(client, 'deleteRegisteredModelTag', { name: a, key: 'team' });
  await mutate(client, 'setModelVersionTag', { name: a, version: 3, key: 'validated', value: 'yes' });
  await mutate(client, 'deleteModelVersionTag', { name: a, version: 1, key: 'validated' });
  await mutate(client, 'setModelAlias', { name: a, alias: 'production', version: 1, expectedVersion: 0 });
  await mutate(client, 'setModelAlias', { name: a, alias: 'production', version: 3, expectedVersion: 1 });
  await mutate(client, 'setModelAlias', { name: a, alias: 'staging', version: 4 });
  await mutate(client, 'setModelAlias', { name: a, alias: 'canary', version: 4 });
  await mutate(client, 'setModelAlias', { name: a, alias: 'old', version: 2 });
  await mutate(client, 'deleteModelAlias', { name: a, alias: 'canary' });
  await mutate(client, 'setModelAlias', { name: a, alias: 'canary', version: 3 });
  // Version 2 takes alias "old" with it; number 2 is never handed out again.
  await mutate(client, 'deleteModelVersion', { name: a, version: 2 });
  await mutate(client, 'setModelAlias', { name: b, alias: 'production', version: 1 });
  await mutate(client, 'renameRegisteredModel', { name: b, newName: renamed });
  await mutate(client, 'createModelVersion', { name: renamed, source: `s3://${renamed}/2`, tags: [{ key: 'k', value: 'v' }] });
  await mutate(client, 'deleteRegisteredModel', { name: gone });
  // The freed name starts again at version 1 under a new id.
  await mutate(client, 'createRegisteredModel', { name: gone, tags: [{ key: 'again', value: 'yes' }] });
  await mutate(client, 'createModelVersion', { name: gone, source: `s3://${gone}/again` });
  return [a, renamed, gone];
}

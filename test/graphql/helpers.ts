// Shared helpers for the API tests: a GraphQL client per database, snapshots of models and of the
// history head (to prove a failed mutation changed nothing), and the field selections used
// throughout.
import { afterEach, beforeAll, expect } from 'vitest';
import type { DatabaseContext } from '../support/databases.ts';
import { type GraphQLClient, type GraphQLResponse, graphqlClient } from '../support/graphql.ts';

export const MODEL_FIELDS = /* GraphQL */ `
  id name description createdAt updatedAt
  tags { key value }
  aliases { alias updatedAt model { name } version { version } }
  latestVersion { version }
`;

export const VERSION_FIELDS = /* GraphQL */ `
  id version source runId runLink description status statusMessage createdAt updatedAt
  tags { key value } aliases model { name }
`;

export const EVENT_FIELDS = /* GraphQL */ `
  id sequence at actor action modelName model { name } version previousVersion alias key previousValue newValue
`;

/** The typed errors each mutation's result union lists (as in the contract). */
const ERRORS: Record<string, string[]> = {
  createRegisteredModel: ['ValidationError', 'AlreadyExistsError'],
  updateRegisteredModel: ['ValidationError', 'NotFoundError'],
  renameRegisteredModel: ['ValidationError', 'NotFoundError', 'AlreadyExistsError'],
  deleteRegisteredModel: ['NotFoundError'],
  createModelVersion: ['ValidationError', 'NotFoundError'],
  updateModelVersion: ['ValidationError', 'NotFoundError'],
  transitionModelVersionStage: ['ValidationError', 'NotFoundError'],
  deleteModelVersion: ['NotFoundError'],
  setRegisteredModelTag: ['ValidationError', 'NotFoundError'],
  deleteRegisteredModelTag: ['NotFoundError'],
  setModelVersionTag: ['ValidationError', 'NotFoundError'],
  deleteModelVersionTag: ['NotFoundError'],
  setModelAlias: ['ValidationError', 'NotFoundError', 'ConflictError'],
  deleteModelAlias: ['NotFoundError', 'ConflictError'],
};

/** The typed-error part of a mutation's selection. */
function errorFields(mutation: string): string {
  return ERRORS[mutation]
    .map((type) => {
      const extra = type === 'ValidationError' ? ' field' : type === 'ConflictError' ? ' currentVersion' : '';
      return `... on ${type} { code message${extra} }`;
    })
    .join(' ');
}

const INPUT_TYPES: Record<string, string> = {
  createRegisteredModel: 'CreateRegisteredModelInput',
  updateRegisteredModel: 'UpdateRegisteredModelInput',
  renameRegisteredModel: 'RenameRegisteredModelInput',
  deleteRegisteredModel: 'DeleteRegisteredModelInput',
  createModelVersion: 'CreateModelVersionInput',
  updateModelVersion: 'UpdateModelVersionInput',
  transitionModelVersionStage: 'TransitionModelVersionStageInput',
  deleteModelVersion: 'DeleteModelVersionInput',
  setRegisteredModelTag: 'SetRegisteredModelTagInput',
  deleteRegisteredModelTag: 'DeleteRegisteredModelTagInput',
  setModelVersionTag: 'SetModelVersionTagInput',
  deleteModelVersionTag: 'DeleteModelVersionTagInput',
  setModelAlias: 'SetModelAliasInput',
  deleteModelAlias: 'DeleteModelAliasInput',
};

/** The default payload selection of each mutation (every payload field). */
export const PAYLOADS: Record<string, string> = {
  createRegisteredModel: `... on RegisteredModelPayload { registeredModel { ${MODEL_FIELDS} } }`,
  updateRegisteredModel: `... on RegisteredModelPayload { registeredModel { ${MODEL_FIELDS} } }`,
  renameRegisteredModel: `... on RegisteredModelPayload { registeredModel { ${MODEL_FIELDS} } }`,
  deleteRegisteredModel: `... on DeleteRegisteredModelPayload { name deletedVersions }`,
  createModelVersion: `... on ModelVersionPayload { modelVersion { ${VERSION_FIELDS} } }`,
  updateModelVersion: `... on ModelVersionPayload { modelVersion { ${VERSION_FIELDS} } }`,
  transitionModelVersionStage: `... on ModelVersionPayload { modelVersion { ${VERSION_FIELDS} stage storageLocation } }`,
  deleteModelVersion: `... on DeleteModelVersionPayload { name version removedAliases }`,
  setRegisteredModelTag: `... on RegisteredModelTagPayload { registeredModel { ${MODEL_FIELDS} } tag { key value } }`,
  deleteRegisteredModelTag: `... on RegisteredModelTagPayload { registeredModel { ${MODEL_FIELDS} } tag { key value } }`,
  setModelVersionTag: `... on ModelVersionTagPayload { modelVersion { ${VERSION_FIELDS} } tag { key value } }`,
  deleteModelVersionTag: `... on ModelVersionTagPayload { modelVersion { ${VERSION_FIELDS} } tag { key value } }`,
  setModelAlias: `... on SetModelAliasPayload {
    alias { alias updatedAt model { name updatedAt } version { version aliases } }
    previousVersion { version aliases }
    changed
  }`,
  deleteModelAlias: `... on DeleteModelAliasPayload {
    alias registeredModel { ${MODEL_FIELDS} } previousVersion { version aliases }
  }`,
};

/** The full state of one model as a client sees it (null when it does not exist). */
const MODEL_STATE = /* GraphQL */ `
  query State($name: String!) {
    registeredModel(name: $name) {
      ${MODEL_FIELDS}
      versions(first: 100, orderBy: VERSION_ASC) { totalCount nodes { ${VERSION_FIELDS} } }
      history(first: 100) { nodes { sequence } }
    }
  }
`;

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let counter = 0;
/** A model name no other test uses. */
export function uniqueName(prefix: string): string {
  counter += 1;
  return `${prefix}-${String(counter).padStart(3, '0')}-${Math.random().toString(36).slice(2, 8)}`;
}

export interface Api {
  readonly client: GraphQLClient;
  request<T = any>(query: string, variables?: Record<string, unknown>): Promise<GraphQLResponse<T> & { status: number }>;
  data<T = any>(query: string, variables?: Record<string, unknown>): Promise<T>;
  /** Runs one mutation and returns its result object (payload or typed error). */
  mutate(mutation: string, input: Record<string, unknown>, selection?: string): Promise<any>;
  /** Like mutate, but fails unless the result is the payload type. */
  ok(mutation: string, input: Record<string, unknown>, selection?: string): Promise<any>;
  /** The highest event sequence so far (0 when there is none). */
  lastSequence(): Promise<number>;
  modelState(name: string): Promise<any>;
  /** Runs `work`; asserts that the given models and the history are exactly as before. */
  unchanged<T>(names: string[], work: () => Promise<T>): Promise<T>;
  /** A model with `versions` versions (sources s3://<name>/<n>), through the API. */
  createModel(name: string, versions?: number, extra?: Record<string, unknown>): Promise<void>;
  /** Events of the model (by current or recorded name), oldest first. */
  eventsOf(name: string): Promise<any[]>;
}

const PAYLOAD_TYPES: Record<string, string> = {
  createRegisteredModel: 'RegisteredModelPayload',
  updateRegisteredModel: 'RegisteredModelPayload',
  renameRegisteredModel: 'RegisteredModelPayload',
  deleteRegisteredModel: 'DeleteRegisteredModelPayload',
  createModelVersion: 'ModelVersionPayload',
  updateModelVersion: 'ModelVersionPayload',
  transitionModelVersionStage: 'ModelVersionPayload',
  deleteModelVersion: 'DeleteModelVersionPayload',
  setRegisteredModelTag: 'RegisteredModelTagPayload',
  deleteRegisteredModelTag: 'RegisteredModelTagPayload',
  setModelVersionTag: 'ModelVersionTagPayload',
  deleteModelVersionTag: 'ModelVersionTagPayload',
  setModelAlias: 'SetModelAliasPayload',
  deleteModelAlias: 'DeleteModelAliasPayload',
};

/**
 * Call inside a describeEachDatabase callback: the client is created once the database is open,
 * and after every test the server must not have logged any unexpected fault.
 */
export function useApi(ctx: DatabaseContext): Api {
  let client: GraphQLClient;
  beforeAll(() => {
    client = graphqlClient(ctx.db);
  });
  afterEach(() => {
    const faults = client.logged.splice(0);
    expect(
      faults.map((f) => String((f as Error)?.stack ?? f)),
      'unexpected server faults',
    ).toEqual([]);
  });

  const api: Api = {
    get client() {
      return client;
    },
    request: (query, variables) => client.request(query, variables),
    data: (query, variables) => client.data(query, variables),
    async mutate(mutation, input, selection = PAYLOADS[mutation]) {
      const response = await client.request(
        `mutation M($input: ${INPUT_TYPES[mutation]}!) { result: ${mutation}(input: $input) { __typename ${errorFields(mutation)} ${selection} } }`,
        { input },
      );
      if (response.errors?.length) {
        throw new Error(`${mutation}: GraphQL errors ${JSON.stringify(response.errors)} (logged: ${client.logged.map(String).join('; ')})`);
      }
      return response.data.result;
    },
    async ok(mutation, input, selection) {
      const result = await api.mutate(mutation, input, selection);
      expect(result.__typename, `${mutation}(${JSON.stringify(input).slice(0, 200)}) → ${JSON.stringify(result)}`).toBe(
        PAYLOAD_TYPES[mutation],
      );
      return result;
    },
    async lastSequence() {
      const data = await client.data(`{ auditEvents(first: 1) { nodes { sequence } } }`);
      return data.auditEvents.nodes[0]?.sequence ?? 0;
    },
    async modelState(name) {
      return (await client.data(MODEL_STATE, { name })).registeredModel;
    },
    async unchanged(names, work) {
      const before = await Promise.all(names.map((n) => api.modelState(n)));
      const sequence = await api.lastSequence();
      const result = await work();
      expect(await api.lastSequence(), 'no event may be recorded').toBe(sequence);
      expect(await Promise.all(names.map((n) => api.modelState(n))), 'no state may change').toEqual(before);
      return result;
    },
    async createModel(name, versions = 0, extra = {}) {
      await api.ok('createRegisteredModel', { name, ...extra }, '__typename');
      for (let v = 1; v <= versions; v++) {
        await api.ok('createModelVersion', { name, source: `s3://${name}/${v}` }, '__typename');
      }
    },
    async eventsOf(name) {
      const data = await client.data(
        `query E($name: String!) { auditEvents(first: 100, filter: { modelName: $name }) { nodes { ${EVENT_FIELDS} } } }`,
        { name },
      );
      return [...data.auditEvents.nodes].reverse();
    },
  };
  return api;
}

/** Asserts a typed error result. */
export function expectError(
  result: any,
  typename: 'NotFoundError' | 'ValidationError' | 'AlreadyExistsError' | 'ConflictError',
  extra: { field?: string; currentVersion?: number | null; message?: RegExp | string[] } = {},
): void {
  const code = {
    NotFoundError: 'NOT_FOUND',
    ValidationError: 'INVALID_ARGUMENT',
    AlreadyExistsError: 'ALREADY_EXISTS',
    ConflictError: 'CONFLICT',
  }[typename];
  expect(result, JSON.stringify(result)).toMatchObject({ __typename: typename, code });
  expect(typeof result.message).toBe('string');
  expect(result.message.length).toBeGreaterThan(0);
  if (extra.field !== undefined) expect(result.field).toBe(extra.field);
  if (extra.currentVersion !== undefined) expect(result.currentVersion).toBe(extra.currentVersion);
  if (extra.message instanceof RegExp) expect(result.message).toMatch(extra.message);
  else if (extra.message) for (const part of extra.message) expect(result.message).toContain(part);
}

/** The milliseconds of an ISO instant. */
export const ms = (iso: string) => Date.parse(iso);

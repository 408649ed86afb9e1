// The registry: every write as one command, the same for every front door (GraphQL today; REST,
// CLIs and a UI next). A command takes the caller's Access and its input and does the whole use
// case: it checks role, scope and protected aliases (also those a write removes as a side effect),
// applies idempotency, writes, records the history events in the same transaction, and returns a
// typed result or throws a RegistryError / AuthError. Front doors map those, nothing more.
//
// Following a command: registry.setModelAlias → commands/aliases.ts setModelAlias (rules, lock, write,
// event) → the store's statements; the transaction is opened here, once per command.
import type { Access } from '../auth/access.ts';
import type { DirectReader } from '../store/sql.ts';
import * as aliases from './commands/aliases.ts';
import { type RegistrySettings, type StatementWrite, type Write, inTransaction, writeIn } from './write.ts';
import * as models from './commands/models.ts';
import { RegistryReads } from './reads.ts';
import * as tags from './commands/tags.ts';
import * as tokens from './commands/tokens.ts';
import * as versions from './commands/versions.ts';
import * as webhooks from './commands/webhooks.ts';
import { releaseIdempotencyKey } from './history/idempotency.ts';
import { type ImportOptions, type ImportSummary, importSnapshot } from './imports/import-snapshot.ts';
import type { RegistrySnapshot } from './imports/snapshot.ts';

/** The commands that run in one transaction each, by the name front doors call them. */
const TRANSACTIONAL = {
  createRegisteredModel: models.createRegisteredModel,
  updateRegisteredModel: models.updateRegisteredModel,
  renameRegisteredModel: models.renameRegisteredModel,
  deleteRegisteredModel: models.deleteRegisteredModel,
  updateModelVersion: versions.updateModelVersion,
  transitionModelVersionStage: versions.transitionModelVersionStage,
  deleteModelVersion: versions.deleteModelVersion,
  setRegisteredModelTag: tags.setRegisteredModelTag,
  deleteRegisteredModelTag: tags.deleteRegisteredModelTag,
  setModelVersionTag: tags.setModelVersionTag,
  deleteModelVersionTag: tags.deleteModelVersionTag,
  deleteModelAlias: aliases.deleteModelAlias,
  createApiToken: tokens.createApiToken,
  revokeApiToken: tokens.revokeApiToken,
  createWebhook: webhooks.createWebhook,
  updateWebhook: webhooks.updateWebhook,
  deleteWebhook: webhooks.deleteWebhook,
} satisfies Record<string, (w: Write, input: never) => Promise<unknown>>;

/**
 * The commands that are one statement each, atomic on their own: no interactive transaction (one
 * round trip; createModelVersion opens one only for an idempotency key).
 */
const ONE_STATEMENT = {
  setModelAlias: aliases.setModelAlias,
  createModelVersion: versions.createModelVersion,
} satisfies Record<string, (w: StatementWrite, input: never) => Promise<unknown>>;

type Transactional = typeof TRANSACTIONAL & typeof ONE_STATEMENT;

/** A command as front doors call it: who is asking, and the input. */
export type Command<I, R> = (access: Access, input: I) => Promise<R>;

export type Commands = {
  [K in keyof Transactional]: Command<Parameters<Transactional[K]>[1], Awaited<ReturnType<Transactional[K]>>>;
} & {
  testWebhook: Command<{ id: number }, Awaited<ReturnType<typeof webhooks.testWebhook>>>;
};

/** Every command's name: the GraphQL schema refuses to build with a mutation that is not one. */
export const COMMAND_NAMES: ReadonlySet<string> = new Set([...Object.keys(TRANSACTIONAL), ...Object.keys(ONE_STATEMENT), 'testWebhook']);

export interface RegistryHooks {
  /** After a token was revoked through this registry (a replica forgets its cached lookups). */
  onTokenRevoked?: () => void;
}

export interface Registry extends Commands {
  readonly settings: RegistrySettings;
  /**
   * Runs several commands in one transaction (tools and tests): call them as
   * `models.createRegisteredModel(w, input)` with the Write handed to `work`.
   */
  transaction<T>(access: Access, work: (w: Write) => Promise<T>): Promise<T>;
  /** Reads within `access` (listings, look-ups, history). */
  reads(access: Access): RegistryReads;
  /** The tokens a (scoped) admin may manage. */
  apiTokens(access: Access): ReturnType<typeof tokens.listApiTokens>;
  webhooks(access: Access): ReturnType<typeof webhooks.listWebhooks>;
  webhook(access: Access, id: number): ReturnType<typeof webhooks.findWebhook>;
  /**
   * Brings another registry's snapshot in, in one transaction (imports/import-snapshot.ts): an
   * operator job, so it runs up to `timeoutMs` (default one hour) rather than TX_TIMEOUT_MS.
   * `dryRun`: the same, rolled back at the end.
   */
  importSnapshot(
    access: Access,
    snapshot: RegistrySnapshot,
    options?: ImportOptions & { timeoutMs?: number; dryRun?: boolean },
  ): Promise<ImportSummary>;
  /** Forgets one of the caller's idempotency keys (history/idempotency.ts). */
  releaseIdempotencyKey(access: Access, request: { operation: string; key: string }): Promise<void>;
}

export function createRegistry(db: DirectReader, settings: RegistrySettings, hooks: RegistryHooks = {}): Registry {
  const { prisma } = db;
  const transaction = <T>(access: Access, work: (w: Write) => Promise<T>): Promise<T> =>
    inTransaction(prisma, (tx) => work(writeIn(tx, access, settings)));
  const commands = Object.fromEntries(
    Object.entries(TRANSACTIONAL).map(([name, command]) => {
      const run = command as (w: Write, input: never) => Promise<unknown>;
      return [name, (access: Access, input: never) => inTransaction(prisma, (tx) => run(writeIn(tx, access, settings), input))];
    }),
  ) as unknown as Omit<Commands, 'testWebhook' | keyof typeof ONE_STATEMENT>;
  const statements = Object.fromEntries(
    Object.entries(ONE_STATEMENT).map(([name, command]) => {
      const run = command as (w: StatementWrite, input: never) => Promise<unknown>;
      return [name, (access: Access, input: never) => run({ db, access, settings }, input)];
    }),
  ) as unknown as Pick<Commands, keyof typeof ONE_STATEMENT>;
  return {
    ...commands,
    ...statements,
    async revokeApiToken(access, input) {
      const result = await commands.revokeApiToken(access, input);
      hooks.onTokenRevoked?.();
      return result;
    },
    testWebhook: (access, input) => webhooks.testWebhook(db, settings, access, input),
    settings,
    transaction,
    reads: (access) => new RegistryReads(db, access),
    apiTokens: (access) => tokens.listApiTokens(prisma, access),
    webhooks: (access) => webhooks.listWebhooks(db, access),
    webhook: (access, id) => webhooks.findWebhook(db, access, id),
    releaseIdempotencyKey: (access, request) => releaseIdempotencyKey(db, access.actor, request),
    async importSnapshot(access, snapshot, options = {}) {
      // A dry run does everything, then rolls back: what it reports is what the import would do.
      const rollback = Symbol('dry run');
      let summary: ImportSummary | undefined;
      try {
        return await inTransaction(
          prisma,
          async (tx) => {
            summary = await importSnapshot(writeIn(tx, access, settings), snapshot, options);
            if (options.dryRun) throw rollback;
            return summary;
          },
          { timeoutMs: options.timeoutMs ?? 3_600_000 },
        );
      } catch (error) {
        if (error === rollback && summary) return summary;
        throw error;
      }
    },
  };
}

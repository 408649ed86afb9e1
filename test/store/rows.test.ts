// Every column list of the store, read raw, gives the row Prisma's own query gives: same keys,
// same values, same types (Dates, numbers, enum text), over the direct path and through a
// transaction ($queryRaw), on both engines. A column added to the schema but not to its list, or
// an alias misspelt, fails here rather than as a field missing from some GraphQL answer.
// And every raw read is named (`/* listModels */ SELECT ...`), so statistics and slow-query logs
// tell the readers apart.
import { beforeAll, expect, it } from 'vitest';
import { type AuditEvent, type ModelAlias, type ModelVersion, Prisma, type RegisteredModel } from '../../src/generated/prisma/client.ts';
import { parseModelSearch, parseVersionSearch } from '../../src/mlflow/search-filter.ts';
import { inTransaction } from '../../src/registry/write.ts';
import { updateModelVersion } from '../../src/registry/commands/versions.ts';
import {
  ALIAS_COLUMNS_SQL,
  EVENT_COLUMNS_SQL,
  MODEL_COLUMNS_SQL,
  MODEL_TAG_COLUMNS_SQL,
  VERSION_COLUMNS_SQL,
  VERSION_TAG_COLUMNS_SQL,
  aliasRows,
  eventRows,
  modelRows,
  versionRows,
} from '../../src/store/columns.ts';
import * as aliases from '../../src/store/aliases.ts';
import * as events from '../../src/store/events.ts';
import * as idempotency from '../../src/store/idempotency.ts';
import * as mlflowSearch from '../../src/store/mlflow-search.ts';
import * as models from '../../src/store/models.ts';
import { type Reader, databaseNow, prismaOf, queryRows } from '../../src/store/sql.ts';
import * as tags from '../../src/store/tags.ts';
import * as versions from '../../src/store/versions.ts';
import * as watermark from '../../src/store/watermark.ts';
import * as webhooks from '../../src/store/webhooks.ts';
import { describeEachDatabase } from '../support/databases.ts';
import { writeAs } from '../support/registry.ts';
import { seedModels } from '../support/seed.ts';

describeEachDatabase('store column lists', (ctx) => {
  let modelId: number;

  beforeAll(async () => {
    const [name] = await seedModels(ctx.db.prisma, { prefix: 'rows', models: 1, versions: 2 });
    // A status message and a non-default status, so enum text and nullable columns hold values too.
    await writeAs(ctx.db.prisma, 'rows', (w) =>
      updateModelVersion(w, { name, version: 1, status: 'FAILED_REGISTRATION', statusMessage: 'disk full' }),
    );
    modelId = (await ctx.db.prisma.registeredModel.findUniqueOrThrow({ where: { name } })).id;
  });

  /** Each table's raw rows (decoded as the store decodes them) and Prisma's rows, in the same order. */
  async function bothReads(db: Reader): Promise<Record<string, [object[], object[]]>> {
    const raw = <T>(sql: Prisma.Sql, decode: (rows: T[]) => T[] = (rows) => rows) => queryRows<T>(db, sql).then(decode);
    const prisma = prismaOf(db);
    const versionIds = (await prisma.modelVersion.findMany({ where: { modelId } })).map((v) => v.id);
    return {
      models: [
        await raw<RegisteredModel>(Prisma.sql`SELECT ${MODEL_COLUMNS_SQL} FROM registered_model m WHERE m.id = ${modelId}`, modelRows),
        await prisma.registeredModel.findMany({ where: { id: modelId } }),
      ],
      versions: [
        await raw<ModelVersion>(
          Prisma.sql`SELECT ${VERSION_COLUMNS_SQL} FROM model_version v WHERE v.model_id = ${modelId} ORDER BY v.id`,
          versionRows,
        ),
        await prisma.modelVersion.findMany({ where: { modelId }, orderBy: { id: 'asc' } }),
      ],
      aliases: [
        await raw<ModelAlias>(
          Prisma.sql`SELECT ${ALIAS_COLUMNS_SQL} FROM model_alias a WHERE a.model_id = ${modelId} ORDER BY a.alias`,
          aliasRows,
        ),
        await prisma.modelAlias.findMany({ where: { modelId }, orderBy: { alias: 'asc' } }),
      ],
      modelTags: [
        await raw<object>(
          Prisma.sql`SELECT ${MODEL_TAG_COLUMNS_SQL} FROM registered_model_tag t WHERE t.model_id = ${modelId} ORDER BY t.key`,
        ),
        await prisma.registeredModelTag.findMany({ where: { modelId }, orderBy: { key: 'asc' } }),
      ],
      versionTags: [
        await raw<object>(Prisma.sql`SELECT ${VERSION_TAG_COLUMNS_SQL} FROM model_version_tag t
          WHERE t.version_id = ANY(${versionIds}::int[]) ORDER BY t.version_id, t.key`),
        await prisma.modelVersionTag.findMany({
          where: { versionId: { in: versionIds } },
          orderBy: [{ versionId: 'asc' }, { key: 'asc' }],
        }),
      ],
      events: [
        await raw<AuditEvent>(
          Prisma.sql`SELECT ${EVENT_COLUMNS_SQL} FROM audit_event e WHERE e.model_id = ${modelId} ORDER BY e.sequence`,
          eventRows,
        ),
        await prisma.auditEvent.findMany({ where: { modelId }, orderBy: { sequence: 'asc' } }),
      ],
    };
  }

  for (const path of ['direct', 'in a transaction'] as const) {
    it(`reads rows equal to Prisma's, key for key and type for type (${path})`, async () => {
      const reads = path === 'direct' ? await bothReads(ctx.db) : await inTransaction(ctx.db.prisma, (tx) => bothReads(tx));
      for (const [table, [raw, prisma]] of Object.entries(reads)) {
        // Not vacuous: the seed wrote rows of every table, some with nulls and some without.
        expect(prisma.length, table).toBeGreaterThan(0);
        expect(
          raw.map((row) => Object.keys(row).sort()),
          table,
        ).toEqual(prisma.map((row) => Object.keys(row).sort()));
        expect(raw, table).toStrictEqual(prisma);
      }
    });
  }
});

const sent: string[] = [];
describeEachDatabase(
  'store statement names',
  (ctx) => {
    it('sends every raw read as one statement that starts with the name of its function', async () => {
      const [name] = await seedModels(ctx.db.prisma, { prefix: 'named', models: 1, versions: 1 });
      const model = await ctx.db.prisma.registeredModel.findUniqueOrThrow({ where: { name } });
      const [version] = await ctx.db.prisma.modelVersion.findMany({ where: { modelId: model.id } });
      const ids = [model.id];
      const reads: Record<string, () => Promise<unknown>> = {
        listModels: () => models.listModels(ctx.db, { first: 1 }),
        countModels: () => models.countModels(ctx.db, null),
        modelsByNames: () => models.modelsByNames(ctx.db, [name]),
        listVersions: () => versions.listVersions(ctx.db, { first: 1 }),
        countVersions: () => versions.countVersions(ctx.db, {}),
        listVersionsOfModels: () => versions.listVersionsOfModels(ctx.db, ids, { first: 1 }),
        countVersionsOfModels: () => versions.countVersionsOfModels(ctx.db, ids, null),
        modelTags: () => tags.modelTags(ctx.db, ids),
        versionTags: () => tags.versionTags(ctx.db, [version.id]),
        aliasesOfModels: () => aliases.aliasesOfModels(ctx.db, ids),
        aliasesOfVersions: () => aliases.aliasesOfVersions(ctx.db, [version.id]),
        aliasTargets: () => aliases.aliasTargets(ctx.db, [{ modelId: model.id, alias: 'champion' }]),
        aliasVersionsAt: () => aliases.aliasVersionsAt(ctx.db, [{ modelId: model.id, alias: 'champion', at: new Date() }]),
        versionsInStageAt: () => versions.versionsInStageAt(ctx.db, [{ modelId: model.id, stage: 'NONE', at: new Date() }]),
        listEvents: () => events.listEvents(ctx.db, { first: 1, filter: { modelName: name } }),
        listEventsOfModels: () => events.listEventsOfModels(ctx.db, ids, { first: 1 }),
        readEvents: () => events.readEvents(ctx.db, { modelName: name }, 0, 2 ** 31 - 1, 1),
        lastHandedOutSequence: () => watermark.lastHandedOutSequence(ctx.db.prisma),
        runningHistoryWriters: () => watermark.runningHistoryWriters(ctx.db.prisma),
        searchRegisteredModels: () =>
          mlflowSearch.searchRegisteredModels(ctx.db, { ...parseModelSearch({ filter: "tag.t = 'v'" }), scope: null }),
        searchModelVersions: () =>
          mlflowSearch.searchModelVersions(ctx.db, { ...parseVersionSearch({ filter: "tag.t = 'v'" }), scope: null }),
      };
      for (const [fn, read] of Object.entries(reads)) {
        sent.length = 0;
        await read();
        expect(sent, fn).toEqual([expect.stringMatching(new RegExp(`^/\\* ${fn} \\*/`))]);
      }
    });
    it('sends every raw write as one statement that starts with the name of its function', async () => {
      const [name] = await seedModels(ctx.db.prisma, { prefix: 'named-writes', models: 1, versions: 1 });
      // Rolled back at the end: the alias events below form no chain an integrity check would accept.
      const rolledBack = new Error('rolled back');
      const seen: Record<string, string[]> = {};
      const run = inTransaction(ctx.db.prisma, async (tx) => {
        const locked = await models.lockModel(tx, name);
        if (!locked) throw new Error(`${name} not seeded`);
        const { model, now } = locked;
        const stamp = { actor: 'rows-test', now };
        const event = {
          action: 'ALIAS_SET' as const,
          alias: 'named',
          version: 1,
          previousVersion: null,
          key: null,
          previousValue: null,
          newValue: null,
        };
        const key = { actor: 'rows-test', operation: 'named', key: 'k' };
        const webhook = await webhooks.insertWebhook(
          tx,
          { url: 'https://example.com/hook', secret: 's', modelName: null, actions: null, active: true },
          0,
          now,
        );
        const writes: Record<string, () => Promise<unknown>> = {
          lockModel: () => models.lockModel(tx, name),
          databaseNow: () => databaseNow(tx),
          aliasAndTarget: () => aliases.aliasAndTarget(tx, model.id, 'named', 1),
          createVersion: () =>
            versions.createVersionInOneStatement(tx, {
              name,
              source: 's3://rows',
              runId: null,
              runLink: null,
              description: null,
              storageLocation: null,
              tags: [{ key: 'k', value: 'v' }],
              actor: 'rows-test',
            }),
          moveAlias: () =>
            aliases.moveAliasInOneStatement(tx, { name, alias: 'named', version: 1, expectedVersion: null, actor: 'rows-test' }),
          insertEvents: () => events.insertEvents(tx, stamp, model, [event, { ...event, previousVersion: 1 }]),
          claimIdempotencyKey: () => idempotency.claimIdempotencyKey(tx, key, 'hash', 60),
          lockIdempotencyKey: () => idempotency.lockIdempotencyKey(tx, key),
          renewIdempotencyKey: () => idempotency.renewIdempotencyKey(tx, key, 'hash', 60),
          storeIdempotencyResult: () => idempotency.storeIdempotencyResult(tx, key, '{}'),
          sweepIdempotencyKeys: () => idempotency.sweepIdempotencyKeys(tx),
          lockQueueableWebhooks: () => webhooks.lockQueueableWebhooks(tx, 1),
          queueDeliveries: () => webhooks.queueDeliveries(tx, webhook.id, [1, 2]),
          claimDeliveries: () => webhooks.claimDeliveries(tx, 1000, 1),
          recordDeliveryOutcome: () =>
            webhooks.recordDeliveryOutcome(tx, { id: 0, attempts: 1 }, { status: 'FAILED', responseCode: null, error: 'x', retryInMs: 0 }),
        };
        for (const [fn, write] of Object.entries(writes)) {
          sent.length = 0;
          await write();
          seen[fn] = [...sent];
        }
        throw rolledBack;
      });
      await expect(run).rejects.toBe(rolledBack);
      expect(Object.keys(seen)).toHaveLength(15);
      for (const [fn, statements] of Object.entries(seen)) {
        expect(statements, fn).toEqual([expect.stringMatching(new RegExp(`^/\\* ${fn} \\*/`))]);
      }
    });
  },
  { onQuery: (query) => sent.push(query) },
);

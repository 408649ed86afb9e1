// Nothing half-written: a write and its audit events commit together or not at all.
import { expect, it } from 'vitest';
import { setModelAlias } from '../../src/registry/aliases.ts';
import { type Tx, inTransaction } from '../../src/registry/context.ts';
import { NotFoundError, ValidationError } from '../../src/registry/errors.ts';
import { createRegisteredModel, deleteRegisteredModel, renameRegisteredModel } from '../../src/registry/models.ts';
import { aliasVersionsAt } from '../../src/store/aliases.ts';
import { setModelVersionTag } from '../../src/registry/tags.ts';
import { createModelVersion, deleteModelVersion } from '../../src/registry/versions.ts';
import { describeEachDatabase } from '../support/databases.ts';

/**
 * Runs `work` in a transaction whose audit writes fail: the event table rejects every new row (a
 * constraint added inside the transaction, so it goes away with the rollback), however the write
 * sends its events (Prisma or SQL, alone or inside a larger statement).
 */
async function withFailingAudit(tx: Tx, work: (tx: Tx) => Promise<unknown>): Promise<unknown> {
  await tx.$executeRawUnsafe('ALTER TABLE audit_event ADD CONSTRAINT audit_insert_failed CHECK (false) NOT VALID');
  return work(tx);
}

describeEachDatabase('registry transactions', (ctx) => {
  const prisma = () => ctx.db.prisma;

  async function snapshot() {
    const p = prisma();
    return {
      models: await p.registeredModel.findMany({ orderBy: { id: 'asc' } }),
      versions: await p.modelVersion.findMany({ orderBy: { id: 'asc' } }),
      tags: await p.modelVersionTag.findMany({ orderBy: [{ versionId: 'asc' }, { key: 'asc' }] }),
      aliases: await p.modelAlias.findMany({ orderBy: [{ modelId: 'asc' }, { alias: 'asc' }] }),
      events: await p.auditEvent.count(),
    };
  }

  it('sets up a model with versions', async () => {
    await inTransaction(prisma(), async (tx) => {
      await createRegisteredModel(tx, null, { name: 'atomic' });
      await createModelVersion(tx, null, { name: 'atomic', source: 's3://a/1' });
      await createModelVersion(tx, null, { name: 'atomic', source: 's3://a/2' });
      await setModelAlias(tx, null, { name: 'atomic', alias: 'prod', version: 1 });
    });
    expect((await snapshot()).events).toBe(4);
  });

  it.each<[string, (tx: Tx) => Promise<unknown>]>([
    ['create a version', (tx: Tx) => createModelVersion(tx, 'x', { name: 'atomic', source: 's3://a/3', tags: [{ key: 'k', value: 'v' }] })],
    ['move an alias', (tx: Tx) => setModelAlias(tx, 'x', { name: 'atomic', alias: 'prod', version: 2 })],
    ['tag a version', (tx: Tx) => setModelVersionTag(tx, 'x', { name: 'atomic', version: 1, key: 'k', value: 'v' })],
    ['delete a version with its alias', (tx: Tx) => deleteModelVersion(tx, 'x', { name: 'atomic', version: 1 })],
    ['rename', (tx: Tx) => renameRegisteredModel(tx, 'x', { name: 'atomic', newName: 'atomic-2' })],
    ['delete the model', (tx: Tx) => deleteRegisteredModel(tx, 'x', { name: 'atomic' })],
  ])('when recording fails, %s leaves no trace', async (_title, work) => {
    const before = await snapshot();
    await expect(inTransaction(prisma(), (tx) => withFailingAudit(tx, work))).rejects.toThrow('audit_insert_failed');
    expect(await snapshot()).toEqual(before);
  });

  it('a failure after the write inside the same transaction undoes write and events', async () => {
    const before = await snapshot();
    await expect(
      inTransaction(prisma(), async (tx) => {
        await createModelVersion(tx, null, { name: 'atomic', source: 's3://a/x' });
        throw new Error('later step failed');
      }),
    ).rejects.toThrow('later step failed');
    expect(await snapshot()).toEqual(before);
    // The number was not consumed either: the next version is 3.
    const next = await inTransaction(prisma(), (tx) => createModelVersion(tx, null, { name: 'atomic', source: 's3://a/3' }));
    expect(next.modelVersion.version).toBe(3);
  });

  it('typed errors are thrown before anything is written', async () => {
    const before = await snapshot();
    await expect(inTransaction(prisma(), (tx) => setModelAlias(tx, null, { name: 'atomic', alias: 'latest', version: 1 }))).rejects.toBeInstanceOf(
      ValidationError,
    );
    await expect(inTransaction(prisma(), (tx) => setModelAlias(tx, null, { name: 'atomic', alias: 'prod', version: 99 }))).rejects.toBeInstanceOf(
      NotFoundError,
    );
    await expect(inTransaction(prisma(), (tx) => createModelVersion(tx, null, { name: 'nope', source: 's3://x' }))).rejects.toThrow(
      'registered model "nope" not found',
    );
    expect(await snapshot()).toEqual(before);
  });

  it('deleting a version records the removal of its aliases, so time travel stays right', async () => {
    const model = await prisma().registeredModel.findUniqueOrThrow({ where: { name: 'atomic' } });
    const beforeDelete = (await prisma().$queryRaw<{ now: Date }[]>`SELECT clock_timestamp() AS now`)[0].now;
    await new Promise((resolve) => setTimeout(resolve, 5));
    const result = await inTransaction(prisma(), (tx) => deleteModelVersion(tx, 'ops', { name: 'atomic', version: 1 }));
    expect(result.removedAliases).toEqual(['prod']);
    const events = await prisma().auditEvent.findMany({ where: { modelId: model.id }, orderBy: { sequence: 'desc' }, take: 2 });
    expect(events.map((e) => [e.action, e.alias, e.version, e.previousVersion, e.actor])).toEqual([
      ['VERSION_DELETED', null, 1, null, 'ops'],
      ['ALIAS_DELETED', 'prod', null, 1, 'ops'],
    ]);
    const [then, now] = await aliasVersionsAt(prisma(), [
      { modelId: model.id, alias: 'prod', at: new Date(beforeDelete) },
      { modelId: model.id, alias: 'prod', at: new Date(Date.now() + 60_000) },
    ]);
    expect(then).toBe(1);
    expect(now).toBeNull();
  });
});

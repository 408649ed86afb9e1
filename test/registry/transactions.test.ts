// Nothing half-written: a write and its audit events commit together or not at all.
import { expect, it } from 'vitest';
import { setModelAlias } from '../../src/registry/commands/aliases.ts';
import type { Write } from '../../src/registry/write.ts';
import { NotFoundError, ValidationError } from '../../src/registry/rules/errors.ts';
import { createRegisteredModel, deleteRegisteredModel, renameRegisteredModel } from '../../src/registry/commands/models.ts';
import { aliasVersionsAt } from '../../src/store/aliases.ts';
import { setModelVersionTag } from '../../src/registry/commands/tags.ts';
import { createModelVersion, deleteModelVersion } from '../../src/registry/commands/versions.ts';
import { describeEachDatabase } from '../support/databases.ts';
import { writeAs } from '../support/registry.ts';

/**
 * Runs `work` in a transaction whose audit writes fail: the event table rejects every new row (a
 * constraint added inside the transaction, so it goes away with the rollback), however the write
 * sends its events (Prisma or SQL, alone or inside a larger statement).
 */
async function withFailingAudit(w: Write, work: (w: Write) => Promise<unknown>): Promise<unknown> {
  await w.tx.$executeRawUnsafe('ALTER TABLE audit_event ADD CONSTRAINT audit_insert_failed CHECK (false) NOT VALID');
  return work(w);
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
    await writeAs(prisma(), null, async (w) => {
      await createRegisteredModel(w, { name: 'atomic' });
      await createModelVersion(w, { name: 'atomic', source: 's3://a/1' });
      await createModelVersion(w, { name: 'atomic', source: 's3://a/2' });
      await setModelAlias(w, { name: 'atomic', alias: 'prod', version: 1 });
    });
    expect((await snapshot()).events).toBe(4);
  });

  it.each<[string, (w: Write) => Promise<unknown>]>([
    ['create a version', (w: Write) => createModelVersion(w, { name: 'atomic', source: 's3://a/3', tags: [{ key: 'k', value: 'v' }] })],
    ['move an alias', (w: Write) => setModelAlias(w, { name: 'atomic', alias: 'prod', version: 2 })],
    ['tag a version', (w: Write) => setModelVersionTag(w, { name: 'atomic', version: 1, key: 'k', value: 'v' })],
    ['delete a version with its alias', (w: Write) => deleteModelVersion(w, { name: 'atomic', version: 1 })],
    ['rename', (w: Write) => renameRegisteredModel(w, { name: 'atomic', newName: 'atomic-2' })],
    ['delete the model', (w: Write) => deleteRegisteredModel(w, { name: 'atomic' })],
  ])('when recording fails, %s leaves no trace', async (_title, work) => {
    const before = await snapshot();
    await expect(writeAs(prisma(), 'x', (w) => withFailingAudit(w, work))).rejects.toThrow('audit_insert_failed');
    expect(await snapshot()).toEqual(before);
  });

  it('a failure after the write inside the same transaction undoes write and events', async () => {
    const before = await snapshot();
    await expect(
      writeAs(prisma(), null, async (w) => {
        await createModelVersion(w, { name: 'atomic', source: 's3://a/x' });
        throw new Error('later step failed');
      }),
    ).rejects.toThrow('later step failed');
    expect(await snapshot()).toEqual(before);
    // The number was not consumed either: the next version is 3.
    const next = await writeAs(prisma(), null, (w) => createModelVersion(w, { name: 'atomic', source: 's3://a/3' }));
    expect(next.modelVersion.version).toBe(3);
  });

  it('typed errors are thrown before anything is written', async () => {
    const before = await snapshot();
    await expect(writeAs(prisma(), null, (w) => setModelAlias(w, { name: 'atomic', alias: 'latest', version: 1 }))).rejects.toBeInstanceOf(
      ValidationError,
    );
    await expect(writeAs(prisma(), null, (w) => setModelAlias(w, { name: 'atomic', alias: 'prod', version: 99 }))).rejects.toBeInstanceOf(
      NotFoundError,
    );
    await expect(writeAs(prisma(), null, (w) => createModelVersion(w, { name: 'nope', source: 's3://x' }))).rejects.toThrow(
      'registered model "nope" not found',
    );
    expect(await snapshot()).toEqual(before);
  });

  it('deleting a version records the removal of its aliases, so time travel stays right', async () => {
    const model = await prisma().registeredModel.findUniqueOrThrow({ where: { name: 'atomic' } });
    const beforeDelete = (await prisma().$queryRaw<{ now: Date }[]>`SELECT clock_timestamp() AS now`)[0].now;
    await new Promise((resolve) => setTimeout(resolve, 5));
    const result = await writeAs(prisma(), 'ops', (w) => deleteModelVersion(w, { name: 'atomic', version: 1 }));
    expect(result.removedAliases).toEqual(['prod']);
    const events = await prisma().auditEvent.findMany({ where: { modelId: model.id }, orderBy: { sequence: 'desc' }, take: 2 });
    expect(events.map((e) => [e.action, e.alias, e.version, e.previousVersion, e.actor])).toEqual([
      ['VERSION_DELETED', null, 1, null, 'ops'],
      ['ALIAS_DELETED', 'prod', null, 1, 'ops'],
    ]);
    const [then, now] = await aliasVersionsAt(ctx.db, [
      { modelId: model.id, alias: 'prod', at: new Date(beforeDelete) },
      { modelId: model.id, alias: 'prod', at: new Date(Date.now() + 60_000) },
    ]);
    expect(then).toBe(1);
    expect(now).toBeNull();
  });
});

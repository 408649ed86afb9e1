// The statements of an import from another registry (src/registry/imports/): a new model's versions,
// tags and aliases each in one statement, with the instants the source gave them, and the current
// state of the models that exist already, read for the whole import at once.
import { Prisma, type RegisteredModel } from '../generated/prisma/client.ts';
import type { SnapshotModel, SnapshotVersion } from '../registry/imports/snapshot.ts';
import { type Tx, named } from './sql.ts';

/** A model as the snapshot has it, with the source's creation instant and highest version number. */
export type ImportedModelRow = Pick<SnapshotModel, 'name' | 'description' | 'createdAt' | 'lastVersion' | 'tags'>;

export function insertImportedModel(tx: Tx, model: ImportedModelRow, now: Date): Promise<RegisteredModel> {
  return tx.registeredModel.create({
    data: {
      name: model.name,
      description: model.description,
      createdAt: model.createdAt,
      updatedAt: now,
      lastVersion: model.lastVersion,
      tags: { create: model.tags.map((t) => ({ key: t.key, value: t.value })) },
    },
  });
}

/** Its last change is the import's (`now`), not the source's. */
export type ImportedVersionRow = Omit<SnapshotVersion, 'updatedAt'>;

/** Inserts a model's versions and their tags (two statements); returns the new ids by number. */
export async function insertImportedVersions(
  tx: Tx,
  modelId: number,
  versions: readonly ImportedVersionRow[],
  now: Date,
): Promise<Map<number, number>> {
  if (versions.length === 0) return new Map();
  const rows = await tx.modelVersion.createManyAndReturn({
    data: versions.map(({ tags: _tags, ...v }) => ({ ...v, modelId, updatedAt: now })),
    select: { id: true, version: true },
  });
  const ids = new Map(rows.map((r) => [r.version, r.id]));
  const tags = versions.flatMap((v) => v.tags.map((t) => ({ versionId: ids.get(v.version) as number, key: t.key, value: t.value })));
  if (tags.length > 0) await tx.modelVersionTag.createMany({ data: tags });
  return ids;
}

export async function insertImportedAliases(
  tx: Tx,
  modelId: number,
  aliases: readonly { alias: string; versionId: number }[],
  now: Date,
): Promise<void> {
  if (aliases.length === 0) return;
  await tx.modelAlias.createMany({ data: aliases.map((a) => ({ modelId, alias: a.alias, versionId: a.versionId, updatedAt: now })) });
}

/** Sets an alias of an existing model (created or moved). */
export async function upsertImportedAlias(tx: Tx, modelId: number, alias: string, versionId: number, now: Date): Promise<void> {
  await tx.modelAlias.upsert({
    where: { modelId_alias: { modelId, alias } },
    create: { modelId, alias, versionId, updatedAt: now },
    update: { versionId, updatedAt: now },
  });
}

/**
 * The models of these names as they are now, with their tags, versions (with tags) and aliases,
 * locked first (in name order, as every import takes them) for the rest of the transaction.
 */
export async function lockExistingModels(tx: Tx, names: readonly string[]) {
  await tx.$queryRaw(
    named('lockModelsByName', Prisma.sql`SELECT id FROM registered_model WHERE name = ANY(${[...names]}::text[]) ORDER BY name FOR UPDATE`),
  );
  return tx.registeredModel.findMany({
    where: { name: { in: [...names] } },
    include: {
      tags: true,
      versions: { include: { tags: true } },
      aliases: true,
    },
  });
}

export type ExistingModel = Awaited<ReturnType<typeof lockExistingModels>>[number];

// Small deterministic registries for tests, written through the registry's own functions.
import type { PrismaClient } from '../../src/generated/prisma/client.ts';
import { setModelAlias } from '../../src/registry/commands/aliases.ts';
import { writeAs } from './registry.ts';
import { createRegisteredModel } from '../../src/registry/commands/models.ts';
import { createModelVersion } from '../../src/registry/commands/versions.ts';

export async function seedModels(
  prisma: PrismaClient,
  options: { prefix: string; models: number; versions: number; tagsPerVersion?: number },
): Promise<string[]> {
  const names: string[] = [];
  for (let m = 0; m < options.models; m++) {
    const name = `${options.prefix}-${String(m).padStart(3, '0')}`;
    names.push(name);
    await writeAs(prisma, 'seed', async (w) => {
      await createRegisteredModel(w, {
        name,
        description: `model ${m}`,
        tags: [
          { key: 'team', value: `team-${m % 3}` },
          { key: 'task', value: 'classification' },
        ],
      });
      for (let v = 1; v <= options.versions; v++) {
        await createModelVersion(w, {
          name,
          source: `s3://models/${name}/${v}`,
          runId: `run-${m}-${v}`,
          tags: Array.from({ length: options.tagsPerVersion ?? 2 }, (_, k) => ({ key: `t${k}`, value: `${v}` })),
        });
      }
      await setModelAlias(w, { name, alias: 'champion', version: options.versions });
      if (options.versions > 1) await setModelAlias(w, { name, alias: 'challenger', version: options.versions - 1 });
    });
  }
  return names;
}

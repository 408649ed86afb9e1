// The registry's commands for tests and tools that write as an operator (every right, a named
// actor), several commands in one transaction when they need it.
import { Access } from '../../src/auth/access.ts';
import type { PrismaClient } from '../../src/generated/prisma/client.ts';
import { type RegistrySettings, type Write, inTransaction, writeIn } from '../../src/registry/write.ts';

export const TEST_REGISTRY_SETTINGS: RegistrySettings = {
  idempotencyTtlMs: 24 * 3_600_000,
  webhooks: { allowHttp: false, allowPrivate: false, requestTimeoutMs: 10_000 },
};

/** Runs `work` in one transaction as `actor`, with every right. */
export function writeAs<T>(prisma: PrismaClient, actor: string | null, work: (w: Write) => Promise<T>): Promise<T> {
  return inTransaction(prisma, (tx) => work(writeIn(tx, Access.operator(actor), TEST_REGISTRY_SETTINGS)));
}

// Configuration for the Prisma CLI (generate; migrate status on a machine that has Prisma's engine).
// The server itself never reads this: it applies prisma/migrations with its own migrator (src/db/migrator.ts).
import { defineConfig } from 'prisma/config';

const url = process.env.DATABASE_URL;

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  // Only a real PostgreSQL URL means anything to the CLI; pglite: URLs are the server's own.
  ...(url && /^postgres(ql)?:\/\//.test(url) ? { datasource: { url } } : {}),
});

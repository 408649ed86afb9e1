import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

export default defineConfig({
  resolve: {
    // Node loads graphql's CommonJS entry for Pothos and yoga; Vite would hand our own files the
    // ESM entry, and two graphql instances refuse each other's types. One entry for everyone.
    alias: [{ find: /^graphql$/, replacement: require.resolve('graphql') }],
  },
  test: {
    include: ['test/**/*.test.ts'],
    // Each file opens its own PGlite (1.5-3 s) and PostgreSQL database: hooks need room.
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Two cores here; PGlite is CPU-bound, more workers only make every file slower.
    maxWorkers: 2,
  },
});

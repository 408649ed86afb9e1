// Builds the web UI (src/ui, a React app) into dist/ui with Vite; run by `npm install` (postinstall)
// and `npm run build:ui`. First regenerates src/ui/src/graphql-env.d.ts, the schema's types for
// gql.tada, from schema.graphql, so the UI's GraphQL documents are type-checked against the API.
// `--types-only` stops after that file.
import { writeFileSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { uiSchemaTypes } from './lib/ui-schema-types.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const typesFile = `${root}src/ui/src/graphql-env.d.ts`;
const types = uiSchemaTypes(readFileSync(`${root}schema.graphql`, 'utf8'));
let current = '';
try {
  current = readFileSync(typesFile, 'utf8');
} catch {}
if (current !== types) writeFileSync(typesFile, types);
if (process.argv.includes('--types-only')) process.exit(0);

// A production build whatever the caller's NODE_ENV (vitest sets it to test, which would bundle React's development build).
process.env.NODE_ENV = 'production';
const { build } = await import('vite');
const started = Date.now();
await build({ configFile: `${root}src/ui/vite.config.ts`, mode: 'production', logLevel: 'warn' });
console.error(`web UI built into dist/ui in ${Date.now() - started} ms`);

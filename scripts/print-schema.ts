// Writes schema.graphql from the Pothos schema (test/graphql/schema.test.ts fails when it is stale).
import { writeFileSync } from 'node:fs';
import { printSchemaFile, SCHEMA_FILE } from '../src/graphql/print.ts';

writeFileSync(SCHEMA_FILE, printSchemaFile());
console.error(`wrote ${SCHEMA_FILE}`);

import { fileURLToPath } from 'node:url';
import { printSchema } from 'graphql';
import { schema } from './schema/index.ts';

export const SCHEMA_FILE = fileURLToPath(new URL('../../schema.graphql', import.meta.url));

export function printSchemaFile(): string {
  return `# Generated from the Pothos schema by \`npm run print-schema\`; do not edit by hand.\n\n${printSchema(schema)}\n`;
}

import { existsSync, readFileSync } from 'node:fs';
import {
  type GraphQLNamedType,
  buildSchema,
  findBreakingChanges,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isObjectType,
  isIntrospectionType,
  isSpecifiedScalarType,
} from 'graphql';
import { describe, expect, it } from 'vitest';
import { SCHEMA_FILE, printSchemaFile } from '../../src/graphql/print.ts';
import { schema } from '../../src/graphql/schema/index.ts';

// The contract lives in ../shared/api-contract.graphql beside the repository; a copy travels with
// the repository so every clone can check it, and the copy must stay identical to the original.
const CONTRACT_COPY = new URL('../fixtures/api-contract.graphql', import.meta.url);
const CONTRACT_SHARED = new URL('../../../shared/api-contract.graphql', import.meta.url);
const contractText = readFileSync(CONTRACT_COPY, 'utf8');
const contract = buildSchema(contractText);

/** Every type, field, argument, input field and enum value without a description. */
function undocumented(types: readonly GraphQLNamedType[]): string[] {
  const missing: string[] = [];
  for (const type of types) {
    if (isIntrospectionType(type) || isSpecifiedScalarType(type)) continue;
    if (!type.description) missing.push(type.name);
    if (isObjectType(type) || isInterfaceType(type)) {
      for (const field of Object.values(type.getFields())) {
        if (!field.description) missing.push(`${type.name}.${field.name}`);
        for (const arg of field.args) if (!arg.description) missing.push(`${type.name}.${field.name}(${arg.name})`);
      }
    }
    if (isInputObjectType(type)) {
      for (const field of Object.values(type.getFields())) if (!field.description) missing.push(`${type.name}.${field.name}`);
    }
    if (isEnumType(type)) {
      for (const value of type.getValues()) if (!value.description) missing.push(`${type.name}.${value.name}`);
    }
  }
  return missing;
}

describe('schema', () => {
  it('schema.graphql is the printed Pothos schema (run `npm run print-schema` after changing the schema)', () => {
    expect(readFileSync(SCHEMA_FILE, 'utf8')).toBe(printSchemaFile());
  });

  it.skipIf(!existsSync(CONTRACT_SHARED))('checks against the current contract (test/fixtures is a copy of ../shared)', () => {
    expect(contractText).toBe(readFileSync(CONTRACT_SHARED, 'utf8'));
  });

  it('has no breaking change against the API contract', () => {
    expect(findBreakingChanges(contract, schema).map((c) => c.description)).toEqual([]);
    // The committed file too: it is what clients read.
    const committed = buildSchema(readFileSync(SCHEMA_FILE, 'utf8'));
    expect(findBreakingChanges(contract, committed).map((c) => c.description)).toEqual([]);
  });

  it('the breaking-change check would notice a removed field', () => {
    const broken = buildSchema(
      contractText.replace(/^\s+"The version with the highest number, or null."\n\s+latestVersion: ModelVersion$/m, ''),
    );
    expect(findBreakingChanges(contract, broken).map((c) => c.description)).toContain('RegisteredModel.latestVersion was removed.');
  });

  it('documents every type, field, argument, input field and enum value', () => {
    expect(undocumented(Object.values(schema.getTypeMap()))).toEqual([]);
  });

  it('the documentation check finds a missing description', () => {
    const bare = buildSchema('type Query { a(x: Int): Int }');
    expect(undocumented(Object.values(bare.getTypeMap()))).toEqual(['Query', 'Query.a', 'Query.a(x)']);
  });
});

// Errors as data: each mutation returns a union of its payload and the typed errors it can meet.
// Hand-written rather than @pothos/plugin-errors: why, and what adopting it takes, is in builder.ts's header.
import type { ObjectRef, SchemaTypes } from '@pothos/core';
import { type ErrorCode, RegistryError, ValidationError, ConflictError } from '../../registry/rules/errors.ts';
import { builder } from '../builder.ts';
import type { GraphQLContext } from '../context.ts';

export const ErrorCodeRef = builder.enumType('ErrorCode', {
  description: 'Machine-readable kind of a typed error.',
  values: {
    NOT_FOUND: { description: 'The model, version, tag or alias named in the input does not exist.' },
    INVALID_ARGUMENT: { description: 'An input field breaks a rule; `field` names it.' },
    ALREADY_EXISTS: { description: 'The name is taken.' },
    CONFLICT: { description: 'A compare-and-set (expectedVersion) did not hold.' },
  } as const,
});

/**
 * A typed error as GraphQL data. Not an Error instance: graphql-js throws any resolver result
 * that is one, which would turn the answer into a masked fault.
 */
export class ErrorData {
  constructor(
    readonly message: string,
    readonly code: ErrorCode,
    readonly field: string | null = null,
    readonly currentVersion: number | null = null,
  ) {}
}

export const ErrorRef = builder.interfaceRef<ErrorData>('Error').implement({
  description: 'A failure a client is expected to handle; the mutation changed nothing.',
  fields: (t) => ({
    message: t.exposeString('message', { description: 'What went wrong, for people.' }),
    code: t.field({ type: ErrorCodeRef, description: 'What went wrong, for programs.', resolve: (e) => e.code }),
  }),
});

const errorTypeNames = {
  NOT_FOUND: 'NotFoundError',
  INVALID_ARGUMENT: 'ValidationError',
  ALREADY_EXISTS: 'AlreadyExistsError',
  CONFLICT: 'ConflictError',
} as const satisfies Record<ErrorCode, string>;

function errorType(code: ErrorCode, description: string) {
  return builder.objectRef<ErrorData>(errorTypeNames[code]).implement({
    description,
    interfaces: [ErrorRef],
    isTypeOf: (value) => value instanceof ErrorData && value.code === code,
  });
}

export const NotFoundErrorRef = errorType('NOT_FOUND', 'The model, version, tag or alias named in the input does not exist.');
export const ValidationErrorRef = errorType('INVALID_ARGUMENT', 'An input field breaks a rule.');
builder.objectField(ValidationErrorRef, 'field', (t) =>
  t.exposeString('field', { nullable: true, description: 'The input field at fault, e.g. alias or tags[2].key.' }),
);
export const AlreadyExistsErrorRef = errorType('ALREADY_EXISTS', 'A model with that name already exists.');
export const ConflictErrorRef = errorType('CONFLICT', 'A compare-and-set (expectedVersion) did not hold: someone moved the alias first.');
builder.objectField(ConflictErrorRef, 'currentVersion', (t) =>
  t.exposeInt('currentVersion', { nullable: true, description: 'The version the alias points to now (null if it does not exist).' }),
);

const errorCodes = new Map<unknown, ErrorCode>([
  [NotFoundErrorRef, 'NOT_FOUND'],
  [ValidationErrorRef, 'INVALID_ARGUMENT'],
  [AlreadyExistsErrorRef, 'ALREADY_EXISTS'],
  [ConflictErrorRef, 'CONFLICT'],
]);

function toErrorData(error: RegistryError): ErrorData {
  return new ErrorData(
    error.message,
    error.code,
    error instanceof ValidationError ? error.field : null,
    error instanceof ConflictError ? error.currentVersion : null,
  );
}

type SchemaTypesOf<B> = B extends PothosSchemaTypes.SchemaBuilder<infer T extends SchemaTypes> ? T : never;

/**
 * Declares a mutation result `<Payload> | <errors>` as the union `unionName`. `run` calls one
 * registry command; a typed error the union lists becomes data, anything else stays a fault.
 */
export function resultUnion<P extends object>(
  unionName: string,
  description: string,
  payloadRef: ObjectRef<SchemaTypesOf<typeof builder>, P>,
  errors: readonly (typeof NotFoundErrorRef)[],
) {
  const allowed = new Set(errors.map((ref) => errorCodes.get(ref)!));
  const union = builder.unionType(unionName, {
    description,
    types: [payloadRef, ...errors],
    resolveType: (value) => (value instanceof ErrorData ? errorTypeNames[value.code] : payloadRef),
  });
  const run = async (ctx: GraphQLContext, command: () => Promise<P>): Promise<P | ErrorData> => {
    try {
      return await ctx.write(command);
    } catch (error) {
      if (error instanceof RegistryError && allowed.has(error.code)) return toErrorData(error);
      throw error;
    }
  };
  return { union, run };
}

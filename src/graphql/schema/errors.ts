// Errors as data: each mutation returns a union of its payload and the typed errors it can meet.
import {
  AlreadyExistsError,
  ConflictError,
  NotFoundError,
  RegistryError,
  ValidationError,
} from '../../registry/errors.ts';
import type { Actor, Tx } from '../../registry/context.ts';
import type { ObjectRef, SchemaTypes } from '@pothos/core';
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

export const ErrorRef = builder.interfaceRef<RegistryError>('Error').implement({
  description: 'A failure a client is expected to handle; the mutation changed nothing.',
  fields: (t) => ({
    message: t.exposeString('message', { description: 'What went wrong, for people.' }),
    code: t.field({ type: ErrorCodeRef, description: 'What went wrong, for programs.', resolve: (e) => e.code }),
  }),
});

type SchemaTypesOf<B> = B extends PothosSchemaTypes.SchemaBuilder<infer T extends SchemaTypes> ? T : never;

type TypedError = NotFoundError | ValidationError | AlreadyExistsError | ConflictError;

type ErrorClass = abstract new (...args: never[]) => RegistryError;

function errorType<E extends RegistryError>(name: string, cls: ErrorClass, description: string) {
  return builder.objectRef<E>(name).implement({
    description,
    // The generic E hides from Pothos that every error class extends RegistryError.
    interfaces: [ErrorRef] as never,
    isTypeOf: (value) => value instanceof cls,
  });
}

export const NotFoundErrorRef = errorType<NotFoundError>(
  'NotFoundError',
  NotFoundError,
  'The model, version, tag or alias named in the input does not exist.',
);
export const ValidationErrorRef = errorType<ValidationError>('ValidationError', ValidationError, 'An input field breaks a rule.');
builder.objectField(ValidationErrorRef, 'field', (t) =>
  t.exposeString('field', { nullable: true, description: 'The input field at fault, e.g. alias or tags[2].key.' }),
);
export const AlreadyExistsErrorRef = errorType<AlreadyExistsError>(
  'AlreadyExistsError',
  AlreadyExistsError,
  'A model with that name already exists.',
);
export const ConflictErrorRef = errorType<ConflictError>(
  'ConflictError',
  ConflictError,
  'A compare-and-set (expectedVersion) did not hold: someone moved the alias first.',
);
builder.objectField(ConflictErrorRef, 'currentVersion', (t) =>
  t.exposeInt('currentVersion', { nullable: true, description: 'The version the alias points to now (null if it does not exist).' }),
);

const errorClasses = new Map<unknown, ErrorClass>([
  [NotFoundErrorRef, NotFoundError],
  [ValidationErrorRef, ValidationError],
  [AlreadyExistsErrorRef, AlreadyExistsError],
  [ConflictErrorRef, ConflictError],
]);

const errorTypeNames = {
  NOT_FOUND: 'NotFoundError',
  INVALID_ARGUMENT: 'ValidationError',
  ALREADY_EXISTS: 'AlreadyExistsError',
  CONFLICT: 'ConflictError',
} as const;

type ErrorRefs = readonly (typeof NotFoundErrorRef | typeof ValidationErrorRef | typeof AlreadyExistsErrorRef | typeof ConflictErrorRef)[];

/**
 * Declares a mutation returning `<Payload> | <errors>` as the union `unionName`. The work runs in
 * one transaction; a typed error the union lists becomes data, anything else stays a fault.
 */
export function resultUnion<P extends object>(
  unionName: string,
  description: string,
  payloadRef: ObjectRef<SchemaTypesOf<typeof builder>, P>,
  errors: ErrorRefs,
) {
  const allowed = errors.map((ref) => errorClasses.get(ref)!);
  const union = builder.unionType(unionName, {
    description,
    types: [payloadRef, ...errors],
    resolveType: (value) => (value instanceof RegistryError ? errorTypeNames[value.code] : payloadRef),
  });
  const run = async (ctx: GraphQLContext, work: (tx: Tx, actor: Actor) => Promise<P>): Promise<P | TypedError> => {
    try {
      return await ctx.write(work);
    } catch (error) {
      if (error instanceof RegistryError && allowed.some((cls) => error instanceof cls)) return error as TypedError;
      throw error;
    }
  };
  return { union, run };
}

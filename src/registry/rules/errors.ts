// The registry's typed failures. The GraphQL layer turns each into the matching member of a
// mutation's result union; anything else is an unexpected fault and is masked for clients.

export type ErrorCode = 'NOT_FOUND' | 'INVALID_ARGUMENT' | 'ALREADY_EXISTS' | 'CONFLICT';

export abstract class RegistryError extends Error {
  abstract readonly code: ErrorCode;
}

/** What a NotFoundError is about, for front doors that word the message their own way (MLflow's REST). */
export type Missing =
  | { kind: 'model'; name: string }
  | { kind: 'version'; name: string; version: number }
  | { kind: 'alias'; name: string; alias: string }
  | { kind: 'modelTag'; name: string; key: string }
  | { kind: 'versionTag'; name: string; version: number; key: string };

export class NotFoundError extends RegistryError {
  readonly code = 'NOT_FOUND';
  constructor(
    message: string,
    readonly missing?: Missing,
  ) {
    super(message);
  }
}

export class ValidationError extends RegistryError {
  readonly code = 'INVALID_ARGUMENT';
  /** The input field at fault, e.g. `alias` or `tags[2].key`. */
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

export class AlreadyExistsError extends RegistryError {
  readonly code = 'ALREADY_EXISTS';
}

export class ConflictError extends RegistryError {
  readonly code = 'CONFLICT';
  /** The version the alias points to now (null if it does not exist). */
  constructor(
    message: string,
    readonly currentVersion: number | null,
  ) {
    super(message);
  }
}

// MLflow's error body and statuses (mlflow/exceptions.py ERROR_CODE_TO_HTTP_STATUS), and how the
// registry's typed errors read in MLflow's words. The texts are MLflow's own where clients match on
// them ("already exists", "not found"); the Python client retries 408/429/5xx on every method,
// POST included, so a caller's mistake must never come back as a 5xx.
import { AuthError } from '../auth/errors.ts';
import { isDatabaseUnavailable } from '../db/unavailable.ts';
import { InvalidSearchError } from './search-filter.ts';
import { ConflictError, NotFoundError, RegistryError, ValidationError } from '../registry/rules/errors.ts';

export type MlflowErrorCode =
  | 'INVALID_PARAMETER_VALUE'
  | 'RESOURCE_ALREADY_EXISTS'
  | 'BAD_REQUEST'
  | 'RESOURCE_DOES_NOT_EXIST'
  | 'ENDPOINT_NOT_FOUND'
  | 'RESOURCE_CONFLICT'
  | 'PERMISSION_DENIED'
  | 'UNAUTHENTICATED'
  | 'INTERNAL_ERROR'
  | 'TEMPORARILY_UNAVAILABLE';

const STATUS: Record<MlflowErrorCode, number> = {
  INVALID_PARAMETER_VALUE: 400,
  RESOURCE_ALREADY_EXISTS: 400,
  BAD_REQUEST: 400,
  RESOURCE_DOES_NOT_EXIST: 404,
  ENDPOINT_NOT_FOUND: 404,
  RESOURCE_CONFLICT: 409,
  PERMISSION_DENIED: 403,
  UNAUTHENTICATED: 401,
  INTERNAL_ERROR: 500,
  TEMPORARILY_UNAVAILABLE: 503,
};

export class MlflowError extends Error {
  constructor(
    readonly errorCode: MlflowErrorCode,
    message: string,
    /** Overrides the code's status (413 for a body over the limit: not retried, unlike 5xx). */
    readonly status: number = STATUS[errorCode],
  ) {
    super(message);
  }

  toResponse(headers: Record<string, string> = {}): MlflowResponse {
    return jsonResponse(this.status, { error_code: this.errorCode, message: this.message }, headers);
  }
}

export interface MlflowResponse {
  status: number;
  headers: Record<string, string>;
  /** JSON text. */
  body: string;
  /** For the transport to call once it has handed the answer over (retry-guard.ts). */
  delivered?: () => Promise<void>;
}

export function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): MlflowResponse {
  return { status, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) };
}

const API_DOCS = 'See the API docs for more information about request parameters.';

export const missingParameter = (name: string) =>
  new MlflowError('INVALID_PARAMETER_VALUE', `Missing value for required parameter '${name}'. ${API_DOCS}`);

export const invalidParameter = (name: string, value: unknown) =>
  new MlflowError(
    'INVALID_PARAMETER_VALUE',
    `Invalid value ${pythonRepr(value)} for parameter '${name}' supplied: Hint: Value was of type '${pythonType(value)}'. ${API_DOCS}`,
  );

export const modelAlreadyExists = (name: string) =>
  new MlflowError('RESOURCE_ALREADY_EXISTS', `Registered Model (name=${name}) already exists.`);

export const modelNotFound = (name: string) => new MlflowError('RESOURCE_DOES_NOT_EXIST', `Registered Model with name=${name} not found`);

export const versionNotFound = (name: string, version: number | string) =>
  new MlflowError('RESOURCE_DOES_NOT_EXIST', `Model Version (name=${name}, version=${version}) not found`);

// MLflow answers an unknown alias with 400, not 404 (§1.4 of the notes); clients rely on the text.
export const aliasNotFound = (alias: string) => new MlflowError('INVALID_PARAMETER_VALUE', `Registered model alias ${alias} not found.`);

export const endpointNotFound = (method: string, path: string) =>
  new MlflowError('ENDPOINT_NOT_FOUND', `No MLflow endpoint ${method} ${path} on this server.`);

/** Any error a route threw, as MLflow would answer it; null for a fault the caller did not cause. */
export function toMlflowError(error: unknown): MlflowError | null {
  if (error instanceof MlflowError) return error;
  if (error instanceof AuthError) {
    return new MlflowError(error.code === 'UNAUTHENTICATED' ? 'UNAUTHENTICATED' : 'PERMISSION_DENIED', error.message);
  }
  if (error instanceof NotFoundError) {
    const missing = error.missing;
    switch (missing?.kind) {
      case 'model':
        return modelNotFound(missing.name);
      case 'version':
        return versionNotFound(missing.name, missing.version);
      case 'alias':
        return aliasNotFound(missing.alias);
      case 'modelTag':
        return new MlflowError('RESOURCE_DOES_NOT_EXIST', `Registered model tag with name=${missing.name}, key=${missing.key} not found`);
      case 'versionTag':
        return new MlflowError(
          'RESOURCE_DOES_NOT_EXIST',
          `Model version tag with name=${missing.name}, version=${missing.version}, key=${missing.key} not found`,
        );
      default:
        return new MlflowError('RESOURCE_DOES_NOT_EXIST', error.message);
    }
  }
  if (error instanceof InvalidSearchError) return new MlflowError('INVALID_PARAMETER_VALUE', error.message);
  if (error instanceof ValidationError) return new MlflowError('INVALID_PARAMETER_VALUE', error.message);
  if (error instanceof ConflictError) return new MlflowError('RESOURCE_CONFLICT', error.message);
  // AlreadyExistsError: the routes that can meet it word it themselves (they know the name).
  if (error instanceof RegistryError) return new MlflowError('INVALID_PARAMETER_VALUE', error.message);
  // The client's retries are what an outage needs: 503 is one of the statuses it retries.
  if (isDatabaseUnavailable(error)) return new MlflowError('TEMPORARILY_UNAVAILABLE', 'The registry database is unavailable; retry later.');
  return null;
}

function pythonType(value: unknown): string {
  if (value === null) return 'NoneType';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'float';
  if (Array.isArray(value)) return 'list';
  if (typeof value === 'object') return 'dict';
  return 'str';
}

function pythonRepr(value: unknown): string {
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (value === null) return 'None';
  if (typeof value === 'number' || typeof value === 'string') return String(value);
  return JSON.stringify(value);
}

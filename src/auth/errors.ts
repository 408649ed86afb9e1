// Why a request may not proceed. The GraphQL layer turns these into GraphQL errors with
// extensions.code UNAUTHENTICATED (HTTP 401) or FORBIDDEN.

export class AuthError extends Error {
  constructor(
    readonly code: 'UNAUTHENTICATED' | 'FORBIDDEN',
    message: string,
  ) {
    super(message);
  }

  get httpStatus(): number {
    return this.code === 'UNAUTHENTICATED' ? 401 : 403;
  }
}

export const unauthenticated = (message: string) => new AuthError('UNAUTHENTICATED', message);
export const forbidden = (message: string) => new AuthError('FORBIDDEN', message);

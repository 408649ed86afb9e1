// The GraphQL side of authorization. Who may do what is decided by the registry: its commands
// (src/registry/registry.ts) and its reads (src/registry/reads.ts). Here: the start-up check that
// every mutation is one of those commands, and how an AuthError reaches clients.
import { GraphQLError, type GraphQLSchema } from 'graphql';
import { AuthError } from '../auth/errors.ts';
import { COMMAND_NAMES } from '../registry/registry.ts';

/**
 * Refuses a schema with a mutation that is not a registry command: a write that bypassed the
 * commands would bypass their permission checks, so it cannot ship.
 */
export function requireCommandPerMutation(schema: GraphQLSchema): GraphQLSchema {
  const fields = Object.keys(schema.getMutationType()?.getFields() ?? {});
  const strays = fields.filter((name) => !COMMAND_NAMES.has(name));
  if (strays.length > 0) throw new Error(`mutations that are not registry commands (src/registry/registry.ts): ${strays.join(', ')}`);
  return schema;
}

/** An AuthError as the GraphQL error clients see; anything else unchanged. */
export function toGraphQLAuthError(error: unknown, source?: GraphQLError): GraphQLError | null {
  if (!(error instanceof AuthError)) return null;
  return new GraphQLError(error.message, {
    nodes: source?.nodes,
    path: source?.path,
    // FORBIDDEN can come with partial data, so it keeps HTTP 200; a request without a valid token gets 401.
    extensions: error.code === 'UNAUTHENTICATED' ? { code: error.code, http: { status: error.httpStatus } } : { code: error.code },
  });
}

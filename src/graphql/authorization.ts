// The GraphQL side of authorization. Who may do what is decided by the registry's commands
// (src/registry/registry.ts) and by the reads' scope filters; here: the start-up check that every
// mutation is one of those commands, the visibility rule of single-model lookups, and how an
// AuthError reaches clients.
import { GraphQLError, type GraphQLSchema } from 'graphql';
import { AuthError } from '../auth/errors.ts';
import type { RegisteredModel } from '../generated/prisma/client.ts';
import { COMMAND_NAMES } from '../registry/registry.ts';
import type { GraphQLContext } from './context.ts';

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

/** The model if this request may see it, else null (as if it did not exist). */
export function visibleModel<M extends Pick<RegisteredModel, 'name'>>(ctx: GraphQLContext, model: M | null | undefined): M | null {
  return model && ctx.access.canSee(model.name) ? model : null;
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

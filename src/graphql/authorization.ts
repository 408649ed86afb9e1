// Who may call which mutation, in one table, applied to the schema's resolvers: a mutation
// without a rule makes the server refuse to start, so a new write cannot ship unguarded.
// Reads are filtered where they happen (scoped listings, `visibleModel`), writes are checked here
// before their transaction starts, and alias removals that happen as a side effect (deleting a
// version or model) are checked inside it (`guardProtectedAliases`).
import { type GraphQLFieldResolver, type GraphQLSchema, GraphQLError, defaultFieldResolver } from 'graphql';
import type { Access, Role } from '../auth/access.ts';
import { AuthError, forbidden } from '../auth/errors.ts';
import type { RegisteredModel } from '../generated/prisma/client.ts';
import { type Tx, lockModel } from '../registry/context.ts';
import type { GraphQLContext } from './context.ts';

interface MutationRule {
  role: Role;
  /** The model names the mutation changes (each must be in the token's scope). */
  models?: (input: Record<string, any>) => string[];
  /** The alias it sets or deletes (protected ones need promote). */
  alias?: (input: Record<string, any>) => { model: string; alias: string };
}

const onModel: MutationRule = { role: 'WRITER', models: (input) => [input.name] };
const onAlias: MutationRule = { ...onModel, alias: (input) => ({ model: input.name, alias: input.alias }) };

export const MUTATION_RULES: Readonly<Record<string, MutationRule>> = {
  createRegisteredModel: onModel,
  updateRegisteredModel: onModel,
  renameRegisteredModel: { role: 'WRITER', models: (input) => [input.name, input.newName] },
  deleteRegisteredModel: onModel,
  createModelVersion: onModel,
  updateModelVersion: onModel,
  deleteModelVersion: onModel,
  setRegisteredModelTag: onModel,
  deleteRegisteredModelTag: onModel,
  setModelVersionTag: onModel,
  deleteModelVersionTag: onModel,
  setModelAlias: onAlias,
  deleteModelAlias: onAlias,
  createApiToken: { role: 'ADMIN' },
  revokeApiToken: { role: 'ADMIN' },
  createWebhook: { role: 'ADMIN' },
  updateWebhook: { role: 'ADMIN' },
  deleteWebhook: { role: 'ADMIN' },
  testWebhook: { role: 'ADMIN' },
};

/** Checks a mutation call against its rule; throws an AuthError when refused. */
export function authorizeMutation(access: Access, field: string, input: Record<string, any> | undefined): void {
  const rule = MUTATION_RULES[field];
  if (!rule) throw new AuthError('FORBIDDEN', `mutation ${field} has no access rule`);
  access.requireRole(rule.role, field);
  if (rule.models && input) access.requireWrite(rule.models(input), field);
  if (rule.alias && input) {
    const { model, alias } = rule.alias(input);
    access.requireAliasChange(model, alias);
  }
}

/** Wraps every mutation resolver with its rule (in place) and returns the schema. */
export function guardMutations(schema: GraphQLSchema): GraphQLSchema {
  const fields = schema.getMutationType()?.getFields() ?? {};
  const unguarded = Object.keys(fields).filter((name) => !MUTATION_RULES[name]);
  if (unguarded.length > 0) throw new Error(`mutations without an access rule in src/graphql/authorization.ts: ${unguarded.join(', ')}`);
  for (const field of Object.values(fields)) {
    const resolve: GraphQLFieldResolver<unknown, GraphQLContext> = field.resolve ?? defaultFieldResolver;
    field.resolve = (root, args, ctx, info) => {
      authorizeMutation(ctx.access, field.name, args.input as Record<string, any> | undefined);
      return resolve(root, args, ctx, info);
    };
  }
  return schema;
}

/**
 * The scope check of an idempotent replay (see runIdempotent): the model the first attempt wrote
 * to must still be one this token may change. The refusal names the model as the caller knew it,
 * not its new name, which belongs to whoever owns it now.
 */
export function replayWriteCheck(access: Access, field: string): (modelName: string, storedName: string) => void {
  return (modelName, storedName) => {
    if (access.canSee(modelName)) return;
    throw forbidden(
      `${field}: registered model ${JSON.stringify(storedName)}, which this idempotencyKey's first attempt wrote to, ` +
        `has since been renamed outside the models of token "${access.actor}"; use a new key for a new request`,
    );
  };
}

/** The model if this request may see it, else null (as if it did not exist). */
export function visibleModel<M extends Pick<RegisteredModel, 'name'>>(ctx: GraphQLContext, model: M | null | undefined): M | null {
  return model && ctx.access.canSee(model.name) ? model : null;
}

/**
 * Inside a write's transaction, before a version (or with `version` null, the whole model) is
 * deleted or the model renamed: the aliases that go with it must not be protected, unless the
 * token may promote. Locks the model first, so no alias can arrive between check and change.
 */
export async function guardProtectedAliases(
  tx: Tx,
  access: Access,
  modelName: string,
  options: { version?: number; newName?: string } = {},
): Promise<void> {
  if (access.promote || access.policy.rules.length === 0) return;
  const { model } = await lockModel(tx, modelName);
  const aliases = await tx.modelAlias.findMany({
    where: { modelId: model.id, ...(options.version === undefined ? {} : { version: { version: options.version } }) },
    select: { alias: true },
  });
  for (const { alias } of aliases) {
    access.requireAliasChange(modelName, alias);
    if (options.newName !== undefined) access.requireAliasChange(options.newName, alias);
  }
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

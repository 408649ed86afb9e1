// The HTTP-facing GraphQL server: yoga over the Pothos schema, GraphiQL served offline.
import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import { GraphQLError } from 'graphql';
import { type Plugin, createYoga, maskError as defaultMaskError } from 'graphql-yoga';
import type { Authenticator } from '../auth/authenticator.ts';
import type { Access } from '../auth/access.ts';
import { AuthError } from '../auth/errors.ts';
import type { SecurityConfig } from '../config.ts';
import { databaseUnavailableError, isDatabaseUnavailable } from '../db/unavailable.ts';
import { ValidationError } from '../registry/rules/errors.ts';
import { toGraphQLAuthError } from './authorization.ts';
import { createContext } from './context.ts';
import type { Registry } from '../registry/registry.ts';
import type { RegistryEventFeed } from '../events/feed.ts';
import { type HealthOptions, LIVENESS_ENDPOINT, useHealth } from './plugins/health.ts';
import { performancePlugins } from './performance.ts';
import { useFreshLoadersPerSubscriptionEvent } from './plugins/subscription-event-loaders.ts';
import { securityPlugins, withoutSuggestions } from './http-security.ts';
import { schema } from './schema/index.ts';

export const EXAMPLE_QUERY = `# Welcome to the model registry. Press the run button to list models.
query Dashboard {
  registeredModels(first: 10) {
    totalCount
    nodes {
      name
      description
      tags { key value }
      aliases { alias version { version } }
      versions(first: 5) {
        nodes { version status source aliases tags { key value } }
      }
    }
  }
}

# mutation Register {
#   createRegisteredModel(input: { name: "fraud", tags: [{ key: "task", value: "classification" }] }) {
#     __typename
#     ... on RegisteredModelPayload { registeredModel { name } }
#     ... on Error { code message }
#   }
# }
`;

/** What the GraphQL server is built from (by src/app.ts). */
export interface YogaParts {
  registry: Registry;
  feed: RegistryEventFeed;
  authenticator: Authenticator;
  security: SecurityConfig;
  /** Where unexpected errors are reported in full (clients only see "Unexpected error."). */
  logError: (error: unknown) => void;
  /** /health's database ping and shutdown state. */
  health: HealthOptions;
  /** More yoga/envelop plugins, after the server's own (measurements, e.g. bench/memory-probe.ts). */
  plugins?: Plugin[];
}

export function createRegistryYoga(parts: YogaParts) {
  const { registry, feed, authenticator, security, logError } = parts;
  // Who sent each request, found before its operation is parsed or validated (so a caller without a
  // valid token learns nothing about the schema) and reused by the context.
  const accessOf = new WeakMap<Request, Promise<Access>>();
  const authenticate = (request: Request): Promise<Access> => {
    let access = accessOf.get(request);
    if (!access) {
      access = authenticator.authenticate(request.headers.get('authorization')).catch((error) => {
        throw toGraphQLAuthError(error) ?? error;
      });
      accessOf.set(request, access);
    }
    return access;
  };
  const authenticateFirst: Plugin = {
    async onParams({ request }) {
      await authenticate(request);
    },
  };
  return createYoga({
    schema,
    graphqlEndpoint: '/graphql',
    landingPage: false,
    // yoga's own health check is the liveness probe (no database); /health is the readiness one.
    healthCheckEndpoint: LIVENESS_ENDPOINT,
    // Faults are logged once, in full, by maskError below; yoga's own logger would repeat them.
    logging: false,
    graphiql: { title: 'Model registry', defaultQuery: EXAMPLE_QUERY },
    renderGraphiQL,
    context: async ({ request }) => {
      const access = await authenticate(request);
      return createContext({ registry, feed }, access);
    },
    cors: security.corsOrigins.length
      ? {
          origin: [...security.corsOrigins],
          methods: ['GET', 'POST'],
          allowedHeaders: ['authorization', 'content-type'],
          credentials: false,
        }
      : false,
    batching: security.maxBatch > 0 ? { limit: security.maxBatch } : false,
    // useBodyLimit (http-security.ts) refuses an oversized body by its Content-Length before it is
    // read, and a chunked one outright; node:http delivers no more bytes than Content-Length says.
    // yoga's own limit would pipe every body through a counting TransformStream as well, which
    // measured at more than half of a small query's CPU time (BENCHMARKS.md).
    maxRequestBodySize: false,
    plugins: [
      useHealth(parts.health),
      authenticateFirst,
      ...securityPlugins(security),
      ...performancePlugins(),
      useFreshLoadersPerSubscriptionEvent(),
      ...(parts.plugins ?? []),
    ],
    maskedErrors: {
      // Never yoga's development mode (NODE_ENV=development): it would send originalError and stacks.
      isDev: false,
      maskError(error, message) {
        const shown = clientError(error, message);
        // yoga puts a parser's originalError (e.g. the invalid JSON body, echoed) in extensions.
        // Some errors (e.g. variable coercion's) arrive without extensions.
        const extensions = shown.extensions as Record<string, unknown> | undefined;
        if (extensions && 'originalError' in extensions) {
          delete extensions.originalError;
          // yoga answers such a "spec" error with 200 once its originalError is gone; it stays a 400.
          if (extensions.http) extensions.http = { ...(extensions.http as object), spec: false };
        }
        if (extensions) delete extensions.stack;
        return security.introspection ? shown : withoutSuggestions(shown);
      },
    },
  });

  function clientError(error: unknown, message: string): GraphQLError {
    // GraphQL errors we raise on purpose (bad `first`, malformed URI, ...) reach the client as
    // they are; anything else is a fault, logged here in full and masked for the client.
    const original = error instanceof GraphQLError ? error.originalError : error;
    if (original instanceof AuthError) return toGraphQLAuthError(original, error instanceof GraphQLError ? error : undefined)!;
    if (error instanceof GraphQLError && (!original || original instanceof GraphQLError)) return error;
    // A rule of the registry broken by a query's or subscription's arguments (mutations answer it
    // as a ValidationError result): bad input, not a fault.
    if (original instanceof ValidationError) {
      return new GraphQLError(original.message, {
        nodes: error instanceof GraphQLError ? error.nodes : undefined,
        path: error instanceof GraphQLError ? error.path : undefined,
        extensions: { code: 'BAD_USER_INPUT', field: original.field },
      });
    }
    if (isDatabaseUnavailable(original ?? error))
      return databaseUnavailableError(original ?? error, error instanceof GraphQLError ? error : undefined);
    logError(original ?? error);
    return defaultMaskError(error, message, false) as GraphQLError;
  }
}

export type RegistryYoga = ReturnType<typeof createRegistryYoga>;

// The HTTP-facing GraphQL server: yoga over the Pothos schema, GraphiQL served offline.
import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import { GraphQLError } from 'graphql';
import { createYoga, maskError as defaultMaskError } from 'graphql-yoga';
import type { Database } from '../db/database.ts';
import { databaseUnavailableError, isDatabaseUnavailable } from '../db/unavailable.ts';
import { createContext } from './context.ts';
import { performancePlugins } from './performance.ts';
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

export interface YogaOptions {
  /** Where unexpected errors are reported in full (clients only see "Unexpected error."). */
  logError?: (error: unknown) => void;
}

export function createRegistryYoga(db: Database, options: YogaOptions = {}) {
  const logError = options.logError ?? ((error: unknown) => console.error('[graphql] unexpected error:', error));
  return createYoga({
    schema,
    graphqlEndpoint: '/graphql',
    landingPage: false,
    // Faults are logged once, in full, by maskError below; yoga's own logger would repeat them.
    logging: false,
    graphiql: { title: 'Model registry', defaultQuery: EXAMPLE_QUERY },
    renderGraphiQL,
    plugins: performancePlugins(),
    context: () => createContext(db.prisma, null),
    maskedErrors: {
      maskError(error, message, isDev) {
        // GraphQL errors we raise on purpose (bad `first`, malformed URI, ...) reach the client as
        // they are; anything else is a fault, logged here in full and masked for the client.
        const original = error instanceof GraphQLError ? error.originalError : error;
        if (error instanceof GraphQLError && (!original || original instanceof GraphQLError)) return error;
        if (isDatabaseUnavailable(original ?? error)) return databaseUnavailableError(original ?? error, error instanceof GraphQLError ? error : undefined);
        logError(original ?? error);
        return defaultMaskError(error, message, isDev);
      },
    },
  });
}

export type RegistryYoga = ReturnType<typeof createRegistryYoga>;

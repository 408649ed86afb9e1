// Runs GraphQL operations against the real yoga server in-process (no port), as a client would.
import type { Database } from '../../src/db/database.ts';
import { DEFAULT_GRAPHQL_LIMITS, type SecurityConfig, type WebhookSettings } from '../../src/config.ts';
import { createApp } from '../../src/app.ts';

export interface GraphQLResponse<T> {
  data?: T;
  errors?: { message: string; extensions?: Record<string, unknown>; path?: (string | number)[] }[];
}

export interface GraphQLClient {
  /** Any response, errors included. */
  request<T = any>(query: string, variables?: Record<string, unknown>): Promise<GraphQLResponse<T> & { status: number }>;
  /** The data of a response that must have no errors. */
  data<T = any>(query: string, variables?: Record<string, unknown>): Promise<T>;
  /** Faults the server logged (masked for clients). */
  readonly logged: unknown[];
}

export interface ClientOptions {
  /** Sent as `Authorization: Bearer <token>`. */
  token?: string;
  /**
   * Server settings. By default auth is off (no token needed) and the API suites may use more
   * aliases and root fields per operation than production allows (they batch many checks into one
   * query); depth and complexity keep their production defaults. test/security/ tests the defaults.
   */
  security?: Partial<SecurityConfig>;
  /** The webhook rules mutations apply (default: https only, no internal addresses). */
  webhooks?: WebhookSettings;
}

export function graphqlClient(db: Database, options: ClientOptions = {}): GraphQLClient {
  const logged: unknown[] = [];
  const yoga = createApp(db, {
    logError: (error) => logged.push(error),
    security: { limits: { ...DEFAULT_GRAPHQL_LIMITS, maxAliases: 100, maxRootFields: 100 }, ...options.security },
    liveUpdates: options.webhooks ? { webhooks: options.webhooks } : undefined,
  }).yoga;
  const request = async (query: string, variables?: Record<string, unknown>) => {
    const response = await yoga.fetch('http://localhost/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(options.token ? { authorization: `Bearer ${options.token}` } : {}) },
      body: JSON.stringify({ query, variables }),
    });
    return { status: response.status, ...((await response.json()) as GraphQLResponse<any>) };
  };
  return {
    logged,
    request,
    async data(query, variables) {
      const response = await request(query, variables);
      if (response.errors?.length) {
        throw new Error(`GraphQL errors: ${JSON.stringify(response.errors)} (logged: ${logged.map(String).join('; ')})`);
      }
      return response.data;
    },
  };
}

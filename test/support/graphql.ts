// Runs GraphQL operations against the real yoga server in-process (no port), as a client would.
import type { Database } from '../../src/db/database.ts';
import { createRegistryYoga } from '../../src/graphql/yoga.ts';

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

export function graphqlClient(db: Database): GraphQLClient {
  const logged: unknown[] = [];
  const yoga = createRegistryYoga(db, { logError: (error) => logged.push(error) });
  const request = async (query: string, variables?: Record<string, unknown>) => {
    const response = await yoga.fetch('http://localhost/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
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

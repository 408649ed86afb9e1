// Calls the MLflow REST front door in-process (no port), as the transport would: method, path with
// query string, headers and a raw body (GET and DELETE bodies included, which MLflow's clients send).
import type { Database } from '../../src/db/database.ts';
import type { SecurityConfig } from '../../src/config.ts';
import { createApp } from '../../src/app.ts';

export interface MlflowCall {
  /** Path and query, e.g. `/api/2.0/mlflow/registered-models/get?name=iris`. */
  path: string;
  method?: string;
  /** A JSON value (sent with Content-Type application/json) or raw text. */
  body?: unknown;
  headers?: Record<string, string>;
  /** The answer is lost on its way (the transport never reports it delivered). */
  lost?: boolean;
}

export interface MlflowClient {
  call(call: MlflowCall): Promise<{ status: number; headers: Record<string, string>; json: any }>;
  readonly logged: unknown[];
}

export function mlflowClient(db: Database, options: { token?: string; security?: Partial<SecurityConfig> } = {}): MlflowClient {
  const logged: unknown[] = [];
  const { mlflow } = createApp(db, { logError: (error) => logged.push(error), security: options.security });
  return {
    logged,
    async call({ path, method = 'GET', body, headers = {}, lost = false }) {
      const text = body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body);
      const all = new Headers(headers);
      if (typeof body === 'object' && body !== null && !all.has('content-type')) all.set('content-type', 'application/json');
      if (options.token && !all.has('authorization')) all.set('authorization', `Bearer ${options.token}`);
      const response = await mlflow.serve({ method, url: new URL(path, 'http://localhost'), headers: all, body: text });
      // As the transport does once the answer is out; `lost` plays an answer that never arrived.
      if (!lost) await response.delivered?.();
      return { status: response.status, headers: response.headers, json: JSON.parse(response.body) };
    },
  };
}

import { GraphQLError, Kind } from 'graphql';
import { builder } from '../builder.ts';

function parseDateTime(value: unknown): Date {
  // Only full ISO-8601 instants with an offset or Z: a bare date or local time is ambiguous.
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i.test(value)) {
    const date = new Date(value);
    if (!Number.isNaN(date.getTime())) return date;
  }
  throw new GraphQLError(`DateTime must be an ISO-8601 instant with an offset, e.g. 2026-11-27T06:00:00Z (got ${JSON.stringify(value)})`);
}

export const DateTime = builder.scalarType('DateTime', {
  description: 'An instant, ISO-8601 with offset on output (e.g. 2026-11-27T06:00:00.000Z); input must carry an offset or Z.',
  serialize: (value) => (value instanceof Date ? value : new Date(value as string)).toISOString(),
  parseValue: parseDateTime,
  parseLiteral: (ast) => parseDateTime(ast.kind === Kind.STRING ? ast.value : undefined),
});

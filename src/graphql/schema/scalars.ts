import { GraphQLError, Kind } from 'graphql';
import { builder } from '../builder.ts';

const ISO_INSTANT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(?:Z|[+-](\d{2}):?(\d{2}))$/i;

function daysInMonth(year: number, month: number): number {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
}

/** The instant, or null when `value` is not a real one (JavaScript would roll 02-30 into March). */
function parseInstant(value: unknown): Date | null {
  const match = typeof value === 'string' ? ISO_INSTANT.exec(value) : null;
  if (!match) return null;
  const [year, month, day, hour, minute, second = 0, offsetHours = 0, offsetMinutes = 0] = match
    .slice(1)
    .map((part) => (part === undefined ? undefined : Number(part))) as number[];
  const fieldsValid =
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= daysInMonth(year, month) &&
    hour <= 23 &&
    minute <= 59 &&
    second <= 59 &&
    offsetHours <= 23 &&
    offsetMinutes <= 59;
  const date = new Date(value as string);
  // PostgreSQL stores years 1 to 9999 in ISO form; outside that range is refused here, not there.
  const instantYear = date.getUTCFullYear();
  return fieldsValid && !Number.isNaN(date.getTime()) && instantYear >= 1 && instantYear <= 9999 ? date : null;
}

function parseDateTime(value: unknown): Date {
  // Only full ISO-8601 instants with an offset or Z: a bare date or local time is ambiguous.
  const date = parseInstant(value);
  if (date) return date;
  throw new GraphQLError(
    `DateTime must be an ISO-8601 instant between years 1 and 9999 with an offset, e.g. 2026-11-27T06:00:00Z (got ${JSON.stringify(value)})`,
  );
}

export const DateTime = builder.scalarType('DateTime', {
  description: 'An instant, ISO-8601 with offset on output (e.g. 2026-11-27T06:00:00.000Z); input must carry an offset or Z.',
  serialize: (value) => (value instanceof Date ? value : new Date(value as string)).toISOString(),
  parseValue: parseDateTime,
  parseLiteral: (ast) => parseDateTime(ast.kind === Kind.STRING ? ast.value : undefined),
});

// PostgreSQL sends a timestamptz as text ("2026-11-27 10:02:24.123456+00"). pg's own parser
// (postgres-date) runs three regular expressions per value, which made it the largest single cost
// of reading a dashboard's 2,200 version timestamps (BENCHMARKS.md); this one reads the common
// shape digit by digit and leaves everything else (BC, 5-digit years, infinity) to pg's parser.
import pg from 'pg';

const TIMESTAMPTZ_OID = 1184;
const fallback = pg.types.getTypeParser(TIMESTAMPTZ_OID, 'text') as (text: string) => Date;

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

/** Two digits at `at` as a number, or -1. */
function twoDigits(text: string, at: number): number {
  const a = text.charCodeAt(at);
  const b = text.charCodeAt(at + 1);
  return isDigit(a) && isDigit(b) ? (a - 48) * 10 + (b - 48) : -1;
}

/**
 * "YYYY-MM-DD HH:MM:SS[.f{1,6}]±HH[:MM[:SS]]" (PostgreSQL's ISO DateStyle, any TimeZone) as a Date,
 * truncated to the millisecond like pg's parser.
 */
export function parseTimestamptz(text: string): Date {
  const century = twoDigits(text, 0);
  const yearInCentury = twoDigits(text, 2);
  const month = twoDigits(text, 5);
  const day = twoDigits(text, 8);
  const hour = twoDigits(text, 11);
  const minute = twoDigits(text, 14);
  const second = twoDigits(text, 17);
  if (
    century < 1 ||
    yearInCentury < 0 ||
    month < 0 ||
    day < 0 ||
    hour < 0 ||
    minute < 0 ||
    second < 0 ||
    text[4] !== '-' ||
    text[7] !== '-' ||
    text[10] !== ' ' ||
    text[13] !== ':' ||
    text[16] !== ':'
  ) {
    return fallback(text);
  }
  let at = 19;
  let millisecond = 0;
  if (text[at] === '.') {
    at++;
    let scale = 100;
    while (isDigit(text.charCodeAt(at))) {
      millisecond += (text.charCodeAt(at) - 48) * scale;
      scale /= 10;
      at++;
    }
    millisecond = Math.trunc(millisecond);
  }
  const sign = text[at] === '+' ? 1 : text[at] === '-' ? -1 : 0;
  const offsetHours = twoDigits(text, at + 1);
  if (sign === 0 || offsetHours < 0) return fallback(text);
  at += 3;
  let offsetSeconds = offsetHours * 3600;
  for (const factor of [60, 1]) {
    if (text[at] !== ':') break;
    const part = twoDigits(text, at + 1);
    if (part < 0) return fallback(text);
    offsetSeconds += part * factor;
    at += 3;
  }
  if (at !== text.length) return fallback(text);
  const year = century * 100 + yearInCentury;
  const utc = Date.UTC(year, month - 1, day, hour, minute, second, millisecond);
  return new Date(utc - sign * offsetSeconds * 1000);
}

/** pg's type parsers with the timestamptz one above. */
export function getTypeParser(oid: number, format?: 'text' | 'binary'): (text: string) => unknown {
  if (oid === TIMESTAMPTZ_OID && format !== 'binary') return parseTimestamptz;
  return pg.types.getTypeParser(oid, format as 'text');
}

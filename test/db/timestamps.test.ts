import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { getTypeParser, parseTimestamptz } from '../../src/db/timestamps.ts';

const pgParser = pg.types.getTypeParser(1184, 'text') as (text: string) => Date;

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}

/** A deterministic pseudo-random sequence, so a failure names a value that can be replayed. */
function* randomTimestamps(count: number) {
  let seed = 20261127;
  const next = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % n;
  };
  for (let i = 0; i < count; i++) {
    const year = 100 + next(9900);
    const date = `${pad(year, 4)}-${pad(1 + next(12), 2)}-${pad(1 + next(28), 2)}`;
    const time = `${pad(next(24), 2)}:${pad(next(60), 2)}:${pad(next(60), 2)}`;
    const digits = next(7);
    const fraction = digits === 0 ? '' : `.${pad(next(10 ** digits), digits)}`;
    const sign = next(2) === 0 ? 1 : -1;
    const [hours, minutes, seconds] = [next(15), [0, 0, 30, 45][next(4)], [0, 0, 0, 17][next(4)]];
    const offset = `${sign > 0 ? '+' : '-'}${pad(hours, 2)}${minutes || seconds ? `:${pad(minutes, 2)}` : ''}${seconds ? `:${pad(seconds, 2)}` : ''}`;
    const millisecond = fraction ? Math.trunc(Number(`0${fraction}`) * 1000 + 1e-9) : 0;
    const expected = Date.parse(`${date}T${time}.${pad(millisecond, 3)}Z`) - sign * (hours * 3600 + minutes * 60 + seconds) * 1000;
    yield { text: `${date} ${time}${fraction}${offset}`, expected };
  }
}

describe('parseTimestamptz', () => {
  it('reads PostgreSQL timestamptz text to the millisecond, in any time zone', () => {
    for (const { text, expected } of randomTimestamps(20_000)) {
      expect(parseTimestamptz(text).getTime(), text).toBe(expected);
    }
  });

  it('agrees with pg on the values the registry writes', () => {
    for (const text of [
      '2026-11-27 10:02:24.123456+00',
      '2026-01-01 00:00:00+00',
      '1999-12-31 23:59:59.999999+00',
      '2026-06-01 06:30:00.1+05:30',
    ]) {
      expect(parseTimestamptz(text).toISOString()).toBe(pgParser(text).toISOString());
    }
  });

  it('leaves other shapes to pg (BC, five-digit years, years below 100, infinity)', () => {
    for (const text of ['0044-03-15 12:00:00+00 BC', '10000-01-01 00:00:00+00', '0099-01-01 00:00:00+00', 'infinity', '-infinity']) {
      const ours = parseTimestamptz(text) as unknown;
      const theirs = pgParser(text) as unknown;
      expect(ours instanceof Date ? ours.getTime() : ours).toEqual(theirs instanceof Date ? theirs.getTime() : theirs);
    }
  });

  it('is what the direct read path uses for timestamptz only', () => {
    expect(getTypeParser(1184, 'text')).toBe(parseTimestamptz);
    expect(getTypeParser(23, 'text')).toBe(pg.types.getTypeParser(23, 'text'));
  });
});

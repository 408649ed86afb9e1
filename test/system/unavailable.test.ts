// Which failures count as "the database is unavailable" (the DATABASE_UNAVAILABLE GraphQL error)
// and which stay faults; the outage test shows the real ones end to end.
import { describe, expect, it } from 'vitest';
import { Prisma } from '../../src/generated/prisma/client.ts';
import { DATABASE_UNAVAILABLE, databaseUnavailableError, isDatabaseUnavailable } from '../../src/db/unavailable.ts';

const known = (code: string, meta?: Record<string, unknown>) =>
  new Prisma.PrismaClientKnownRequestError(`failed with ${code}`, { code, clientVersion: 'test', meta });

describe('isDatabaseUnavailable', () => {
  it('recognises unreachable, shut-down, hung and saturated databases, however deep the cause', () => {
    expect(isDatabaseUnavailable(known('P1001'))).toBe(true);
    expect(isDatabaseUnavailable(known('P2024'))).toBe(true);
    expect(isDatabaseUnavailable(known('P2028'))).toBe(true);
    expect(isDatabaseUnavailable(known('P2010', { driverAdapterError: { cause: { kind: 'DatabaseNotReachable' } } }))).toBe(true);
    expect(
      isDatabaseUnavailable(
        new Error('wrapped', { cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5'), { code: 'ECONNREFUSED' }) }),
      ),
    ).toBe(true);
    expect(
      isDatabaseUnavailable({ cause: { originalCode: '57P01', message: 'terminating connection due to administrator command' } }),
    ).toBe(true);
    expect(isDatabaseUnavailable(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isDatabaseUnavailable(new Error('Client has encountered a connection error and is not queryable'))).toBe(true);
    expect(isDatabaseUnavailable(new Error('Query read timeout'))).toBe(true);
  });

  it('leaves every other failure a fault', () => {
    expect(isDatabaseUnavailable(known('P2002'))).toBe(false);
    expect(isDatabaseUnavailable(known('P2025'))).toBe(false);
    expect(isDatabaseUnavailable(new TypeError("Cannot read properties of undefined (reading 'id')"))).toBe(false);
    expect(isDatabaseUnavailable({ cause: { originalCode: '23505' } })).toBe(false);
    const loop: { cause?: unknown } = {};
    loop.cause = loop;
    expect(isDatabaseUnavailable(loop)).toBe(false);
    expect(isDatabaseUnavailable(null)).toBe(false);
  });

  it('turns into one retryable GraphQL error', () => {
    const error = databaseUnavailableError(known('P1001'));
    expect(error.message).toBe('The database is unavailable; retry shortly.');
    expect(error.extensions).toMatchObject({ code: DATABASE_UNAVAILABLE, http: { status: 503 } });
  });
});

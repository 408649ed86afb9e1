// Webhook signatures: HMAC-SHA256 with the webhook's secret over `<timestamp>.<body>`, so a
// receiver can reject forged and replayed requests (check the timestamp is recent, then compare).
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'x-registry-signature';
export const TIMESTAMP_HEADER = 'x-registry-timestamp';
export const DELIVERY_HEADER = 'x-registry-delivery';

/** `sha256=<hex>` for a body sent at `timestamp` (Unix seconds). */
export function signPayload(secret: string, timestamp: number, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** What a receiver does (README shows the same in a few lines): constant-time comparison. */
export function verifySignature(secret: string, timestamp: string | number, body: string, signature: string): boolean {
  const expected = Buffer.from(signPayload(secret, Number(timestamp), body));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

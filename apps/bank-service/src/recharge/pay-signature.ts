import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Payment callbacks are signed by the provider with a shared secret: HMAC-SHA256 over the order id,
 * hex. Verification is constant-time; a missing or malformed signature is simply invalid.
 */
export function signPayCallback(secret: string, orderId: string): string {
  return createHmac('sha256', secret).update(`pay-notify:${orderId}`).digest('hex');
}

export function verifyPayCallback(secret: string, orderId: string, signature: unknown): boolean {
  if (typeof signature !== 'string' || !/^[0-9a-f]{64}$/.test(signature)) return false;
  const expected = Buffer.from(signPayCallback(secret, orderId), 'hex');
  return timingSafeEqual(expected, Buffer.from(signature, 'hex'));
}

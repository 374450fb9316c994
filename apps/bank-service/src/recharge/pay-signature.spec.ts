import { signPayCallback, verifyPayCallback } from './pay-signature';

describe('payment callback signature', () => {
  const secret = 'a-secret-of-sufficient-length';

  it('accepts what the provider signed', () => {
    expect(verifyPayCallback(secret, 'PO123', signPayCallback(secret, 'PO123'))).toBe(true);
  });

  it.each([
    ['another order', signPayCallback('a-secret-of-sufficient-length', 'PO124')],
    ['another secret', signPayCallback('another-secret-of-good-length', 'PO123')],
    ['upper-case hex', signPayCallback('a-secret-of-sufficient-length', 'PO123').toUpperCase()],
    ['truncated', signPayCallback('a-secret-of-sufficient-length', 'PO123').slice(0, 63)],
    ['empty', ''],
    ['not a string', 12345],
    ['missing', undefined],
  ])('refuses a signature for %s', (_why, signature) => {
    expect(verifyPayCallback(secret, 'PO123', signature)).toBe(false);
  });
});

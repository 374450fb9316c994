import { BizException } from '@live/common';
import { idempotencyKeyOf } from './idempotency-key';

describe('idempotencyKeyOf', () => {
  it.each(['a', 'order-1.retry_2', 'x'.repeat(40)])('takes %s', (key) => {
    expect(idempotencyKeyOf(key)).toBe(key);
  });

  it('absent: undefined (the header is optional)', () => {
    expect(idempotencyKeyOf(undefined)).toBeUndefined();
  });

  it.each(['', 'x'.repeat(41), 'a b', 'a:b', 'é'])('refuses %j with 400 / 100001', (key) => {
    expect(() => idempotencyKeyOf(key)).toThrow(BizException);
    try {
      idempotencyKeyOf(key);
    } catch (err) {
      expect([(err as BizException).httpStatus, (err as BizException).code]).toEqual([400, 100001]);
    }
  });
});

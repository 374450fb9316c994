import { PayOrderStatus } from './entities/pay-order.entity';
import { canTransition, isExpired, statusName } from './pay-order-status';

const { WAITING, PAYING, PAID, INVALID, EXPIRED, REFUNDED } = PayOrderStatus;

describe('pay order status machine', () => {
  it.each([
    [WAITING, PAYING, true],
    [WAITING, PAID, true],
    [WAITING, INVALID, true],
    [WAITING, EXPIRED, true],
    [PAYING, PAID, true],
    [PAYING, INVALID, true],
    [PAYING, EXPIRED, true],
    [PAID, REFUNDED, true],
    [PAID, WAITING, false],
    [PAID, PAID, false],
    [PAID, INVALID, false],
    [PAID, EXPIRED, false],
    [INVALID, PAID, false],
    [PAYING, WAITING, false],
    [EXPIRED, PAID, true],
    [EXPIRED, PAYING, false],
    [EXPIRED, REFUNDED, false],
    [EXPIRED, WAITING, false],
    [REFUNDED, PAID, false],
    [REFUNDED, REFUNDED, false],
    [WAITING, REFUNDED, false],
  ])('%s -> %s allowed: %s', (from, to, allowed) => {
    expect(canTransition(from, to)).toBe(allowed);
  });

  const minute = 60_000;
  it.each([
    [WAITING, 30 * minute + 1, true],
    [PAYING, 30 * minute + 1, true],
    [WAITING, 30 * minute, false],
    [PAYING, 29 * minute, false],
    [EXPIRED, 0, true],
    [PAID, 999 * minute, false],
    [REFUNDED, 999 * minute, false],
    [INVALID, 999 * minute, false],
  ])('%s, %s ms old, TTL 30 min: expired %s', (status, ageMs, expired) => {
    expect(isExpired({ status, ageMs }, 30)).toBe(expired);
  });

  it('names every status', () => {
    expect([WAITING, PAYING, PAID, INVALID, EXPIRED, REFUNDED].map(statusName)).toEqual([
      'waiting',
      'paying',
      'paid',
      'invalid',
      'expired',
      'refunded',
    ]);
  });
});

import { PayOrderStatus } from './entities/pay-order.entity';
import { canTransition } from './pay-order-status';

const { WAITING, PAYING, PAID, INVALID } = PayOrderStatus;

describe('pay order status machine', () => {
  it.each([
    [WAITING, PAYING, true],
    [WAITING, PAID, true],
    [WAITING, INVALID, true],
    [PAYING, PAID, true],
    [PAYING, INVALID, true],
    [PAID, WAITING, false],
    [PAID, PAID, false],
    [PAID, INVALID, false],
    [INVALID, PAID, false],
    [PAYING, WAITING, false],
  ])('%s -> %s allowed: %s', (from, to, allowed) => {
    expect(canTransition(from, to)).toBe(allowed);
  });
});

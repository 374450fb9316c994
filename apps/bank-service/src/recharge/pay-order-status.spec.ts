import { PayOrderStatus } from './entities/pay-order.entity';
import { canTransition } from './pay-order-status';

describe('pay order status machine', () => {
  it.each([
    [PayOrderStatus.WAITING, PayOrderStatus.PAYING],
    [PayOrderStatus.WAITING, PayOrderStatus.PAID],
    [PayOrderStatus.WAITING, PayOrderStatus.INVALID],
    [PayOrderStatus.PAYING, PayOrderStatus.PAID],
    [PayOrderStatus.PAYING, PayOrderStatus.INVALID],
  ])('allows %s -> %s', (from, to) => {
    expect(canTransition(from, to)).toBe(true);
  });

  it.each([
    [PayOrderStatus.PAID, PayOrderStatus.WAITING],
    [PayOrderStatus.PAID, PayOrderStatus.PAID],
    [PayOrderStatus.PAID, PayOrderStatus.INVALID],
    [PayOrderStatus.INVALID, PayOrderStatus.PAID],
    [PayOrderStatus.PAYING, PayOrderStatus.WAITING],
  ])('refuses %s -> %s', (from, to) => {
    expect(canTransition(from, to)).toBe(false);
  });
});

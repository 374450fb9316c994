import { PayOrderStatus } from './entities/pay-order.entity';

/** The order status machine: waiting -> paying -> paid, and waiting/paying -> invalid. Paid and invalid are final. */
const NEXT: Record<PayOrderStatus, readonly PayOrderStatus[]> = {
  [PayOrderStatus.WAITING]: [PayOrderStatus.PAYING, PayOrderStatus.PAID, PayOrderStatus.INVALID],
  [PayOrderStatus.PAYING]: [PayOrderStatus.PAID, PayOrderStatus.INVALID],
  [PayOrderStatus.PAID]: [],
  [PayOrderStatus.INVALID]: [],
};

export function canTransition(from: PayOrderStatus, to: PayOrderStatus): boolean {
  return NEXT[from]?.includes(to) ?? false;
}

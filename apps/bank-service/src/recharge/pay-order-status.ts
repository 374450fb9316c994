import { PayOrderStatusName } from '@live/contracts';
import { PayOrderStatus } from './entities/pay-order.entity';

/**
 * The order status machine: waiting -> paying -> paid -> refunded; waiting/paying -> invalid or expired
 * (BANK_ORDER_TTL_MINUTES without payment); expired -> paid when the provider's signed callback of a payment
 * made in time arrives late (money paid is never lost: expiry only stops a payment from starting). Invalid and
 * refunded are final.
 */
const NEXT: Record<PayOrderStatus, readonly PayOrderStatus[]> = {
  [PayOrderStatus.WAITING]: [
    PayOrderStatus.PAYING,
    PayOrderStatus.PAID,
    PayOrderStatus.INVALID,
    PayOrderStatus.EXPIRED,
  ],
  [PayOrderStatus.PAYING]: [PayOrderStatus.PAID, PayOrderStatus.INVALID, PayOrderStatus.EXPIRED],
  [PayOrderStatus.PAID]: [PayOrderStatus.REFUNDED],
  [PayOrderStatus.INVALID]: [],
  [PayOrderStatus.EXPIRED]: [PayOrderStatus.PAID],
  [PayOrderStatus.REFUNDED]: [],
};

export function canTransition(from: PayOrderStatus, to: PayOrderStatus): boolean {
  return NEXT[from]?.includes(to) ?? false;
}

/** The statuses of an order still waiting for its payment (what the expiry job expires). */
export const UNPAID_STATUSES: readonly PayOrderStatus[] = [PayOrderStatus.WAITING, PayOrderStatus.PAYING];

const NAMES: Record<PayOrderStatus, PayOrderStatusName> = {
  [PayOrderStatus.WAITING]: 'waiting',
  [PayOrderStatus.PAYING]: 'paying',
  [PayOrderStatus.PAID]: 'paid',
  [PayOrderStatus.INVALID]: 'invalid',
  [PayOrderStatus.EXPIRED]: 'expired',
  [PayOrderStatus.REFUNDED]: 'refunded',
};

/** The status as answers and logs name it. */
export function statusName(status: PayOrderStatus): PayOrderStatusName {
  return NAMES[status] ?? 'invalid';
}

/**
 * Whether an order is expired: marked so, or still unpaid (waiting, paying) more than `ttlMinutes` after it
 * was made (`ageMs`, by the database's clock) and not yet reached by the expiry job. No payment may start then
 * (devPay: ORDER_EXPIRED); the callback of a payment already made still credits it.
 */
export function isExpired(order: { status: PayOrderStatus; ageMs: number }, ttlMinutes: number): boolean {
  if (order.status === PayOrderStatus.EXPIRED) return true;
  return UNPAID_STATUSES.includes(order.status) && order.ageMs > ttlMinutes * 60_000;
}

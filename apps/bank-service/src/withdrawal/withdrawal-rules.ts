import { keysetCursor } from '@live/common';
import { WithdrawalStatusName } from '@live/contracts';
import { WithdrawalStatus } from './entities/withdrawal-order.entity';

/** The platform's cut of `amount` at `feeBps` basis points, rounded down (exact for any safe integer). */
export function withdrawalFee(amount: number, feeBps: number): number {
  return Number((BigInt(amount) * BigInt(feeBps)) / 10_000n);
}

/** amount = fee + net. */
export function withdrawalSplit(amount: number, feeBps: number): { fee: number; net: number } {
  const fee = withdrawalFee(amount, feeBps);
  return { fee, net: amount - fee };
}

export const WITHDRAWAL_STATUS_NAMES: Record<WithdrawalStatus, WithdrawalStatusName> = {
  [WithdrawalStatus.REQUESTED]: 'requested',
  [WithdrawalStatus.APPROVED]: 'approved',
  [WithdrawalStatus.PAID]: 'paid',
  [WithdrawalStatus.REJECTED]: 'rejected',
};

/** An admin's move of an order: the states it leaves from, the one it reaches. */
export interface WithdrawalTransition {
  name: 'approve' | 'reject' | 'markPaid';
  from: readonly WithdrawalStatus[];
  to: WithdrawalStatus;
}

export const APPROVE: WithdrawalTransition = {
  name: 'approve',
  from: [WithdrawalStatus.REQUESTED],
  to: WithdrawalStatus.APPROVED,
};
export const REJECT: WithdrawalTransition = {
  name: 'reject',
  from: [WithdrawalStatus.REQUESTED, WithdrawalStatus.APPROVED],
  to: WithdrawalStatus.REJECTED,
};
export const MARK_PAID: WithdrawalTransition = {
  name: 'markPaid',
  from: [WithdrawalStatus.APPROVED],
  to: WithdrawalStatus.PAID,
};

/** The withdrawals list's opaque cursor: base64url of `w1.<id>` (w1: version 1), the last order of the page before. */
const WITHDRAWAL_CURSOR = keysetCursor('w1');

export const encodeWithdrawalCursor = (id: number): string => WITHDRAWAL_CURSOR.encode(id);
export const decodeWithdrawalCursor = (cursor: string): number => WITHDRAWAL_CURSOR.decode(cursor);

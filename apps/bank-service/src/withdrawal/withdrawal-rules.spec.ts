import { BizException } from '@live/common';
import { splitEarnings } from '../account/currency-account.service';
import { WithdrawalStatus } from './entities/withdrawal-order.entity';
import {
  APPROVE,
  decodeWithdrawalCursor,
  encodeWithdrawalCursor,
  MARK_PAID,
  REJECT,
  withdrawalFee,
  withdrawalSplit,
} from './withdrawal-rules';

describe('withdrawal rules', () => {
  it('the fee is floor(amount × bps / 10000); net = amount - fee', () => {
    expect(withdrawalSplit(1000, 3000)).toEqual({ fee: 300, net: 700 });
    expect(withdrawalSplit(1314, 3000)).toEqual({ fee: 394, net: 920 });
    expect(withdrawalSplit(101, 3000)).toEqual({ fee: 30, net: 71 });
    expect(withdrawalSplit(100, 0)).toEqual({ fee: 0, net: 100 });
    expect(withdrawalSplit(100, 10_000)).toEqual({ fee: 100, net: 0 });
    expect(withdrawalFee(3, 3333)).toBe(0);
    // Exact where amount × bps passes Number.MAX_SAFE_INTEGER.
    const max = Number.MAX_SAFE_INTEGER;
    expect(withdrawalFee(max, 9999)).toBe(Number((BigInt(max) * 9999n) / 10_000n));
    const { fee, net } = withdrawalSplit(max, 9999);
    expect(fee + net).toBe(max);
  });

  it('withdrawable = earnings - held, the hold never more than the earnings', () => {
    expect(splitEarnings({ earnings: 1000, held: 300 })).toEqual({ withdrawable: 700, pending: 300 });
    // Held credits were partly taken by an earlier withdrawal: what is held is capped at what is there.
    expect(splitEarnings({ earnings: 200, held: 300 })).toEqual({ withdrawable: 0, pending: 200 });
    expect(splitEarnings({ earnings: 0, held: 0 })).toEqual({ withdrawable: 0, pending: 0 });
  });

  it('legal moves only: requested -> approved -> paid; requested | approved -> rejected', () => {
    expect([APPROVE.from, APPROVE.to]).toEqual([[WithdrawalStatus.REQUESTED], WithdrawalStatus.APPROVED]);
    expect([MARK_PAID.from, MARK_PAID.to]).toEqual([[WithdrawalStatus.APPROVED], WithdrawalStatus.PAID]);
    expect([REJECT.from, REJECT.to]).toEqual([
      [WithdrawalStatus.REQUESTED, WithdrawalStatus.APPROVED],
      WithdrawalStatus.REJECTED,
    ]);
    // Nothing leaves paid or rejected.
    for (const t of [APPROVE, MARK_PAID, REJECT]) {
      expect(t.from).not.toContain(WithdrawalStatus.PAID);
      expect(t.from).not.toContain(WithdrawalStatus.REJECTED);
    }
  });

  it('a cursor round-trips; anything it did not write is refused', () => {
    expect(decodeWithdrawalCursor(encodeWithdrawalCursor(42))).toBe(42);
    for (const bad of ['', 'x', Buffer.from('w1.0').toString('base64url'), Buffer.from('h1.5').toString('base64url')]) {
      expect(() => decodeWithdrawalCursor(bad)).toThrow(BizException);
    }
    expect(() => decodeWithdrawalCursor(`${encodeWithdrawalCursor(42)}=`)).toThrow(BizException);
  });
});

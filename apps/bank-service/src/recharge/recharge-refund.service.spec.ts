import { refundRequestId, refundShortfall } from './recharge-refund.service';

describe('recharge refund rule', () => {
  it.each([
    [100, 100, 0],
    [250, 100, 0],
    [99, 100, 1],
    [0, 100, 100],
  ])('a wallet of %s refunding %s coins misses %s', (balance, coins, missing) => {
    expect(refundShortfall(balance, coins)).toBe(missing);
  });

  it('one ledger request id per order', () => {
    expect(refundRequestId('PO1ABC')).toBe('refund:PO1ABC');
  });
});

import { GiftRpc } from '../rpc/patterns';
import { CatalogueOrderPattern, signCatalogueOrder, verifyCatalogueOrder } from './catalogue-order.signature';
import { signOrder } from './order.signature';
import { signSendGift } from './send-gift.signature';

describe('catalogue orders: api-gateway signature (signCatalogueOrder / verifyCatalogueOrder)', () => {
  const key = { id: 'k1', secret: 'a-signing-secret-of-at-least-32-bytes-000' };
  const keys = new Map([[key.id, key.secret]]);
  const now = 1_800_000_000_000;
  const change = { giftId: 3, price: 520 };
  const reason = (order: Record<string, unknown>, pattern: CatalogueOrderPattern = GiftRpc.UPDATE) => {
    const check = verifyCatalogueOrder(pattern, order, keys, now);
    return check.ok ? 'ok' : check.reason;
  };

  it('verifies the change it signed, and nothing else: another pattern, another field, another kind of order under the same key', () => {
    const signed = signCatalogueOrder(GiftRpc.UPDATE, change, key, now);
    expect(reason(signed)).toBe('ok');
    const mismatch = 'signature does not match (key id k1)';
    expect(reason(signed, GiftRpc.INSERT)).toBe(mismatch);
    expect(reason({ ...signed, price: 1 })).toBe(mismatch);
    expect(reason({ ...signed, status: 0 })).toBe(mismatch);
    // A bank order's signature, of the same fields and pattern under the same key, is not a catalogue one.
    expect(reason(signOrder('bank_order/v1', GiftRpc.UPDATE, change, key, now))).toBe(mismatch);
    expect(reason({ ...change })).toBe('signature missing');
  });

  it("a gift's signature (send_gift, the same key) cannot be passed off as a catalogue change", () => {
    const gift = signSendGift(
      {
        userId: 1,
        giftId: 3,
        giftName: 'Rose',
        price: 520,
        receiverId: 2,
        roomId: 9,
        url: '',
        requestId: '1:a',
        type: 0,
        sendTime: now,
      },
      key,
    );
    expect(reason({ ...change, authority: `v2.k1.${now}.${'A'.repeat(16)}.${gift.sig}` })).toBe(
      'signature does not match (key id k1)',
    );
  });
});

import { canonicalFields } from './canonical';
import { giftRequestFingerprint } from './gift-request.fingerprint';

describe('giftRequestFingerprint', () => {
  const base = { giftId: 7, price: 500, roomId: 42, receiverId: 9 };

  it('is stable, 64 hex characters, and independent of the object key order', () => {
    const fp = giftRequestFingerprint(base);
    expect(fp).toMatch(/^[0-9a-f]{64}$/);
    expect(giftRequestFingerprint({ receiverId: 9, roomId: 42, price: 500, giftId: 7 })).toBe(fp);
  });

  it('changes with every field', () => {
    const fp = giftRequestFingerprint(base);
    for (const change of [{ giftId: 8 }, { price: 1 }, { roomId: 43 }, { receiverId: 10 }]) {
      expect(giftRequestFingerprint({ ...base, ...change })).not.toBe(fp);
    }
  });

  it('fields cannot bleed into each other in the canonical form', () => {
    expect(canonicalFields('t', ['a|b', 'c'])).not.toBe(canonicalFields('t', ['a', 'b|c']));
    expect(canonicalFields('t', [12, 3])).not.toBe(canonicalFields('t', [1, 23]));
  });
});

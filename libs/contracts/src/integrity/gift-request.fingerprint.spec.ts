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

  it('count 1 (or none) is the fingerprint written before counts; any other count is another request', () => {
    const fp = giftRequestFingerprint(base);
    expect(giftRequestFingerprint({ ...base, count: 1 })).toBe(fp);
    const ten = giftRequestFingerprint({ ...base, count: 10 });
    expect(ten).not.toBe(fp);
    expect(giftRequestFingerprint({ ...base, count: 11 })).not.toBe(ten);
    // price x count is not what is compared: 10 of 500 is not 1 of 5,000.
    expect(giftRequestFingerprint({ ...base, price: 5_000 })).not.toBe(ten);
  });

  it('fields cannot bleed into each other in the canonical form', () => {
    expect(canonicalFields('t', ['a|b', 'c'])).not.toBe(canonicalFields('t', ['a', 'b|c']));
    expect(canonicalFields('t', [12, 3])).not.toBe(canonicalFields('t', [1, 23]));
  });
});

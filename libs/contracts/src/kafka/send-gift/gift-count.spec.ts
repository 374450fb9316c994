import { GIFT_COUNT_MAX, giftAmount, giftCountOf } from './gift-count';

describe('gift count', () => {
  it('a message or item without a count is one gift', () => {
    expect(giftCountOf({})).toBe(1);
    expect(giftCountOf({ count: 7 })).toBe(7);
  });

  it('the amount is price x count, exact up to the largest count of the largest safe price', () => {
    expect(giftAmount(52, 10)).toBe(520);
    const price = Math.floor(Number.MAX_SAFE_INTEGER / GIFT_COUNT_MAX);
    expect(giftAmount(price, GIFT_COUNT_MAX)).toBe(price * GIFT_COUNT_MAX);
    expect(Number.isSafeInteger(giftAmount(price, GIFT_COUNT_MAX))).toBe(true);
  });

  it('refuses an amount past safe integers, or a count outside 1..999, rather than round it', () => {
    expect(() => giftAmount(Number.MAX_SAFE_INTEGER, 2)).toThrow(RangeError);
    expect(() => giftAmount(Math.floor(Number.MAX_SAFE_INTEGER / GIFT_COUNT_MAX) + 1, GIFT_COUNT_MAX)).toThrow(
      RangeError,
    );
    for (const count of [0, 1000, 1.5, -1]) expect(() => giftAmount(10, count)).toThrow(RangeError);
  });
});

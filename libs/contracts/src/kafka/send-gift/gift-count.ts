import { IsInt, IsOptional, Max, Min } from 'class-validator';

/** The most of one gift a single send may carry (POST /gift/send's `count`). */
export const GIFT_COUNT_MAX = 999;

/**
 * How many of the gift one send carries (issue 20): an integer in 1..GIFT_COUNT_MAX, optional on the wire
 * (a message of an older producer has none: 1). The same decorators on every class that carries it.
 */
export function IsGiftCount(): PropertyDecorator {
  return (target, key) => [IsOptional(), IsInt(), Min(1), Max(GIFT_COUNT_MAX)].forEach((d) => d(target, key));
}

/** The count of an order that may not name one (an older producer's message, an older caller's item): 1. */
export function giftCountOf(order: { count?: number }): number {
  return order.count ?? 1;
}

/**
 * The coins one send moves: price x count, charged as ONE trade. Throws a RangeError when that is not a
 * safe integer (a price above Number.MAX_SAFE_INTEGER / GIFT_COUNT_MAX: never the catalogue's, whose
 * prices are at most 10^9) or the count is not 1..GIFT_COUNT_MAX: never a rounded amount.
 */
export function giftAmount(price: number, count: number): number {
  const amount = price * count;
  if (!Number.isInteger(count) || count < 1 || count > GIFT_COUNT_MAX || !Number.isSafeInteger(amount))
    throw new RangeError(`gift amount ${price} x ${count} is not a whole number of coins within range`);
  return amount;
}

/** The coins of one send that may not name its count (absent: 1): giftAmount(price, count). */
export function amountOfSend(send: { price: number; count?: number }): number {
  return giftAmount(send.price, giftCountOf(send));
}

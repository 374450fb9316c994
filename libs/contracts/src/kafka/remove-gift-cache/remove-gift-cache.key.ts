import type { RemoveGiftCacheMq } from './remove-gift-cache.value';

/** Key of a `remove_gift_cache` message: the gift id (invalidations of one gift stay in order). */
export function removeGiftCacheKey(mq: Pick<RemoveGiftCacheMq, 'giftId'>): string {
  return String(mq.giftId);
}

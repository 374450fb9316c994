/**
 * What waits for its first word (an HTTP connection its first request, a WebSocket its login), oldest first,
 * under one bound for every client address together. Per-address bounds stop one address; whoever holds many (an
 * IPv6 /48 is 65,536 /64s, each its own address to those bounds) is stopped by this one. At the bound a newcomer
 * makes room by closing the oldest that has waited `minWaitMs` and is not busy (a genuine client speaks within
 * milliseconds of connecting), and is refused when none has: a burst of genuine newcomers is never cut off by
 * its own size, only slowed.
 */
export class OldestFirstBound<K, V> {
  /** In the order added, which is the order they came: the first one is the oldest. */
  private readonly waiting = new Map<K, V>();

  constructor(
    private readonly options: {
      max: number;
      minWaitMs: number;
      since: (value: V) => number;
      /** Not to be closed now (a login in flight, say); the next oldest is. */
      busy?: (value: V) => boolean;
      /** Closes it (it is already out of the bound). */
      evict: (key: K, value: V, waitedMs: number) => void;
    },
  ) {}

  get size(): number {
    return this.waiting.size;
  }

  /** Room for one more (the oldest closed when at the bound); false: refuse the newcomer. */
  makeRoom(now = Date.now()): boolean {
    const { max, minWaitMs, since, busy, evict } = this.options;
    if (this.waiting.size < max) return true;
    for (const [key, value] of this.waiting) {
      const waited = now - since(value);
      if (waited < minWaitMs) return false; // oldest first: the rest waited less
      if (busy?.(value)) continue;
      this.waiting.delete(key);
      evict(key, value, waited);
      return true;
    }
    return false;
  }

  /** A newcomer, just come (so the map stays oldest first). */
  add(key: K, value: V): void {
    this.waiting.set(key, value);
  }

  /** It spoke (or closed): no longer waiting. */
  remove(key: K): void {
    this.waiting.delete(key);
  }
}

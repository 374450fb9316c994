/**
 * A small in-process cache with a TTL per entry and a size bound (oldest entry evicted first), with
 * load coalescing (concurrent misses of one key share one load) and stale-if-error: when a reload
 * fails, an expired value not older than `maxStaleMs` is served instead of the error (a dependency's
 * restart does not fail requests that an answer from a minute ago serves just as well).
 */
export class TtlCache<K, V> {
  private readonly entries = new Map<K, { value: V; expiresAt: number }>();
  private readonly loading = new Map<K, Promise<V>>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 10_000,
    private readonly maxStaleMs = 10 * 60_000,
  ) {}

  async get(key: K, load: () => Promise<V>): Promise<V> {
    const hit = this.entries.get(key);
    if (hit && hit.expiresAt > Date.now()) return hit.value;
    const pending = this.loading.get(key);
    if (pending) return pending;
    const promise = load()
      .then(
        (value) => {
          if (this.ttlMs > 0) this.set(key, value);
          return value;
        },
        (err: unknown) => {
          if (hit && Date.now() - hit.expiresAt < this.maxStaleMs) return hit.value;
          throw err;
        },
      )
      .finally(() => this.loading.delete(key));
    this.loading.set(key, promise);
    return promise;
  }

  delete(key: K): void {
    this.entries.delete(key);
  }

  private set(key: K, value: V): void {
    this.entries.delete(key);
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value as K);
    this.entries.set(key, { value, expiresAt: Date.now() + this.ttlMs });
  }
}

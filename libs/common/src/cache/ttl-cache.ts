import { BizException } from '../errors';

export interface TtlCacheOptions<V> {
  /** Most entries kept; past it the least recently used one goes. */
  maxEntries?: number;
  /** How long after expiry a value may still be served when its reload fails (stale-if-error). */
  maxStaleMs?: number;
  /** Which loaded values are kept (e.g. not "no such id": a client can ask for any number of those). */
  keep?: (value: V) => boolean;
}

/**
 * A small in-process cache with a TTL per entry and a size bound (least recently used entry evicted
 * first), with load coalescing (concurrent misses of one key share one load) and stale-if-error: when a
 * reload fails, an expired value not older than `maxStaleMs` is served instead of the error (a
 * dependency's restart does not fail requests that an answer from a minute ago serves just as well). A
 * reload refused with a 4xx BizException is not a failure but the new answer: never covered by the old value
 * (a room closed since is not served as live for ten more minutes).
 * Its memory is bounded whatever keys clients ask for: at most `maxEntries` values, and one pending load
 * per key being loaded.
 */
export class TtlCache<K, V> {
  private readonly entries = new Map<K, { value: V; expiresAt: number }>();
  private readonly loading = new Map<K, Promise<V>>();
  private readonly maxEntries: number;
  private readonly maxStaleMs: number;
  private readonly keep: (value: V) => boolean;

  constructor(
    private readonly ttlMs: number,
    options: TtlCacheOptions<V> = {},
  ) {
    this.maxEntries = options.maxEntries ?? 10_000;
    this.maxStaleMs = options.maxStaleMs ?? 10 * 60_000;
    this.keep = options.keep ?? (() => true);
    if (!Number.isSafeInteger(this.maxEntries) || this.maxEntries < 1)
      throw new Error('TtlCache: maxEntries must be an integer >= 1');
  }

  /** Entries held now (expired ones included until evicted or reloaded). */
  get size(): number {
    return this.entries.size;
  }

  /** Loads in flight. */
  get pendingLoads(): number {
    return this.loading.size;
  }

  async get(key: K, load: () => Promise<V>): Promise<V> {
    const hit = this.entries.get(key);
    if (hit && hit.expiresAt > Date.now()) {
      // Most recently used last: Map keeps insertion order, so the first key is the eviction candidate.
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit.value;
    }
    const pending = this.loading.get(key);
    if (pending) return pending;
    const promise: Promise<V> = load()
      .then(
        (value) => {
          // A delete while this load ran (the value changed meanwhile): answered, not kept.
          if (this.loading.get(key) !== promise) return value;
          if (this.ttlMs > 0 && this.keep(value)) this.set(key, value);
          else this.entries.delete(key);
          return value;
        },
        (err: unknown) => {
          // A refusal is an answer (a room closed since, an id that is gone): the entry goes and the refusal is
          // the result. Only a failure to get an answer (a dependency down: any other error, or a 5xx one)
          // falls back to the expired value.
          if (err instanceof BizException && err.httpStatus < 500) this.entries.delete(key);
          else if (hit && Date.now() - hit.expiresAt < this.maxStaleMs && this.loading.get(key) === promise)
            return hit.value;
          throw err;
        },
      )
      .finally(() => {
        if (this.loading.get(key) === promise) this.loading.delete(key);
      });
    this.loading.set(key, promise);
    return promise;
  }

  /** Drops the key's value, and a load of it in flight: that load's answer is not kept (it may predate the change). */
  delete(key: K): void {
    this.entries.delete(key);
    this.loading.delete(key);
  }

  private set(key: K, value: V): void {
    this.entries.delete(key);
    while (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value as K);
    this.entries.set(key, { value, expiresAt: Date.now() + this.ttlMs });
  }
}

import { BaseErrorCode, BizException, GatewayErrorCode } from '../errors';
import { TtlCache } from './ttl-cache';

describe('TtlCache', () => {
  // The cache reads the clock with Date.now(): fake timers move it exactly as far as a test says.
  beforeEach(() => jest.useFakeTimers({ now: 1_000_000 }));
  afterEach(() => jest.useRealTimers());

  it('loads once for concurrent misses and serves hits until the TTL passes', async () => {
    const cache = new TtlCache<number, string>(50);
    let loads = 0;
    let finishLoad!: () => void;
    const load = async (): Promise<string> => {
      loads += 1;
      await new Promise<void>((r) => (finishLoad = r));
      return `v${loads}`;
    };
    const concurrent = Promise.all([cache.get(1, load), cache.get(1, load), cache.get(1, load)]);
    expect([loads, cache.pendingLoads]).toEqual([1, 1]);
    finishLoad();
    expect(await concurrent).toEqual(['v1', 'v1', 'v1']);
    jest.advanceTimersByTime(49);
    expect(await cache.get(1, load)).toBe('v1');
    jest.advanceTimersByTime(11); // 60 ms after the load: expired
    const reload = cache.get(1, load);
    finishLoad();
    expect(await reload).toBe('v2');
    expect(loads).toBe(2);
  });

  it('a delete drops a load in flight too: its answer (read before the change) is returned to its callers, not kept', async () => {
    const cache = new TtlCache<number, string>(5_000);
    let finishLoad!: (v: string) => void;
    const slow = (): Promise<string> => new Promise<string>((r) => (finishLoad = r));
    const inFlight = cache.get(7, slow); // read before the room closed
    cache.delete(7); // the close, while that read is in flight
    finishLoad('live');
    expect(await inFlight).toBe('live');
    expect(cache.size).toBe(0);
    expect(await cache.get(7, async () => 'closed')).toBe('closed'); // read again, not the stale answer
    expect(cache.pendingLoads).toBe(0);
  });

  it('serves a recently expired value when the reload fails, but not one past maxStaleMs', async () => {
    const cache = new TtlCache<number, string>(10, { maxEntries: 100, maxStaleMs: 50 });
    await cache.get(1, async () => 'fresh');
    jest.advanceTimersByTime(20); // expired 10 ms ago
    await expect(cache.get(1, () => Promise.reject(new Error('gift-service down')))).resolves.toBe('fresh');
    jest.advanceTimersByTime(60); // expired 70 ms ago: past maxStaleMs
    await expect(cache.get(1, () => Promise.reject(new Error('gift-service down')))).rejects.toThrow(
      'gift-service down',
    );
  });

  it('a reload refused with a 4xx BizException is the answer (never covered by the stale value); a 5xx one is an outage', async () => {
    const cache = new TtlCache<number, string>(10, { maxStaleMs: 60_000 });
    await cache.get(1, async () => 'live');
    jest.advanceTimersByTime(20);
    const closed = new BizException(GatewayErrorCode.LIVING_ROOM_NOT_FOUND);
    await expect(cache.get(1, () => Promise.reject(closed))).rejects.toBe(closed);
    expect(cache.size).toBe(0); // gone: the next get loads again
    await cache.get(2, async () => 'live');
    jest.advanceTimersByTime(20);
    const down = new BizException(BaseErrorCode.SERVICE_UNAVAILABLE);
    await expect(cache.get(2, () => Promise.reject(down))).resolves.toBe('live');
  });

  it('does not keep a failed load, and evicts the oldest entry past the bound', async () => {
    const cache = new TtlCache<number, number>(10_000, { maxEntries: 2 });
    await expect(cache.get(1, () => Promise.reject(new Error('down')))).rejects.toThrow('down');
    expect(await cache.get(1, async () => 1)).toBe(1);
    await cache.get(2, async () => 2);
    await cache.get(3, async () => 3);
    expect(await cache.get(1, async () => 100)).toBe(100);
    expect(await cache.get(3, async () => 300)).toBe(3);
  });

  it('evicts the least recently used entry: a hit keeps an entry', async () => {
    const cache = new TtlCache<number, number>(10_000, { maxEntries: 2 });
    await cache.get(1, async () => 1);
    await cache.get(2, async () => 2);
    expect(await cache.get(1, async () => -1)).toBe(1); // 1 used: 2 is now the oldest
    await cache.get(3, async () => 3);
    expect(await cache.get(1, async () => -1)).toBe(1);
    expect(await cache.get(2, async () => 200)).toBe(200);
    expect(cache.size).toBe(2);
  });

  it('keeps only what `keep` accepts: 100,000 unknown keys leave nothing behind, known ones stay', async () => {
    const cache = new TtlCache<number, string | null>(60_000, { maxEntries: 1_000, keep: (v) => v !== null });
    await cache.get(-1, async () => 'known');
    for (let id = 0; id < 100_000; id += 1) expect(await cache.get(id, async () => null)).toBeNull();
    expect([cache.size, cache.pendingLoads]).toEqual([1, 0]);
    expect(await cache.get(-1, async () => 'reloaded')).toBe('known');
  });
});

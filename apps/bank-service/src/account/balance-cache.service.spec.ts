import { BankRedisKeys, RedisClient } from '@live/redis';
import { BalanceCacheService } from './balance-cache.service';

/** A Redis stand-in for the refresh script: written entries by key, and a switch to make it unreachable. */
function fakeRedis() {
  const written = new Map<string, string>();
  const state = { down: false };
  const redis = {
    defineCommand: jest.fn(),
    lgSetBalanceIfNewer: async (key: string, _marker: string, version: number, balance: number) => {
      await Promise.resolve();
      if (state.down) throw new Error('connect ECONNREFUSED');
      const cur = Number(written.get(key)?.split(':')[0] ?? -1);
      if (cur > version) return 0;
      written.set(key, `${version}:${balance}`);
      return 1;
    },
  };
  return { redis: redis as unknown as RedisClient, written, state };
}

describe('BalanceCacheService.refreshMany', () => {
  const keys = new BankRedisKeys('t');

  it('writes the balances; while Redis is unreachable keeps the newest per user and writes them once it answers', async () => {
    const { redis, written, state } = fakeRedis();
    const cache = new BalanceCacheService(redis, keys);
    await cache.refreshMany([{ userId: 1, balance: 90, version: 3 }]);
    expect(written.get(keys.balance(1))).toBe('3:90');

    state.down = true;
    await cache.refreshMany([
      { userId: 1, balance: 80, version: 4 },
      { userId: 2, balance: 5, version: 1 },
    ]);
    await cache.refreshMany([{ userId: 1, balance: 70, version: 5 }]);
    await cache.refreshMany([{ userId: 1, balance: 999, version: 2 }]);
    await cache.retryFailed();
    expect([written.get(keys.balance(1)), written.get(keys.balance(2))]).toEqual(['3:90', undefined]);

    state.down = false;
    await cache.retryFailed();
    expect(written.get(keys.balance(1))).toBe('5:70');
    expect(written.get(keys.balance(2))).toBe('1:5');
    // Written once: nothing is left to retry.
    written.clear();
    await cache.retryFailed();
    expect(written.size).toBe(0);
    cache.onApplicationShutdown();
  });
});

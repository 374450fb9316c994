import { parseCachedAccount } from '@live/contracts';
import { BankRedisKeys, RedisClient } from '@live/redis';
import { BankServiceEnv } from '../config/bank-service.env';
import { BalanceCacheService, CachedBalance } from './balance-cache.service';
import { AccountStatus } from './entities/currency-account.entity';

/** A Redis stand-in for the refresh script: written entries by key, and a switch to make it unreachable. */
function fakeRedis() {
  const written = new Map<string, string>();
  const state = { down: false };
  const setIfNewer = async (key: string, version: number, value: string): Promise<number> => {
    await Promise.resolve();
    if (state.down) throw new Error('connect ECONNREFUSED');
    const cur = Number(written.get(key)?.split(':')[0] ?? -1);
    if (cur > version) return 0;
    written.set(key, `${version}:${value}`);
    return 1;
  };
  const redis = {
    defineCommand: jest.fn(),
    lgSetBalanceIfNewer: (key: string, _marker: string, _ttl: number, version: number, value: string) =>
      setIfNewer(key, version, value),
    // numkeys, per user its balance and marker keys, the TTL, per user its version and entry (one call).
    lgSetBalancesIfNewer: async (numkeys: number, ...rest: (string | number)[]) => {
      const keyList = rest.slice(0, numkeys) as string[];
      const args = rest.slice(numkeys + 1);
      let n = 0;
      for (let i = 0; i < numkeys / 2; i += 1)
        n += await setIfNewer(keyList[2 * i], args[2 * i] as number, args[2 * i + 1] as string);
      return n;
    },
  };
  return { redis: redis as unknown as RedisClient, written, state };
}

const env = { BANK_DAILY_SPEND_CAP: 1_000 } as BankServiceEnv;
const entry = (userId: number, balance: number, version: number): CachedBalance => ({
  userId,
  balance,
  version,
  status: AccountStatus.ACTIVE,
  spentDay: null,
  spentToday: 0,
});

describe('BalanceCacheService.refreshMany', () => {
  const keys = new BankRedisKeys('t');

  it('writes the balances; while Redis is unreachable keeps the newest per user and writes them once it answers', async () => {
    const { redis, written, state } = fakeRedis();
    const cache = new BalanceCacheService(redis, keys, env);
    await cache.refreshMany([entry(1, 90, 3)]);
    expect(written.get(keys.balance(1))).toBe('3:90:1:-:0:1000');

    state.down = true;
    await cache.refreshMany([entry(1, 80, 4), entry(2, 5, 1)]);
    await cache.refreshMany([entry(1, 70, 5)]);
    await cache.refreshMany([entry(1, 999, 2)]);
    await cache.retryFailed();
    expect([written.get(keys.balance(1)), written.get(keys.balance(2))]).toEqual(['3:90:1:-:0:1000', undefined]);

    state.down = false;
    await cache.retryFailed();
    expect(written.get(keys.balance(1))).toBe('5:70:1:-:0:1000');
    expect(written.get(keys.balance(2))).toBe('1:5:1:-:0:1000');
    // Written once: nothing is left to retry.
    written.clear();
    await cache.retryFailed();
    expect(written.size).toBe(0);
    cache.onApplicationShutdown();
  });

  it('keeps the spending safeguards next to the balance: the frozen flag, the day and its spending, the cap', async () => {
    const { redis, written } = fakeRedis();
    const cache = new BalanceCacheService(redis, keys, env);
    await cache.refreshMany([
      { ...entry(3, 40, 7), status: AccountStatus.FROZEN, spentDay: '2026-11-30', spentToday: 60 },
    ]);
    expect(parseCachedAccount(written.get(keys.balance(3)) ?? null)).toEqual({
      balance: 40,
      frozen: true,
      spentDay: '2026-11-30',
      spentToday: 60,
      dailySpendCap: 1_000,
    });
    cache.onApplicationShutdown();
  });
});

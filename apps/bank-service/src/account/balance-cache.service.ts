import { BankRedisKeys, InjectRedis, parseCachedBalance } from '@live/redis';
import { Injectable, Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';

/** Cached as "version:balance"; a write never replaces a newer version (two instances committing in turn). */
const SET_IF_NEWER = `
local cur = redis.call('GET', KEYS[1])
if cur then
  local v = tonumber(string.match(cur, '^(%d+):'))
  if v and v > tonumber(ARGV[1]) then return 0 end
end
redis.call('SET', KEYS[1], ARGV[1] .. ':' .. ARGV[2], 'EX', ARGV[3])
redis.call('DEL', KEYS[2])
return 1`;

export const BALANCE_TTL_SECONDS = 600;
export const NO_ACCOUNT_TTL_SECONDS = 30;

interface BalanceScripts {
  lgSetBalanceIfNewer(balanceKey: string, noAccountKey: string, version: number, balance: number, ttl: number): Promise<number>;
}

export interface CachedBalance {
  userId: number;
  balance: number;
  version: number;
}

/**
 * The Redis balance cache. The database is the truth: every entry can be lost at any moment and is
 * rebuilt on the next read. Used for reads and for the gateway's cheap pre-check, never for settling.
 */
@Injectable()
export class BalanceCacheService {
  private readonly logger = new Logger(BalanceCacheService.name);
  private readonly scripts: Redis & BalanceScripts;

  constructor(
    @InjectRedis() redis: Redis,
    private readonly keys: BankRedisKeys,
  ) {
    redis.defineCommand('lgSetBalanceIfNewer', { numberOfKeys: 2, lua: SET_IF_NEWER });
    this.scripts = redis as Redis & BalanceScripts;
  }

  /** `undefined`: not cached; `null`: cached "no account" marker; else the balance. */
  async get(userId: number): Promise<number | null | undefined> {
    const [value, marker] = await this.scripts.mget(this.keys.balance(userId), this.keys.noAccountMarker(userId));
    const balance = parseCachedBalance(value);
    if (balance !== undefined) return balance;
    return marker ? null : undefined;
  }

  async markNoAccount(userId: number): Promise<void> {
    await this.scripts.set(this.keys.noAccountMarker(userId), '1', 'EX', NO_ACCOUNT_TTL_SECONDS);
  }

  /** After a commit: best effort. A failure leaves an older entry that the version check or the TTL corrects. */
  async refreshMany(entries: readonly CachedBalance[]): Promise<void> {
    if (entries.length === 0) return;
    try {
      const pipeline = this.scripts.pipeline() as unknown as BalanceScripts & { exec(): Promise<unknown> };
      for (const e of entries) {
        void pipeline.lgSetBalanceIfNewer(this.keys.balance(e.userId), this.keys.noAccountMarker(e.userId), e.version, e.balance, BALANCE_TTL_SECONDS);
      }
      await pipeline.exec();
    } catch (err: unknown) {
      this.logger.warn(`balance cache refresh failed for ${entries.length} users (the database stays right): ${String(err)}`);
    }
  }
}

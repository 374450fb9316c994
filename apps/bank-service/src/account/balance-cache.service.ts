import { CachedAccount, formatCachedAccount, parseCachedAccount } from '@live/contracts';
import { BankRedisKeys, callsPerSlotGroup, InjectRedis, RedisClient, settleAll, withScripts } from '@live/redis';
import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { BankServiceEnv } from '../config/bank-service.env';
import { AccountBalance } from './currency-account.repository';
import { AccountStatus } from './entities/currency-account.entity';

/**
 * Cached as "version:balance:status:spentDay:spentToday:cap" (formatCachedAccount: the spending safeguards
 * next to the balance); a write never replaces a newer version (two instances committing in turn).
 * KEYS: per user i (from 1), KEYS[2i-1] its balance and KEYS[2i] its no-account marker (one hash tag,
 * {user:<id>}: one Cluster slot; several users in one call only when all their keys share a slot, or on one
 * server). ARGV: the TTL s; then per user i, ARGV[2i] the version and ARGV[2i+1] the entry. Answers how many
 * it wrote.
 */
const SET_IF_NEWER = `
assert(#KEYS % 2 == 0, 'SET_IF_NEWER: a balance and a marker key per user')
local written = 0
for i = 1, #KEYS / 2 do
  local cur = redis.call('GET', KEYS[2 * i - 1])
  local v = cur and tonumber(string.match(cur, '^(%d+):'))
  if not (v and v > tonumber(ARGV[2 * i])) then
    redis.call('SET', KEYS[2 * i - 1], ARGV[2 * i] .. ':' .. ARGV[2 * i + 1], 'EX', ARGV[1])
    redis.call('DEL', KEYS[2 * i])
    written = written + 1
  end
end
return written`;

/** Most users per refresh call on one server (bounds how long one call holds Redis). */
const USERS_PER_CALL = 256;
const BALANCE_TTL_SECONDS = 600;
const NO_ACCOUNT_TTL_SECONDS = 30;
/** Refreshes that failed (Redis unreachable) are tried again this often, newest version per user. */
const REFRESH_RETRY_MS = 1_000;
/** At most this many users wait for a retried refresh; past it the oldest are dropped (their TTL corrects them). */
const MAX_RETRY_ENTRIES = 100_000;

interface BalanceScripts {
  /** One user (auto-pipelined on a Cluster too): its two keys, the TTL s, the version and the entry. */
  lgSetBalanceIfNewer(
    balanceKey: string,
    noAccountKey: string,
    ttl: number,
    version: number,
    value: string,
  ): Promise<number>;
  /** numkeys, then the keys and arguments of several users (see SET_IF_NEWER). */
  lgSetBalancesIfNewer(...args: (string | number)[]): Promise<number>;
}

/** A wallet as a committed transaction left it: what the cache keeps of it (the version orders the writes). */
export type CachedBalance = Pick<AccountBalance, 'userId' | 'version' | 'status' | 'spentDay' | 'spentToday'> & {
  balance: number;
};

/** The cache entry of a locked or read account row (its balance as given: the transaction's new one). */
export function cachedBalanceOf(account: AccountBalance, balance = account.currentBalance): CachedBalance {
  const { userId, version, status, spentDay, spentToday } = account;
  return { userId, version, status, spentDay, spentToday, balance };
}

/**
 * The Redis balance cache. The database is the truth: every entry can be lost at any moment and is
 * rebuilt on the next read. Used for reads and for the gateway's cheap pre-check, never for settling.
 */
@Injectable()
export class BalanceCacheService implements OnApplicationShutdown {
  private readonly logger = new Logger(BalanceCacheService.name);
  private readonly scripts: RedisClient & BalanceScripts;
  /** Failed refreshes waiting for Redis, by user (the newest version wins). */
  private readonly retries = new Map<number, CachedBalance>();
  private retryTimer: NodeJS.Timeout | undefined;

  constructor(
    @InjectRedis() redis: RedisClient,
    private readonly keys: BankRedisKeys,
    private readonly env: BankServiceEnv,
  ) {
    this.scripts = withScripts<BalanceScripts>(redis, {
      lgSetBalanceIfNewer: { numberOfKeys: 2, lua: SET_IF_NEWER },
      lgSetBalancesIfNewer: { lua: SET_IF_NEWER },
    });
  }

  /** `undefined`: not cached; `null`: cached "no account" marker; else the wallet as cached. */
  async get(userId: number): Promise<CachedAccount | null | undefined> {
    const [value, marker] = await this.scripts.mget(this.keys.balance(userId), this.keys.noAccountMarker(userId));
    const account = parseCachedAccount(value);
    if (account !== undefined) return account;
    return marker ? null : undefined;
  }

  async markNoAccount(userId: number): Promise<void> {
    await this.scripts.set(this.keys.noAccountMarker(userId), '1', 'EX', NO_ACCOUNT_TTL_SECONDS);
  }

  /**
   * After a commit. A failure (Redis unreachable) keeps the entries and writes them again every
   * REFRESH_RETRY_MS until Redis answers: otherwise a read that loaded an older balance before the
   * commit could put it back once Redis returns, and it would stand until its TTL. Writes never
   * replace a newer version, so a late retry is harmless.
   */
  async refreshMany(entries: readonly CachedBalance[]): Promise<void> {
    if (entries.length === 0) return;
    try {
      await this.write(entries);
    } catch (err: unknown) {
      for (const e of entries) this.keepForRetry(e);
      this.logger.warn(
        `balance cache refresh failed for ${entries.length} users; retrying every ${REFRESH_RETRY_MS} ms (the database stays right): ${String(err)}`,
      );
      this.retryTimer ??= setInterval(() => void this.retryFailed(), REFRESH_RETRY_MS).unref();
    }
  }

  onApplicationShutdown(): void {
    clearInterval(this.retryTimer);
  }

  async retryFailed(): Promise<void> {
    const entries = [...this.retries.values()];
    if (entries.length === 0) return;
    try {
      await this.write(entries);
      for (const e of entries) if (this.retries.get(e.userId) === e) this.retries.delete(e.userId);
      if (this.retries.size === 0) {
        clearInterval(this.retryTimer);
        this.retryTimer = undefined;
      }
      this.logger.log(`balance cache: ${entries.length} refresh(es) written after Redis came back`);
    } catch {
      // Still unreachable: the next tick tries again.
    }
  }

  private keepForRetry(e: CachedBalance): void {
    const kept = this.retries.get(e.userId);
    if (kept && kept.version > e.version) return;
    this.retries.delete(e.userId);
    this.retries.set(e.userId, e);
    if (this.retries.size > MAX_RETRY_ENTRIES) this.retries.delete(this.retries.keys().next().value as number);
  }

  /**
   * One script call per slot on a Cluster (mostly one per user), per USERS_PER_CALL users on one server, all
   * at once (auto-pipelining: one write per Redis node); the first failure throws.
   */
  private async write(entries: readonly CachedBalance[]): Promise<void> {
    const keys = entries.map((e) => this.keys.balance(e.userId));
    const entryOf = (e: CachedBalance): string =>
      formatCachedAccount({
        balance: e.balance,
        frozen: e.status === AccountStatus.FROZEN,
        spentDay: e.spentDay,
        spentToday: e.spentToday,
        dailySpendCap: this.env.BANK_DAILY_SPEND_CAP,
      });
    const { calls } = callsPerSlotGroup(
      this.scripts,
      keys,
      USERS_PER_CALL,
      (i) => {
        const e = entries[i];
        return this.scripts.lgSetBalanceIfNewer(
          keys[i],
          this.keys.noAccountMarker(e.userId),
          BALANCE_TTL_SECONDS,
          e.version,
          entryOf(e),
        );
      },
      (part) => {
        const users = part.map((i) => entries[i]);
        return this.scripts.lgSetBalancesIfNewer(
          users.length * 2,
          ...users.flatMap((e) => [this.keys.balance(e.userId), this.keys.noAccountMarker(e.userId)]),
          BALANCE_TTL_SECONDS,
          ...users.flatMap((e) => [e.version, entryOf(e)]),
        );
      },
    );
    await settleAll(calls);
  }
}

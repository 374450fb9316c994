import { keyPart, RedisReadable } from './store-key';

/**
 * bank-service's balance cache, owned and written by bank-service only (it is the only writer of money).
 * Key `${prefix}:bank:{user:<id>}:balance`, value "version:balance:status:spentDay:spentToday:dailySpendCap"
 * (the spending safeguards next to the balance, so the gateway's pre-check reads them in the same GET;
 * an entry of the older form "version:balance" still gives its balance). Other apps read it through
 * BalanceCacheReader (the gateway's cheap pre-check), never to settle.
 */
export function balanceCacheKey(prefix: string, userId: number): string {
  return `${keyPart(prefix, 'prefix')}:bank:{user:${keyPart(userId, 'userId')}}:balance`;
}

/** A wallet as the cache holds it: what the gateway's pre-check needs (the settlement decides on the locked row). */
export interface CachedAccount {
  balance: number;
  frozen: boolean;
  /** The UTC day ('YYYY-MM-DD') `spentToday` counts; null: never spent, or not in the entry. */
  spentDay: string | null;
  spentToday: number;
  /** BANK_DAILY_SPEND_CAP when the entry was written (0: no cap, or not in the entry). */
  dailySpendCap: number;
}

/** The cache entry's value after its version (bank-service writes "version:" + this). */
export function formatCachedAccount(a: CachedAccount): string {
  return [a.balance, a.frozen ? 0 : 1, a.spentDay ?? '-', a.spentToday, a.dailySpendCap].join(':');
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** The wallet in a cache entry, or undefined when absent or unreadable. */
export function parseCachedAccount(value: string | null): CachedAccount | undefined {
  if (!value) return undefined;
  const [, balanceText, status, day, spent, cap, ...rest] = value.split(':');
  const balance = Number(balanceText);
  if (!Number.isSafeInteger(balance) || rest.length > 0) return undefined;
  if (status === undefined) return { balance, frozen: false, spentDay: null, spentToday: 0, dailySpendCap: 0 };
  const spentToday = Number(spent);
  const dailySpendCap = Number(cap);
  if (!['0', '1'].includes(status) || !Number.isSafeInteger(spentToday) || !Number.isSafeInteger(dailySpendCap))
    return undefined;
  return { balance, frozen: status === '0', spentDay: DAY.test(day) ? day : null, spentToday, dailySpendCap };
}

/** The balance in a cache entry, or undefined when absent or unreadable. */
export function parseCachedBalance(value: string | null): number | undefined {
  return parseCachedAccount(value)?.balance;
}

/**
 * What a wallet spent on `today` ('YYYY-MM-DD', UTC) by its spending figures: an earlier day counts nothing.
 * A LATER day counts too: a clock read before midnight (a statement that started then and waited for its
 * lock, a gateway's clock behind the database's) must not take the next day's spending, already counted by a
 * settlement that read the new day, for another day's, and reset it.
 */
export function spentOnDay(today: string, spentDay: string | null, spentToday: number): number {
  return spentDay !== null && spentDay >= today ? spentToday : 0;
}

/**
 * Whether `price` more would EXCEED the wallet's daily spend cap (true: refuse the gift), by what the entry
 * says it spent on `today` (spentOnDay); false with no cap.
 */
export function wouldExceedDailySpendCap(account: CachedAccount, today: string, price: number): boolean {
  if (account.dailySpendCap <= 0) return false;
  return spentOnDay(today, account.spentDay, account.spentToday) + price > account.dailySpendCap;
}

export class BalanceCacheReader {
  constructor(
    private readonly redis: Pick<RedisReadable, 'get'>,
    private readonly prefix: string,
  ) {}

  /** The cached balance, or undefined when it is not cached. */
  async balanceOf(userId: number): Promise<number | undefined> {
    return (await this.accountOf(userId))?.balance;
  }

  /** The cached wallet (balance, frozen flag, today's spending and the cap), or undefined when it is not cached. */
  async accountOf(userId: number): Promise<CachedAccount | undefined> {
    return parseCachedAccount(await this.redis.get(balanceCacheKey(this.prefix, userId)));
  }
}

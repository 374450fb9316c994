import { keyPart, RedisReadable } from './store-key';

/**
 * bank-service's balance cache, owned and written by bank-service only (it is the only writer of money).
 * Key `${prefix}:bank:{user:<id>}:balance`, value "version:balance". Other apps read it through
 * BalanceCacheReader (the gateway's cheap pre-check), never to settle.
 */
export function balanceCacheKey(prefix: string, userId: number): string {
  return `${keyPart(prefix, 'prefix')}:bank:{user:${keyPart(userId, 'userId')}}:balance`;
}

/** The balance in a cache entry ("version:balance"), or undefined when absent or unreadable. */
export function parseCachedBalance(value: string | null): number | undefined {
  if (!value) return undefined;
  const balance = Number(value.slice(value.indexOf(':') + 1));
  return Number.isSafeInteger(balance) ? balance : undefined;
}

export class BalanceCacheReader {
  constructor(
    private readonly redis: Pick<RedisReadable, 'get'>,
    private readonly prefix: string,
  ) {}

  /** The cached balance, or undefined when it is not cached. */
  async balanceOf(userId: number): Promise<number | undefined> {
    return parseCachedBalance(await this.redis.get(balanceCacheKey(this.prefix, userId)));
  }
}

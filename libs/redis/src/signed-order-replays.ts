import { BaseErrorCode, BizException, RPC_RETRY_AFTER_SEND } from '@live/common';
import { ORDER_MAX_SKEW_MS } from '@live/contracts';
import { Provider } from '@nestjs/common';
import { REDIS_CLIENT } from './redis.module';
import { RedisClient } from './redis-client';

/** How long a used signature is remembered: past the whole span it can pass the time check in (± the skew). */
export const USED_ORDER_TTL_MS = 2 * ORDER_MAX_SKEW_MS + 10_000;

/** The check of api-gateway's signature of one kind of order (SignedOrderKeys of @live/common). */
export interface SignedOrderChecker<P extends string> {
  required<T extends { authority: string }>(
    pattern: P,
    order: T,
    refused: (reason: string) => void,
  ): Omit<T, 'authority'>;
}

/** A key builder that names the key of a used order signature (every app's builder: KeyBuilder.usedOrder). */
export interface UsedOrderKeys {
  usedOrder(authority: string): string;
}

/**
 * A signed order (api-gateway's `authority`: a catalogue change, a freeze, a recharge order) is carried out once
 * per signature when its pattern is one the RPC clients never send again after it may have arrived (not in
 * RPC_RETRY_AFTER_SEND): a second arrival is a replay, by whoever saw the first on the network, within the
 * signature's ORDER_MAX_SKEW_MS (it would add a gift again, undo a correction made meanwhile, freeze an account
 * again just after its unfreeze). The patterns that are retried after sending stay as they were: each is
 * idempotent by its own key (a withdrawal per Idempotency-Key, a review per order state, a PK seat per user), so a
 * replay of it answers what the first did.
 *
 * One `SET NX PX` per order, in the checking service's Redis; refused when Redis does not answer (nothing done:
 * the admin asks again, under a new signature).
 */
export class SignedOrderReplays {
  constructor(
    private readonly redis: Pick<RedisClient, 'set'>,
    private readonly keys: UsedOrderKeys,
  ) {}

  /**
   * The order without its signature, if api-gateway signed it (`keys`: its kind's SignedOrderKeys) and, for a
   * pattern not retried after sending, its signature arrives for the first time; else FORBIDDEN (nothing done)
   * and `refused` told why (for the log).
   */
  async required<P extends string, T extends { authority: string }>(
    keys: SignedOrderChecker<P>,
    pattern: P,
    order: T,
    refused: (why: string) => void,
  ): Promise<Omit<T, 'authority'>> {
    const unsigned = keys.required(pattern, order, (reason) => refused(`not signed by api-gateway (${reason})`));
    await this.claim(pattern, order.authority, refused);
    return unsigned;
  }

  /** Resolves when the order may be carried out; else FORBIDDEN (nothing done) and `refused` told why. */
  async claim(pattern: string, authority: string, refused: (reason: string) => void): Promise<void> {
    if (RPC_RETRY_AFTER_SEND.has(pattern)) return;
    const first = await this.redis.set(this.keys.usedOrder(authority), pattern, 'PX', USED_ORDER_TTL_MS, 'NX');
    if (first === 'OK') return;
    refused(`its signature was used already (${authority.split('.').slice(0, 3).join('.')})`);
    throw new BizException(BaseErrorCode.FORBIDDEN, 'this signed order was carried out already: nothing done');
  }
}

/** SignedOrderReplays on this app's Redis client and its own key builder (`RedisModule.forRoot(keys)`). */
export function signedOrderReplaysProvider(keys: new (prefix: string) => UsedOrderKeys): Provider {
  return {
    provide: SignedOrderReplays,
    useFactory: (redis: RedisClient, builder: UsedOrderKeys) => new SignedOrderReplays(redis, builder),
    inject: [REDIS_CLIENT, keys],
  };
}

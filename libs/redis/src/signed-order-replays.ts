import { BaseErrorCode, BizErrorPayload, BizException, isOutage, RPC_RETRY_AFTER_SEND } from '@live/common';
import { ORDER_AUTHORITY_PATTERN, ORDER_MAX_SKEW_MS } from '@live/contracts';
import { Logger, Provider } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { REDIS_CLIENT } from './redis.module';
import { RedisClient } from './redis-client';

/**
 * A signature's record lives until its time plus the skew (the last moment any instance takes it) plus this
 * margin (the instances' clocks may differ by that much).
 */
export const USED_ORDER_MARGIN_MS = 10_000;

/** The check of api-gateway's signature of one kind of order (SignedOrderKeys of @live/common). */
export interface SignedOrderChecker<P extends string> {
  required<T extends { authority: string }>(
    pattern: P,
    order: T,
    refused: (reason: string) => void,
  ): Omit<T, 'authority'>;
}

/** A key builder that names the key of a signature's record (every app's builder: KeyBuilder.usedOrder). */
export interface UsedOrderKeys {
  usedOrder(authority: string): string;
}

/** What a signature's record holds once its order was carried out: the answer, or the business refusal. */
type Outcome<R> = { answer: R } | { refusal: BizErrorPayload };

const PENDING = 'pending:';
const DONE = 'done:';

/**
 * A signed order (api-gateway's `authority`: a recharge order, a withdrawal and its review, a refund, a freeze, a
 * catalogue change, a PK seat) is carried out once per signature. Its first arrival claims the signature's record
 * (`SET NX`, until the signature's time + ORDER_MAX_SKEW_MS + USED_ORDER_MARGIN_MS: past it no instance takes the
 * signature), runs the work and keeps its outcome there: every copy that arrives later (a gateway's retry after
 * a timeout, or a replay by whoever saw the call on the network) is answered that outcome, and nothing is done
 * again. A copy arriving while the first still runs: 503 (ask again). A failure that is not the order's own answer
 * (an outage, a crash: isOutage, or not a BizException) frees the record: the work changed nothing, and a retry
 * may run it. A business refusal (403, 409...) is an outcome like an answer.
 *
 * Before it (2026-12-02), a copy within the signature's 60 s was carried out again: a freeze after its unfreeze,
 * a catalogue change undoing a correction, a PK leave ending the user's next PK.
 */
export class SignedOrderReplays {
  private readonly logger = new Logger(SignedOrderReplays.name);

  constructor(
    private readonly redis: Pick<RedisClient, 'set' | 'get' | 'del'>,
    private readonly keys: UsedOrderKeys,
  ) {}

  /**
   * `work` on the order without its signature, if api-gateway signed it (`keys`: its kind's SignedOrderKeys),
   * once per signature (above); else FORBIDDEN (nothing done) and `refused` told why (for the log).
   */
  async carryOut<P extends string, T extends { authority: string }, R>(
    checker: SignedOrderChecker<P>,
    pattern: P,
    order: T,
    refused: (why: string) => void,
    work: (unsigned: Omit<T, 'authority'>) => Promise<R>,
  ): Promise<R> {
    const unsigned = checker.required(pattern, order, (reason) => refused(`not signed by api-gateway (${reason})`));
    const key = this.keys.usedOrder(order.authority);
    const token = `${PENDING}${randomUUID()}`;
    const until = Number(ORDER_AUTHORITY_PATTERN.exec(order.authority)![2]) + ORDER_MAX_SKEW_MS + USED_ORDER_MARGIN_MS;
    const claimed = await this.redis.set(key, token, 'PXAT', until, 'NX');
    // null: the record exists; it may be this very claim, sent again by the client after a dropped connection.
    const record = claimed === 'OK' ? token : await this.redis.get(key);
    if (record !== token) return this.copy(pattern, order.authority, record);
    let outcome: Outcome<R>;
    try {
      outcome = { answer: await work(unsigned) };
    } catch (err: unknown) {
      if (!(err instanceof BizException) || isOutage(err)) {
        await this.redis.del(key).catch(() => undefined); // a retry may run it; it ages out otherwise
        throw err;
      }
      outcome = { refusal: err.toPayload() };
    }
    await this.redis
      .set(key, `${DONE}${JSON.stringify(outcome)}`, 'PXAT', until, 'XX')
      .catch((err: unknown) => this.logger.warn(`${pattern}: its outcome not kept for copies: ${String(err)}`));
    return answerOf(outcome);
  }

  private copy<R>(pattern: string, authority: string, record: string | null): R {
    const what = `${pattern}: a copy of an order carried out (${authority.split('.').slice(0, 4).join('.')})`;
    if (record === null || record.startsWith(PENDING)) {
      this.logger.warn(`${what} arrived while it runs: 503, nothing done`);
      throw new BizException(BaseErrorCode.SERVICE_UNAVAILABLE, 'this order is being carried out: ask again');
    }
    // The gateway sends these again after a timeout; any other copy is someone else's.
    if (RPC_RETRY_AFTER_SEND.has(pattern)) this.logger.log(`${what}: answered as the first, nothing done again`);
    else this.logger.warn(`${what}, never sent twice by api-gateway: answered as the first, nothing done again`);
    return answerOf(JSON.parse(record.slice(DONE.length)) as Outcome<R>);
  }
}

function answerOf<R>(outcome: Outcome<R>): R {
  if ('refusal' in outcome) throw BizException.fromPayload(outcome.refusal);
  return outcome.answer;
}

/** SignedOrderReplays on this app's Redis client and its own key builder (`RedisModule.forRoot(keys)`). */
export function signedOrderReplaysProvider(keys: new (prefix: string) => UsedOrderKeys): Provider {
  return {
    provide: SignedOrderReplays,
    useFactory: (redis: RedisClient, builder: UsedOrderKeys) => new SignedOrderReplays(redis, builder),
    inject: [REDIS_CLIENT, keys],
  };
}

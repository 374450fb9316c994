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
/** How long a copy waits for the first's outcome (under the callers' RPC timeout, 5 s), and how often it looks. */
const COPY_WAIT_MS = 3_000;
const COPY_POLL_MS = 50;
const DONE = 'done:';

/**
 * A signed order (api-gateway's `authority`: a recharge order, a withdrawal and its review, a refund, a freeze, a
 * catalogue change, a PK seat) is carried out once per signature. Its first arrival claims the signature's record
 * (`SET NX`, until the signature's time + ORDER_MAX_SKEW_MS + USED_ORDER_MARGIN_MS: past it no instance takes the
 * signature), runs the work and keeps its outcome there: every copy that arrives later (a gateway's retry after
 * a timeout, or a replay by whoever saw the call on the network) is answered that outcome, and nothing is done
 * again. A copy arriving while the first still runs waits for its outcome (up to 3 s, then 503: ask again). A
 * failure is an outcome too: a business refusal (403, 409...) as it was, any other (an outage, a crash) as a 503,
 * since the work may have changed something before it failed; whoever asks again does it under a new signature.
 *
 * Before it (2026-12-02), a copy within the signature's 60 s was carried out again: a freeze after its unfreeze,
 * a catalogue change undoing a correction, a PK leave ending the user's next PK.
 */
export class SignedOrderReplays {
  private readonly logger = new Logger(SignedOrderReplays.name);

  constructor(
    private readonly redis: Pick<RedisClient, 'set' | 'get'>,
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
    if (record !== token) return this.copy(pattern, key, order.authority, record);
    let outcome: Outcome<R>;
    try {
      outcome = { answer: await work(unsigned) };
    } catch (err: unknown) {
      // Kept as the outcome whatever the failure: the work may have changed something before it failed (a gift
      // row committed before its cache message, a PK ended before its follow-up), so a copy must not run it again.
      // The gateway sends no copy after an error answer; whoever asks again does it under a new signature.
      outcome = {
        refusal:
          err instanceof BizException && !isOutage(err)
            ? err.toPayload()
            : new BizException(BaseErrorCode.SERVICE_UNAVAILABLE, 'this order failed: ask again').toPayload(),
      };
      await this.keep(pattern, key, outcome, until);
      throw err;
    }
    await this.keep(pattern, key, outcome, until);
    return answerOf(outcome);
  }

  /** The outcome in the signature's record (which outlives every copy the time check lets in: no CAS needed). */
  private async keep(pattern: string, key: string, outcome: Outcome<unknown>, until: number): Promise<void> {
    await this.redis
      .set(key, `${DONE}${JSON.stringify(outcome)}`, 'PXAT', until, 'XX')
      .catch((err: unknown) => this.logger.warn(`${pattern}: its outcome not kept for copies: ${String(err)}`));
  }

  /**
   * A copy: the first's outcome, waited for up to COPY_WAIT_MS while the first runs (the gateway sends a copy as soon
   * as the first timed out, which is while it still runs), then 503.
   */
  private async copy<R>(pattern: string, key: string, authority: string, record: string | null): Promise<R> {
    const what = `${pattern}: a copy of an order carried out (${authority.split('.').slice(0, 4).join('.')})`;
    for (const waitUntil = Date.now() + COPY_WAIT_MS; record?.startsWith(PENDING) && Date.now() < waitUntil;) {
      await new Promise((resolve) => setTimeout(resolve, COPY_POLL_MS));
      record = await this.redis.get(key);
    }
    if (record === null || record.startsWith(PENDING)) {
      this.logger.warn(`${what} while it runs: 503, nothing done`);
      throw new BizException(BaseErrorCode.SERVICE_UNAVAILABLE, 'this order is being carried out: ask again');
    }
    if (!record.startsWith(DONE)) {
      this.logger.warn(`${what}, its outcome unknown (${record.slice(0, 40)}): refused, nothing done`);
      throw new BizException(BaseErrorCode.FORBIDDEN, 'this signed order was carried out already: nothing done');
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

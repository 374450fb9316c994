import { GatewayRedisKeys, InjectRedis, RedisClient, withScripts } from '@live/redis';
import { Injectable } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { GatewayEnv } from '../config/api-gateway.env';

/** Forgets the key only if it still holds this claim (never another request's). */
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;

/**
 * - `new`: first use of the key (now remembered with its fingerprint for GATEWAY_IDEMPOTENCY_WINDOW_SECONDS,
 *   as pending until `settled`);
 * - `same`: used before with the same parameters, and that send answered (a retry: it gets the first answer);
 * - `conflict`: used before with other parameters (refused, 409).
 */
export type IdempotencyClaim = 'new' | 'same' | 'conflict';

interface IdempotencyCommands {
  lgReleaseIdempotencyKey(key: string, fingerprint: string): Promise<number>;
}
type IdempotencyRedis = RedisClient & IdempotencyCommands;

/** A claim whose send is still being checked holds `pending:<fingerprint>`; an answered one the fingerprint. */
const PENDING = 'pending:';
/** How often a send waiting for a pending claim's verdict asks again. */
const PENDING_POLL_MS = 20;

/**
 * A user's Idempotency-Keys in Redis: `{user:<id>}:idem:<key>` -> the fingerprint of what it was used for,
 * for GATEWAY_IDEMPOTENCY_WINDOW_SECONDS (10 min). One command per claim, `SET NX GET` (atomic: of two
 * concurrent uses with different parameters, exactly one wins; Redis 7.0 or later; a script doing the same
 * cost Redis 2-3x the CPU: README Benchmarks). Bounded per user by the gift-send rate limit times the window.
 * Two concurrent sends with the same key and parameters get one verdict: the first claims the key as pending;
 * the other asks again every 20 ms, for up to GATEWAY_IDEMPOTENCY_WAIT_MS, until the first is answered
 * (`settled`: the same answer) or refused before Kafka (`release`: it is then a first use, checked itself).
 * Past the window, or with Redis lost, the ledger is the authority: it keeps a fingerprint with every
 * request id, answers a replay with its first outcome and never settles a reused one (parked).
 */
@Injectable()
export class IdempotencyKeys {
  private readonly redis: IdempotencyRedis;

  constructor(
    @InjectRedis() redis: RedisClient,
    private readonly keys: GatewayRedisKeys,
    private readonly env: GatewayEnv,
  ) {
    this.redis = withScripts<IdempotencyCommands>(redis, {
      lgReleaseIdempotencyKey: { numberOfKeys: 1, lua: RELEASE },
    });
  }

  async claim(userId: number, clientKey: string, fingerprint: string): Promise<IdempotencyClaim> {
    const key = this.keys.idempotencyKey(userId, clientKey);
    const waitUntil = Date.now() + this.env.GATEWAY_IDEMPOTENCY_WAIT_MS;
    for (;;) {
      // Claims the key unless it is known, and answers what it held before (null: nothing, now ours).
      const known = await this.redis.set(
        key,
        PENDING + fingerprint,
        'EX',
        this.env.GATEWAY_IDEMPOTENCY_WINDOW_SECONDS,
        'NX',
        'GET',
      );
      if (known === null) return 'new';
      if (known === fingerprint) return 'same';
      if (known !== PENDING + fingerprint) return 'conflict';
      // The first send with this key is still being checked. Past the wait (its gateway died, or its Redis
      // write was lost) this is taken for a retry of an accepted send: produced again, the ledger charges once;
      // the key says so from now on, so the next retry does not wait again.
      if (Date.now() >= waitUntil) {
        await this.markSettled(key, fingerprint).catch(() => undefined);
        return 'same';
      }
      await sleep(PENDING_POLL_MS);
    }
  }

  /**
   * A `new` claim's send was answered once its message went to Kafka (or may have: a failed produce is retried
   * as `same`): a retry gets the same answer at once. Not awaited by the send; lost, a retry waits out the wait.
   */
  async settled(userId: number, clientKey: string, fingerprint: string): Promise<void> {
    await this.markSettled(this.keys.idempotencyKey(userId, clientKey), fingerprint);
  }

  /** The key's claim answered (only a key that still exists: its window kept). */
  private async markSettled(key: string, fingerprint: string): Promise<void> {
    await this.redis.set(key, fingerprint, 'KEEPTTL', 'XX');
  }

  /** Undoes a `new` claim whose request was refused before it reached Kafka (the key names nothing yet). */
  async release(userId: number, clientKey: string, fingerprint: string): Promise<void> {
    await this.redis.lgReleaseIdempotencyKey(this.keys.idempotencyKey(userId, clientKey), PENDING + fingerprint);
  }
}

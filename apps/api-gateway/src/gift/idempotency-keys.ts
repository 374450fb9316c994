import { GatewayRedisKeys, InjectRedis, RedisClient, withScripts } from '@live/redis';
import { Injectable } from '@nestjs/common';
import { GatewayEnv } from '../config/api-gateway.env';

/** Forgets the key only if it still holds this fingerprint (never another request's claim). */
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;

/**
 * - `new`: first use of the key (now remembered with its fingerprint for GATEWAY_IDEMPOTENCY_WINDOW_SECONDS);
 * - `same`: used before with the same parameters (a retry: it gets the first answer);
 * - `conflict`: used before with other parameters (refused, 409).
 */
export type IdempotencyClaim = 'new' | 'same' | 'conflict';

interface IdempotencyCommands {
  lgReleaseIdempotencyKey(key: string, fingerprint: string): Promise<number>;
}
type IdempotencyRedis = RedisClient & IdempotencyCommands;

/**
 * A user's Idempotency-Keys in Redis: `{user:<id>}:idem:<key>` -> the fingerprint of what it was used for,
 * for GATEWAY_IDEMPOTENCY_WINDOW_SECONDS (10 min). One command per claim, `SET NX GET` (atomic: of two
 * concurrent uses with different parameters, exactly one wins; Redis 7.0 or later; a script doing the same
 * cost Redis 2-3x the CPU: README Benchmarks). Bounded per user by the gift-send rate limit times the window.
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
    // Sets the fingerprint unless the key is known, and answers what it held before (null: nothing, now ours).
    const known = await this.redis.set(
      this.keys.idempotencyKey(userId, clientKey),
      fingerprint,
      'EX',
      this.env.GATEWAY_IDEMPOTENCY_WINDOW_SECONDS,
      'NX',
      'GET',
    );
    if (known === null) return 'new';
    return known === fingerprint ? 'same' : 'conflict';
  }

  /** Undoes a `new` claim whose request was refused before it reached Kafka (the key names nothing yet). */
  async release(userId: number, clientKey: string, fingerprint: string): Promise<void> {
    await this.redis.lgReleaseIdempotencyKey(this.keys.idempotencyKey(userId, clientKey), fingerprint);
  }
}

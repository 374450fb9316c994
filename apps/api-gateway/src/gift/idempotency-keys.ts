import { GatewayRedisKeys, InjectRedis, RedisClient, withScripts } from '@live/redis';
import { Injectable } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { GatewayEnv } from '../config/api-gateway.env';

/** Forgets the key only if it still holds this claim (never another request's). */
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;

/** How often a copy waiting for the first send's verdict reads the key again. */
const VERDICT_POLL_MS = 20;

/**
 * - `new`: first use of the key (now remembered with its fingerprint for GATEWAY_IDEMPOTENCY_WINDOW_SECONDS);
 * - `same`: used before with the same parameters (a retry, or a copy sent at once: it gets the first answer);
 * - `conflict`: used before with other parameters (refused, 409).
 * `value` is what the key holds (`<fingerprint>@<epoch ms of the claim>`; a claim of before 2026-11-30 holds the
 * fingerprint alone), `claimedAt` its time (0: unknown, long ago).
 */
export interface IdempotencyClaim {
  kind: 'new' | 'same' | 'conflict';
  value: string;
  claimedAt: number;
}

interface IdempotencyCommands {
  lgReleaseIdempotencyKey(key: string, value: string): Promise<number>;
}
type IdempotencyRedis = RedisClient & IdempotencyCommands;

/**
 * A user's Idempotency-Keys in Redis: `{user:<id>}:idem:<key>` -> the fingerprint of what it was used for and
 * when, for GATEWAY_IDEMPOTENCY_WINDOW_SECONDS (10 min). One command per claim, `SET NX GET` (atomic: of two
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
    const now = Date.now();
    const value = `${fingerprint}@${now}`;
    // Sets the claim unless the key is known, and answers what it held before (null: nothing, now ours).
    const known = await this.redis.set(
      this.keys.idempotencyKey(userId, clientKey),
      value,
      'EX',
      this.env.GATEWAY_IDEMPOTENCY_WINDOW_SECONDS,
      'NX',
      'GET',
    );
    if (known === null) return { kind: 'new', value, claimedAt: now };
    const at = known.lastIndexOf('@');
    const [knownFingerprint, claimedAt] = at < 0 ? [known, 0] : [known.slice(0, at), Number(known.slice(at + 1))];
    return { kind: knownFingerprint === fingerprint ? 'same' : 'conflict', value: known, claimedAt };
  }

  /**
   * Whether the first send of a `same` claim was accepted, for a copy whose own checks refused it (its wallet
   * cannot pay now): a claim older than GATEWAY_IDEMPOTENCY_WAIT_MS was (a refused first use releases its key
   * at once), so the copy gets the first answer even if that charge emptied the wallet. A younger one may still
   * be in its checks: read again every 20 ms until it is released or re-claimed (refused: the copy's refusal
   * stands) or old enough (accepted). At most GATEWAY_IDEMPOTENCY_WAIT_MS from now, whatever the clocks say.
   */
  async firstAccepted(userId: number, clientKey: string, claim: IdempotencyClaim): Promise<boolean> {
    const key = this.keys.idempotencyKey(userId, clientKey);
    const wait = this.env.GATEWAY_IDEMPOTENCY_WAIT_MS;
    const until = Math.min(claim.claimedAt + wait, Date.now() + wait);
    while (Date.now() < until) {
      if ((await this.redis.get(key)) !== claim.value) return false;
      await sleep(VERDICT_POLL_MS);
    }
    return true;
  }

  /** Undoes a `new` claim whose request was refused before it reached Kafka (the key names nothing yet). */
  async release(userId: number, clientKey: string, claim: IdempotencyClaim): Promise<void> {
    await this.redis.lgReleaseIdempotencyKey(this.keys.idempotencyKey(userId, clientKey), claim.value);
  }
}

import { GatewayRedisKeys, InjectRedis, RedisClient, withScripts } from '@live/redis';
import { withDeadline } from '@live/common';
import { Injectable, Logger } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { GatewayEnv } from '../config/api-gateway.env';

/** Forgets the key only if it still holds this fingerprint (never another request's claim). */
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;

/** How often a copy waiting for the first send's verdict reads the key's age again. */
const VERDICT_POLL_MS = 50;
/** How long past the wait a verdict may take (the key's reads) before it is unknown. */
const VERDICT_READ_GRACE_MS = 1_000;
/** What a first send's checks leave of the wait (checkDeadlineMs). */
const CHECK_MARGIN_MS = 500;
/** Keys whose first verdict this process is waiting for at once (one read loop each, shared by their copies). */
const MAX_VERDICT_WAITS = 1_000;
/**
 * Of them, one user's keys: a user taps a few keys at once (a double tap, a retry); without a cap of its own, one
 * user's accounts could fill the 1,000 (keys kept young by sends their wallets then refuse) and every other
 * user's copies would be refused, 503, while they wait.
 */
export const MAX_VERDICT_WAITS_PER_USER = 20;
/** A copy of an accepted send is produced to Kafka again at most once in this long (per key). */
export const RESEND_EVERY_SECONDS = 60;

/**
 * - `new`: first use of the key (now remembered with its fingerprint for GATEWAY_IDEMPOTENCY_WINDOW_SECONDS);
 * - `same`: used before with the same parameters (a retry, or a copy sent at once: it gets the first answer);
 * - `conflict`: used before with other parameters (refused, 409).
 */
export type IdempotencyClaim = 'new' | 'same' | 'conflict';

/** A verdict that could not be had (Redis failed, or too many waits at once): the send is refused, 503. */
export class VerdictUnknown extends Error {}

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
  private readonly logger = new Logger(IdempotencyKeys.name);
  private readonly verdicts = new Map<string, Promise<boolean>>();
  /** The keys of `verdicts` by user (an entry only while it has one: at most MAX_VERDICT_WAITS entries). */
  private readonly waitsByUser = new Map<number, number>();

  constructor(
    @InjectRedis() redis: RedisClient,
    private readonly keys: GatewayRedisKeys,
    private readonly env: GatewayEnv,
  ) {
    this.redis = withScripts<IdempotencyCommands>(redis, {
      lgReleaseIdempotencyKey: { numberOfKeys: 1, lua: RELEASE },
    });
    if (this.checkDeadlineMs() <= env.GATEWAY_RPC_TIMEOUT_MS)
      this.logger.warn(
        `GATEWAY_IDEMPOTENCY_WAIT_MS ${env.GATEWAY_IDEMPOTENCY_WAIT_MS} leaves the checks of a keyed gift send ` +
          `${this.checkDeadlineMs()} ms, not more than GATEWAY_RPC_TIMEOUT_MS ${env.GATEWAY_RPC_TIMEOUT_MS}: a slow call ` +
          `refuses such sends (503) that plain ones survive; set it above ${env.GATEWAY_RPC_TIMEOUT_MS + CHECK_MARGIN_MS}`,
      );
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

  /**
   * Whether the first send of a `same` claim was accepted, for a copy whose own wallet check refused it (or could
   * not be made). A first send's checks end within GATEWAY_IDEMPOTENCY_WAIT_MS less 500 ms (`checkDeadlineMs`:
   * past it the send is refused, 503) and a refused first send releases its key at once, so a claim older than the wait
   * names an accepted send: the copy gets the first answer, even if that charge emptied the wallet. A younger
   * one is read again every 50 ms until it is released (refused: so is the copy), claimed again by another copy
   * (its TTL back up: the first was refused) or old enough. Ages by Redis' clock (the key's PTTL against the
   * window: every gateway must have the same GATEWAY_IDEMPOTENCY_WINDOW_SECONDS), not the gateways' clocks. Copies
   * of one key in this process share one read loop; at most 1,000 keys at once, 20 of one user (beyond:
   * VerdictUnknown; so at most 20,000 reads a second). Redis failing: VerdictUnknown.
   */
  async firstAccepted(userId: number, clientKey: string): Promise<boolean> {
    const key = this.keys.idempotencyKey(userId, clientKey);
    const running = this.verdicts.get(key);
    if (running) return running;
    if (this.verdicts.size >= MAX_VERDICT_WAITS) throw new VerdictUnknown('too many Idempotency-Key waits at once');
    const waits = this.waitsByUser.get(userId) ?? 0;
    if (waits >= MAX_VERDICT_WAITS_PER_USER)
      throw new VerdictUnknown(`too many Idempotency-Key waits of user ${userId} at once`);
    // Bounded as a whole, so a Redis that never answers cannot hold a wait (and its place among the 1,000) for good.
    const verdict = withDeadline(
      this.readVerdict(key),
      this.env.GATEWAY_IDEMPOTENCY_WAIT_MS + VERDICT_READ_GRACE_MS,
      () => new VerdictUnknown('Redis did not answer'),
    ).finally(() => {
      this.verdicts.delete(key);
      const left = (this.waitsByUser.get(userId) ?? 1) - 1;
      if (left > 0) this.waitsByUser.set(userId, left);
      else this.waitsByUser.delete(userId);
    });
    this.verdicts.set(key, verdict);
    this.waitsByUser.set(userId, waits + 1);
    return verdict;
  }

  /**
   * How long a first send's checks may take: the wait less half a second (the claim's round trip before the
   * checks start, and timers late on a busy process), so a claim older than the wait has its verdict.
   */
  checkDeadlineMs(): number {
    return this.env.GATEWAY_IDEMPOTENCY_WAIT_MS - CHECK_MARGIN_MS;
  }

  private async readVerdict(key: string): Promise<boolean> {
    const windowMs = this.env.GATEWAY_IDEMPOTENCY_WINDOW_SECONDS * 1_000;
    const waitMs = this.env.GATEWAY_IDEMPOTENCY_WAIT_MS;
    const until = Date.now() + waitMs; // whatever another instance's window says
    let previous = Number.POSITIVE_INFINITY;
    for (;;) {
      const ttl = await this.redis.pttl(key).catch((err: unknown) => {
        throw new VerdictUnknown(`Redis failed: ${err instanceof Error ? err.message : String(err)}`);
      });
      if (ttl === -2 || ttl > previous) return false; // released, or released and claimed again: refused
      if (ttl === -1 || windowMs - ttl >= waitMs || Date.now() >= until) return true;
      previous = ttl;
      await sleep(VERDICT_POLL_MS);
    }
  }

  /**
   * Whether a copy of an accepted send (a `same` claim) is produced again: its first produce may have failed (a
   * 503 leaves the key claimed, and the client retries), so a copy is, unless a copy of the key was produced
   * within RESEND_EVERY_SECONDS (`resent`, marked only once its produce succeeded: a copy not produced always has
   * one in Kafka behind it). Every copy produced was a free Kafka message (the ledger answers it as a replay),
   * 100 a second from one key at the send limit; now about one a minute (copies racing before the mark all are).
   * Redis failing: produced (a duplicate is harmless, a lost gift is not).
   */
  async resendDue(userId: number, clientKey: string): Promise<boolean> {
    const marked = await this.redis.exists(this.keys.idempotencyResent(userId, clientKey)).catch(() => 0);
    return marked === 0;
  }

  /** A copy of the key was produced (acknowledged by Kafka): the next copies within the minute are not. */
  async resent(userId: number, clientKey: string): Promise<void> {
    await this.redis
      .set(this.keys.idempotencyResent(userId, clientKey), '1', 'EX', RESEND_EVERY_SECONDS)
      .catch(() => undefined);
  }

  /** Undoes a `new` claim whose request was refused before it reached Kafka (the key names nothing yet). */
  async release(userId: number, clientKey: string, fingerprint: string): Promise<void> {
    await this.redis
      .lgReleaseIdempotencyKey(this.keys.idempotencyKey(userId, clientKey), fingerprint)
      .catch((err: unknown) => {
        // Not fatal (the ledger still charges once), but the key keeps naming a refused send for the window:
        // a copy or retry of it is taken for a retry of an accepted one, produced, and refused by the bank (5557).
        this.logger.warn(
          `user ${userId}: Idempotency-Key of a refused send not released, Redis failed: ${err instanceof Error ? err.message : String(err)}`,
        );
      });
  }
}

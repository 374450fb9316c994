import { describeError } from '@live/common';
import { sessionIdOf } from '@live/contracts';
import { GatewayRedisKeys, InjectRedis, RedisClient } from '@live/redis';
import { randomBytes } from 'node:crypto';
import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { GatewayEnv } from '../config/api-gateway.env';
import { RequestUser } from './auth.types';

/** Tokens kept at most (the oldest stored goes first): a flood of distinct valid tokens cannot grow the heap. */
export const TOKEN_CACHE_MAX = 10_000;
/** How often each instance sends itself a ping over the logout channel (the subscription's liveness). */
export const TOKEN_CACHE_PING_MS = 1_000;
/** The cache is used only while this instance's last ping came back within this (2.5 pings). */
const PING_FRESH_MS = 2_500;
/** A ping message: `~ping <instance nonce> <sequence>` (a session id is base64url: it never starts with `~`). */
const PING_PREFIX = '~ping ';

/**
 * The login sessions this process resolved in the last GATEWAY_TOKEN_CACHE_MS, by session id (tokenDigest of
 * the token), so a user's next requests skip the Redis lookup. A logout on any instance publishes the session
 * id on `logoutChannel()` (never the token: whoever can read Redis may subscribe); every instance drops
 * it when the message arrives. Entries are kept only while this process is subscribed and hears itself:
 * every TOKEN_CACHE_PING_MS it publishes a numbered ping on the same channel, and the cache is used only
 * while its last ping came back within PING_FRESH_MS and no ping went missing. When the subscription's
 * connection drops, goes silent (no event: a dead peer, or a Redis Cluster moving its subscriber to another
 * node quietly), or a ping is lost, the cache is emptied and stays unused (every request asks Redis) until
 * pings come back again, so a logout published meanwhile cannot be missed by more than a gap shorter than
 * one ping that lost none (then the entry still expires within GATEWAY_TOKEN_CACHE_MS). A lookup that was
 * in flight when a logout (or a drop) arrived is not stored: its answer may predate the logout.
 */
@Injectable()
export class TokenCache implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(TokenCache.name);
  private readonly entries = new Map<string, { user: RequestUser; expiresAt: number }>();
  private readonly ttlMs: number;
  private readonly sessionsPerUser: number;
  /** Bumped by every logout and every drop: a lookup started before stores nothing. */
  private epoch = 0;
  private subscribed = false;
  /** Times the subscription was lost. */
  private drops = 0;
  /** Times the cache was emptied (a drop or a lapse of the logout channel). */
  private emptied = 0;
  private subscriber: RedisClient | undefined;
  private pinger: NodeJS.Timeout | undefined;
  private readonly nonce = randomBytes(6).toString('hex');
  private pingsSent = 0;
  /** The sequence of the last ping heard back (0: none since the last drop), and when it was sent. */
  private pingHeard = 0;
  private pingHeardSentAt = 0;

  constructor(
    @InjectRedis() private readonly redis: RedisClient,
    private readonly keys: GatewayRedisKeys,
    env: GatewayEnv,
  ) {
    this.ttlMs = env.GATEWAY_TOKEN_CACHE_MS;
    this.sessionsPerUser = env.GATEWAY_SESSIONS_PER_USER;
  }

  onModuleInit(): void {
    if (this.ttlMs === 0) return;
    const channel = this.keys.logoutChannel();
    const subscriber = this.redis.duplicate();
    this.subscriber = subscriber;
    subscriber.on('message', (from: string, message: string) => {
      if (from !== channel) return;
      if (message.startsWith(PING_PREFIX)) this.heard(message);
      else this.forget(message);
    });
    const suspend = (): void => {
      if (this.subscribed) this.logger.warn('logout channel lost: token cache off until subscribed again');
      this.subscribed = false;
      this.drops++;
      this.pingHeard = 0;
      this.clear();
    };
    subscriber.on('close', suspend);
    subscriber.on('end', suspend);
    subscriber.on('error', suspend);
    subscriber.on('ready', () => {
      const drops = this.drops;
      subscriber.subscribe(channel).then(
        // Only if the connection was not dropped between the SUBSCRIBE and its answer.
        () => (this.subscribed = this.drops === drops && subscriber.status === 'ready'),
        suspend,
      );
    });
    this.pinger = setInterval(() => this.ping(channel), TOKEN_CACHE_PING_MS).unref();
    this.ping(channel);
  }

  onModuleDestroy(): void {
    this.subscribed = false;
    if (this.pinger) clearInterval(this.pinger);
    this.subscriber?.disconnect();
  }

  /** The user behind a session (tokenDigest of its token) resolved lately, or undefined (ask Redis). */
  get(sessionId: string): RequestUser | undefined {
    const hit = this.live() ? this.entries.get(sessionId) : undefined;
    if (hit === undefined) return undefined;
    if (hit.expiresAt > Date.now()) return hit.user;
    this.entries.delete(sessionId);
    return undefined;
  }

  /** Call before the Redis lookup; pass its answer to `remember`. */
  lookupStarted(): number {
    return this.epoch;
  }

  /** Keeps a session's user, unless a logout or a drop came after `startedAt` (lookupStarted) or the cache is off. */
  remember(sessionId: string, user: RequestUser, startedAt: number): void {
    if (!this.live() || startedAt !== this.epoch) return;
    this.entries.delete(sessionId);
    if (this.entries.size >= TOKEN_CACHE_MAX) this.entries.delete(this.entries.keys().next().value as string);
    // Frozen: the same object answers concurrent requests of the user.
    this.entries.set(sessionId, { user: Object.freeze({ ...user }), expiresAt: Date.now() + this.ttlMs });
  }

  /**
   * Logs a session out everywhere: this process at once, the other instances when the message (its session
   * id, never the token) reaches them. `legacyToken`: the token, when its key may still be named by it (a
   * session of before token digests): that key goes too.
   */
  async revoke(sessionId: string, legacyToken?: string): Promise<void> {
    this.forget(sessionId);
    // The key is gone before any instance hears of the logout (on a Cluster the two may go to different nodes).
    await this.redis.del(this.keys.userSession(sessionId));
    if (legacyToken !== undefined) await this.redis.del(this.keys.userSession(legacyToken));
    // The token is gone from Redis: the logout holds whatever happens next. The other instances hear of it
    // now, or, if no attempt is published, drop it within GATEWAY_TOKEN_CACHE_MS (said in the log).
    for (let attempt = 1; ; attempt++) {
      try {
        await this.redis.publish(this.keys.logoutChannel(), sessionId);
        return;
      } catch (err: unknown) {
        if (attempt >= 3) {
          this.logger.error(
            `logout not published (${describeError(err)}): other instances keep the token for up to ${this.ttlMs} ms`,
          );
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
      }
    }
  }

  /**
   * The new session among the user's sessions (one sorted set per user, one MULTI on its slot); those past
   * GATEWAY_SESSIONS_PER_USER, the oldest, are logged out as by a logout; how many. Redis failing here: the
   * login stands (its key is written), the bound waits for the next login.
   */
  async keepNewest(userId: number, sessionId: string, ttlSeconds: number): Promise<number> {
    const key = this.keys.userTokens(userId);
    const past = -this.sessionsPerUser - 1;
    const answers = await this.redis
      .multi()
      .zadd(key, Date.now(), sessionId)
      .zrange(key, 0, past)
      .zremrangebyrank(key, 0, past)
      .expire(key, ttlSeconds)
      .exec()
      .catch((err: unknown) => {
        this.logger.warn(`user ${userId}: sessions not counted, Redis failed: ${describeError(err)}`);
        return null;
      });
    // Never the new one (scores are this gateway's clock: a gateway behind the others would give it the lowest).
    const evicted = ((answers?.[1]?.[1] ?? []) as string[]).filter((old) => old !== sessionId);
    // A member is a session id, or a token (a session of before token digests: its key is named by it).
    for (const old of evicted) {
      const id = sessionIdOf(old);
      await this.revoke(id, id === old ? undefined : old).catch((err: unknown) => {
        this.logger.error(`user ${userId}: an old session not logged out, Redis failed: ${describeError(err)}`);
      });
    }
    return evicted.length;
  }

  /** The session leaves the user's list (by its id, and by its token for a list written before digests). */
  async leaveList(userId: number, sessionId: string, legacyToken?: string): Promise<void> {
    const members = legacyToken === undefined ? [sessionId] : [sessionId, legacyToken];
    await this.redis.zrem(this.keys.userTokens(userId), ...members).catch(() => undefined);
  }

  get size(): number {
    return this.entries.size;
  }

  /** How many times the cache was emptied (and turned off) because the logout channel dropped or went silent. */
  get timesEmptied(): number {
    return this.emptied;
  }

  /** Subscribed to the logout channel and hearing its own pings: entries are kept and used. */
  get active(): boolean {
    return this.live();
  }

  private live(): boolean {
    if (!this.subscribed || this.pingHeard === 0) return false;
    if (Date.now() - this.pingHeardSentAt <= PING_FRESH_MS) return true;
    this.lapse('the logout channel is silent');
    return false;
  }

  private ping(channel: string): void {
    const seq = ++this.pingsSent;
    // A ping that fails to go out is a ping missed: the next one heard shows the gap.
    this.redis.publish(channel, `${PING_PREFIX}${this.nonce} ${seq} ${Date.now()}`).catch(() => undefined);
  }

  /** One of this instance's pings came back (another instance's are ignored). */
  private heard(message: string): void {
    const [nonce, seqText, sentAtText] = message.slice(PING_PREFIX.length).split(' ');
    if (nonce !== this.nonce) return;
    const seq = Number(seqText);
    if (this.pingHeard !== 0 && seq !== this.pingHeard + 1) this.lapse(`ping ${this.pingHeard + 1} was lost`);
    this.pingHeard = seq;
    this.pingHeardSentAt = Number(sentAtText);
  }

  /** Something may have been missed on the channel: nothing cached may be trusted. */
  private lapse(why: string): void {
    if (this.pingHeard !== 0) this.logger.warn(`token cache emptied: ${why}`);
    this.pingHeard = 0;
    this.clear();
  }

  private forget(sessionId: string): void {
    this.epoch++;
    this.entries.delete(sessionId);
  }

  private clear(): void {
    this.epoch++;
    this.emptied++;
    this.entries.clear();
  }
}

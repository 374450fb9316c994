import { GatewayRedisKeys, InjectRedis, RedisClient } from '@live/redis';
import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { GatewayEnv } from '../config/api-gateway.env';
import { RequestUser } from './auth.types';

/** Tokens kept at most (the oldest stored goes first): a flood of distinct valid tokens cannot grow the heap. */
export const TOKEN_CACHE_MAX = 10_000;

/**
 * The login tokens this process resolved in the last GATEWAY_TOKEN_CACHE_MS, so a user's next requests skip
 * the Redis lookup. A logout on any instance publishes the token on `logoutChannel()`; every instance drops
 * it when the message arrives. Entries are kept only while this process is subscribed: when the
 * subscription's connection drops, the cache is emptied and stays unused (every request asks Redis) until
 * it is subscribed again, so a logout published meanwhile cannot be missed. A lookup that was in flight
 * when a logout (or a drop) arrived is not stored: its answer may predate the logout.
 */
@Injectable()
export class TokenCache implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(TokenCache.name);
  private readonly entries = new Map<string, { user: RequestUser; expiresAt: number }>();
  private readonly ttlMs: number;
  /** Bumped by every logout and every drop: a lookup started before stores nothing. */
  private epoch = 0;
  private subscribed = false;
  /** Times the subscription was lost. */
  private drops = 0;
  private subscriber: RedisClient | undefined;

  constructor(
    @InjectRedis() private readonly redis: RedisClient,
    private readonly keys: GatewayRedisKeys,
    env: GatewayEnv,
  ) {
    this.ttlMs = env.GATEWAY_TOKEN_CACHE_MS;
  }

  onModuleInit(): void {
    if (this.ttlMs === 0) return;
    const channel = this.keys.logoutChannel();
    const subscriber = this.redis.duplicate();
    this.subscriber = subscriber;
    subscriber.on('message', (from: string, token: string) => {
      if (from === channel) this.forget(token);
    });
    const suspend = (): void => {
      if (this.subscribed) this.logger.warn('logout channel lost: token cache off until subscribed again');
      this.subscribed = false;
      this.drops++;
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
  }

  onModuleDestroy(): void {
    this.subscribed = false;
    this.subscriber?.disconnect();
  }

  /** The user behind a token resolved lately, or undefined (ask Redis). */
  get(token: string): RequestUser | undefined {
    const hit = this.subscribed ? this.entries.get(token) : undefined;
    if (hit === undefined) return undefined;
    if (hit.expiresAt > Date.now()) return hit.user;
    this.entries.delete(token);
    return undefined;
  }

  /** Call before the Redis lookup; pass its answer to `remember`. */
  lookupStarted(): number {
    return this.epoch;
  }

  /** Keeps a token's user, unless a logout or a drop came after `startedAt` (lookupStarted) or the cache is off. */
  remember(token: string, user: RequestUser, startedAt: number): void {
    if (!this.subscribed || startedAt !== this.epoch) return;
    this.entries.delete(token);
    if (this.entries.size >= TOKEN_CACHE_MAX) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(token, { user, expiresAt: Date.now() + this.ttlMs });
  }

  /** Logs a token out everywhere: this process at once, the other instances when the message reaches them. */
  async revoke(token: string): Promise<void> {
    this.forget(token);
    // The key is gone before any instance hears of the logout (on a Cluster the two may go to different nodes).
    await this.redis.del(this.keys.userToken(token));
    await this.redis.publish(this.keys.logoutChannel(), token);
  }

  get size(): number {
    return this.entries.size;
  }

  /** Subscribed to the logout channel: entries are kept and used. */
  get active(): boolean {
    return this.subscribed;
  }

  private forget(token: string): void {
    this.epoch++;
    this.entries.delete(token);
  }

  private clear(): void {
    this.epoch++;
    this.entries.clear();
  }
}

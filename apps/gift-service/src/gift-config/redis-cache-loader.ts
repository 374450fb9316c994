import { RedisClient, withScripts } from '@live/redis';
import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';

/** Deletes the lock only if this caller still owns it (an expired lock may belong to someone else now). */
const RELEASE_LOCK = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;

interface CacheLoadOptions<T> {
  key: string;
  lockKey: string;
  /** Reads the truth (the database). Null means "there is none": cached as an empty marker. */
  load: () => Promise<T | null>;
  ttlSeconds: number;
  emptyTtlSeconds: number;
  /** How long the loader may hold the lock. */
  lockMs?: number;
  /** How long others wait for the loader before reading the database themselves. */
  waitMs?: number;
}

interface LockCommands {
  lgReleaseCacheLock(lockKey: string, token: string): Promise<number>;
}

/** What the cache holds for "nothing there" (a gift id that does not exist). */
export const EMPTY_MARKER = '\u0000none';

/**
 * Read-through Redis cache with a stampede lock: on a miss ONE caller (SET NX PX) loads from the
 * database and fills the key while the others poll the key for a short while, then fall back to the
 * database (bounded wait, never a deadlock). "Nothing there" is cached briefly as an empty marker,
 * so unknown ids do not reach the database each time. Redis errors degrade to database reads.
 */
export class RedisCacheLoader {
  private readonly redis: RedisClient & LockCommands;

  constructor(
    redis: RedisClient,
    private readonly logger: Logger,
  ) {
    this.redis = withScripts<LockCommands>(redis, { lgReleaseCacheLock: { numberOfKeys: 1, lua: RELEASE_LOCK } });
  }

  async get<T>(options: CacheLoadOptions<T>): Promise<T | null> {
    const cached = await this.read<T>(options.key);
    if (cached !== undefined) return cached;
    const token = randomUUID();
    const locked = await this.redis.set(options.lockKey, token, 'PX', options.lockMs ?? 2_000, 'NX').catch(() => null);
    if (locked !== 'OK') {
      const waited = await this.waitForFill<T>(options.key, options.waitMs ?? 500);
      if (waited !== undefined) return waited;
      return options.load();
    }
    try {
      const value = await options.load();
      await this.fill(options, value);
      return value;
    } finally {
      await this.redis.lgReleaseCacheLock(options.lockKey, token).catch(() => undefined);
    }
  }

  /** undefined = not cached (or Redis unreachable); null = cached "nothing there". */
  private async read<T>(key: string): Promise<T | null | undefined> {
    const raw = await this.redis.get(key).catch((err: unknown) => {
      this.logger.warn(`cache read ${key} failed, reading the database: ${String(err)}`);
      return null;
    });
    if (raw === null) return undefined;
    if (raw === EMPTY_MARKER) return null;
    return JSON.parse(raw) as T;
  }

  private async fill<T>(options: CacheLoadOptions<T>, value: T | null): Promise<void> {
    // Jitter spreads the expiry of keys filled together, so they are not all reloaded at once.
    const ttl =
      value === null
        ? options.emptyTtlSeconds
        : options.ttlSeconds + Math.floor(Math.random() * (options.ttlSeconds / 10 + 1));
    const raw = value === null ? EMPTY_MARKER : JSON.stringify(value);
    await this.redis
      .set(options.key, raw, 'EX', ttl)
      .catch((err: unknown) => this.logger.warn(`cache fill ${options.key} failed: ${String(err)}`));
  }

  private async waitForFill<T>(key: string, waitMs: number): Promise<T | null | undefined> {
    const deadline = Date.now() + waitMs;
    while (Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      const value = await this.read<T>(key);
      if (value !== undefined) return value;
    }
    return undefined;
  }
}

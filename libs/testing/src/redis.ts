import { createRedisClient, RedisEnv } from '@live/redis';
import { validateEnv } from '@live/common';
import type { Redis } from 'ioredis';
import { uniqueName } from './names';

export interface TestRedis {
  redis: Redis;
  /** A REDIS_KEY_PREFIX no other run uses. */
  prefix: string;
  /** Deletes every key under the prefix (SCAN, not KEYS) and disconnects. */
  cleanup(): Promise<void>;
}

/** The Redis of REDIS_HOST/REDIS_PORT (as `scripts/infra up` provides) with a throwaway key prefix. */
export async function createTestRedis(): Promise<TestRedis> {
  const prefix = uniqueName('t');
  // REDIS_HOST/REDIS_PORT: one server (the specs that need a Redis Cluster build their own client).
  const redis = createRedisClient(validateEnv(RedisEnv)) as Redis;
  await redis.ping();
  return {
    redis,
    prefix,
    async cleanup() {
      for (const db of [0, ...new Set([Number(process.env.REDIS_DB ?? 0)])]) {
        await redis.select(db);
        let cursor = '0';
        do {
          const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
          if (keys.length > 0) await redis.del(...keys);
          cursor = next;
        } while (cursor !== '0');
      }
      await redis.quit();
    },
  };
}

import { validateEnv } from '@live/common';
import { GiftConfigDto, GiftStatus } from '@live/contracts';
import { KafkaProducerService } from '@live/kafka';
import { GiftRedisKeys, RedisClient } from '@live/redis';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { DataSource } from 'typeorm';
import { GiftServiceEnv } from '../config/gift-service.env';
import { GiftConfigService } from './gift-config.service';
import { EMPTY_MARKER } from './redis-cache-loader';

/**
 * gift-service's in-process gift cache is bounded whatever ids clients name: unknown ids are never kept
 * (Redis holds their short-lived empty marker), known ones at most GIFT_CONFIG_LOCAL_MAX_ENTRIES, least
 * recently used first out. Redis is stubbed to answer like the real one once filled.
 */
/** V8's full collection, exposed at run time (`--expose-gc` turned on for a fresh context). */
function fullGc(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

describe('GiftConfigService memory', () => {
  const known = (giftId: number): GiftConfigDto =>
    ({
      giftId,
      giftName: `gift ${giftId}`,
      price: 10,
      status: GiftStatus.ENABLED,
      coverImgUrl: null,
      svgaUrl: null,
      sortOrder: 0,
    }) as unknown as GiftConfigDto;

  function service(maxEntries: number, knownIds: (id: number) => boolean) {
    const keys = new GiftRedisKeys('mem');
    const redisReads = { count: 0 };
    const redis = {
      defineCommand: () => undefined,
      get: async (key: string) => {
        redisReads.count += 1;
        const id = Number(/\{gift:(-?\d+)\}/.exec(key)?.[1]);
        return knownIds(id) ? JSON.stringify(known(id)) : EMPTY_MARKER;
      },
    } as unknown as RedisClient;
    const dataSource = { getRepository: () => ({}) } as unknown as DataSource;
    const env = validateEnv(GiftServiceEnv, { ...process.env, GIFT_CONFIG_LOCAL_MAX_ENTRIES: String(maxEntries) });
    const svc = new GiftConfigService(dataSource, redis, keys, {} as KafkaProducerService, env);
    return { svc, redisReads };
  }

  it('100,000 unknown ids: every answer null, nothing kept in memory', async () => {
    const { svc } = service(1_000, (id) => id === 1);
    await svc.findAny(1);
    fullGc(); // so the garbage made before is not counted against what the loop leaves
    const heapBefore = process.memoryUsage().heapUsed;
    for (let id = 1_000_000; id < 1_100_000; id += 1) {
      if ((await svc.findAny(id)) !== null) throw new Error(`unknown gift ${id} answered`);
    }
    expect(svc.localCacheSize).toBe(1);
    // Flat memory after a full collection: no per-id residue (gc exposed here, whatever flags jest ran with).
    fullGc();
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(5_000_000);
  });

  it('100,000 known ids: at most GIFT_CONFIG_LOCAL_MAX_ENTRIES kept, the recently used ones', async () => {
    const { svc, redisReads } = service(1_000, () => true);
    for (let id = 1; id <= 100_000; id += 1) {
      const gift = await svc.findAny(id);
      if (gift?.giftId !== id) throw new Error(`gift ${id}: got ${JSON.stringify(gift)}`);
      if (svc.localCacheSize > 1_000) throw new Error(`${svc.localCacheSize} entries after ${id} ids`);
    }
    expect(svc.localCacheSize).toBe(1_000);
    const reads = redisReads.count;
    await svc.findAny(100_000); // recent: from memory
    expect(redisReads.count).toBe(reads);
    await svc.findAny(1); // evicted long ago: from Redis
    expect(redisReads.count).toBe(reads + 1);
  });
});

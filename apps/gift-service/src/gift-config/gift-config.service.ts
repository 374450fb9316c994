import { BaseErrorCode, ErrorAssert, GiftErrorCode, TtlCache } from '@live/common';
import {
  GiftConfigDto,
  GiftPanelItemDto,
  GiftStatus,
  InsertGiftConfigRequest,
  KafkaTopic,
  RemoveGiftCacheMq,
  removeGiftCacheKey,
  Unsigned,
  UpdateGiftConfigRequest,
} from '@live/contracts';
import { KafkaProducerService } from '@live/kafka';
import { GiftRedisKeys, InjectRedis, RedisClient, settleAll } from '@live/redis';
import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, Repository } from 'typeorm';
import { GiftServiceEnv } from '../config/gift-service.env';
import { GiftConfigEntity } from './entities/gift-config.entity';
import { toGiftConfigDto, toPanelItem } from './gift-config.mapper';
import { RedisCacheLoader } from './redis-cache-loader';

const GIFT_CACHE_TTL_SECONDS = 3_600;
const GIFT_EMPTY_TTL_SECONDS = 60;

/**
 * The gift catalogue (t_gift_config), read through three layers: this process's memory (short TTL, a
 * bounded LRU of gifts that exist: a miss is never kept here, whatever ids clients name), Redis (entry per gift + the panel list, stampede lock, empty marker), the database (the truth).
 *
 * Invalidation on every write, on every instance: the writer deletes the Redis keys right after the
 * database write (the next reader anywhere reloads), then publishes `remove_gift_cache`; every instance
 * drops its in-memory copy on that message and deletes the Redis keys once more, which also removes a
 * stale copy a concurrent reader may have put back between the write and the first delete.
 */
@Injectable()
export class GiftConfigService {
  private readonly logger = new Logger(GiftConfigService.name);
  private readonly local: TtlCache<number, GiftConfigDto | null>;
  private readonly cache: RedisCacheLoader;
  private readonly gifts: Repository<GiftConfigEntity>;

  constructor(
    @InjectDataSource() dataSource: DataSource,
    @InjectRedis() private readonly redis: RedisClient,
    private readonly keys: GiftRedisKeys,
    private readonly producer: KafkaProducerService,
    private readonly env: GiftServiceEnv,
  ) {
    this.gifts = dataSource.getRepository(GiftConfigEntity);
    this.cache = new RedisCacheLoader(redis, this.logger);
    // No stale-if-error here: the consumer prices gifts with what this returns.
    this.local = new TtlCache(env.GIFT_CONFIG_LOCAL_TTL_MS, {
      maxEntries: env.GIFT_CONFIG_LOCAL_MAX_ENTRIES,
      maxStaleMs: 0,
      keep: (gift) => gift !== null,
    });
  }

  /** Gifts held in this process's memory now (at most GIFT_CONFIG_LOCAL_MAX_ENTRIES). */
  get localCacheSize(): number {
    return this.local.size;
  }

  /** A gift whatever its status (the consumer names gifts already sold); null when there is no such gift. */
  async findAny(giftId: number): Promise<GiftConfigDto | null> {
    return this.local.get(giftId, () => this.findShared(giftId));
  }

  private findShared(giftId: number): Promise<GiftConfigDto | null> {
    return this.cache.get<GiftConfigDto>({
      key: this.keys.giftConfig(giftId),
      lockKey: this.keys.giftConfigLock(giftId),
      load: async () => {
        const row = await this.gifts.findOneBy({ giftId });
        return row ? toGiftConfigDto(row) : null;
      },
      ttlSeconds: GIFT_CACHE_TTL_SECONDS,
      emptyTtlSeconds: GIFT_EMPTY_TTL_SECONDS,
    });
  }

  /** A gift on sale, or null (unknown or disabled). */
  async getValid(giftId: number): Promise<GiftConfigDto | null> {
    const gift = await this.findAny(giftId);
    return gift && gift.status === GiftStatus.ENABLED ? gift : null;
  }

  /** The panel: gifts on sale by sort order then id (stable). `includeDisabled` (admin) reads the database. */
  async listPanel(includeDisabled = false): Promise<GiftPanelItemDto[]> {
    if (includeDisabled) return (await this.loadAll(false)).map(toPanelItem);
    const list = await this.cache.get<GiftPanelItemDto[]>({
      key: this.keys.giftList(),
      lockKey: this.keys.giftListLock(),
      load: async () => (await this.loadAll(true)).map(toPanelItem),
      ttlSeconds: GIFT_CACHE_TTL_SECONDS,
      emptyTtlSeconds: GIFT_EMPTY_TTL_SECONDS,
    });
    return list ?? [];
  }

  async insert(req: Unsigned<InsertGiftConfigRequest>): Promise<GiftConfigDto> {
    const saved = await this.gifts.save(
      this.gifts.create({
        giftName: req.giftName,
        price: req.price,
        status: req.status ?? GiftStatus.ENABLED,
        coverImgUrl: req.coverImgUrl,
        svgaUrl: req.svgaUrl,
        sortOrder: req.sortOrder ?? 0,
      }),
    );
    const gift = await this.reload(saved.giftId);
    this.logger.log(`gift ${gift.giftId} "${gift.giftName}" added at ${gift.price} coins (status ${gift.status})`);
    await this.invalidate(gift.giftId);
    return gift;
  }

  async update(req: Unsigned<UpdateGiftConfigRequest>): Promise<GiftConfigDto> {
    const { giftId, ...fields } = req;
    // Optional fields let null through validation; a NOT NULL column must not get it (nor a text column '').
    const nulls = Object.keys(fields).filter((k) => fields[k as keyof typeof fields] === null);
    ErrorAssert.isTrue(
      nulls.length === 0,
      BaseErrorCode.PARAM_ERROR,
      `${nulls.join(', ')} cannot be null: leave a field out to keep it`,
    );
    const changes = Object.fromEntries(
      Object.entries(fields).filter(([, v]) => v !== undefined),
    ) as Partial<GiftConfigEntity>;
    ErrorAssert.isTrue(
      Object.keys(changes).length > 0,
      BaseErrorCode.PARAM_ERROR,
      'nothing to update: give at least one field',
    );
    const result = await this.gifts.update({ giftId }, changes);
    ErrorAssert.isTrue((result.affected ?? 0) > 0, GiftErrorCode.GIFT_NOT_FOUND, `gift ${giftId} not found`);
    const gift = await this.reload(giftId);
    this.logger.log(`gift ${giftId} updated: ${Object.keys(changes).join(', ')}`);
    await this.invalidate(giftId);
    return gift;
  }

  /** On `remove_gift_cache` (every instance, the writer included): drop the local copy, delete the Redis keys again. */
  async onInvalidation(giftId: number): Promise<void> {
    this.local.delete(giftId);
    await this.deleteShared(giftId);
  }

  private async invalidate(giftId: number): Promise<void> {
    this.local.delete(giftId);
    await this.deleteShared(giftId);
    const mq: RemoveGiftCacheMq = { giftId };
    await this.producer.send(KafkaTopic.REMOVE_GIFT_CACHE, [{ key: removeGiftCacheKey(mq), value: mq }]);
  }

  private async deleteShared(giftId: number): Promise<void> {
    // Two keys in two slots (two nodes of a Cluster): two commands at once, no pipeline; one round trip on one server.
    await settleAll([this.redis.del(this.keys.giftConfig(giftId)), this.redis.del(this.keys.giftList())]).catch(
      (err: unknown) =>
        this.logger.error(
          `gift ${giftId}: cache delete failed (entries expire in ${GIFT_CACHE_TTL_SECONDS} s): ${String(err)}`,
        ),
    );
  }

  private async reload(giftId: number): Promise<GiftConfigDto> {
    const row = await this.gifts.findOneBy({ giftId });
    ErrorAssert.isNotNull(row, GiftErrorCode.GIFT_NOT_FOUND, `gift ${giftId} not found`);
    return toGiftConfigDto(row);
  }

  private async loadAll(enabledOnly: boolean): Promise<GiftConfigDto[]> {
    const rows = await this.gifts.find({
      where: enabledOnly ? { status: GiftStatus.ENABLED } : {},
      order: { sortOrder: 'ASC', giftId: 'ASC' },
    });
    return rows.map(toGiftConfigDto);
  }
}

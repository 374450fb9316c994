import { KafkaTopic, RemoveGiftCacheMq, removeGiftCacheGroupId } from '@live/contracts';
import { BatchConsumer, InjectKafka, KafkaNames } from '@live/kafka';
import { Injectable, Logger } from '@nestjs/common';
import { Kafka } from 'kafkajs';
import { GiftServiceEnv } from '../config/gift-service.env';
import { GiftConfigService } from './gift-config.service';

/**
 * `remove_gift_cache` on THIS instance (a consumer group of its own: every instance sees every
 * message). Starts at the newest offset the first time: a new instance has nothing cached to drop.
 */
@Injectable()
export class GiftCacheInvalidationConsumer extends BatchConsumer<KafkaTopic.REMOVE_GIFT_CACHE> {
  constructor(@InjectKafka() kafka: Kafka, names: KafkaNames, env: GiftServiceEnv, giftConfigs: GiftConfigService) {
    const logger = new Logger(GiftCacheInvalidationConsumer.name);
    super(kafka, {
      names,
      groupId: removeGiftCacheGroupId(env.GIFT_INSTANCE_ID),
      topic: KafkaTopic.REMOVE_GIFT_CACHE,
      valueClass: RemoveGiftCacheMq,
      fromBeginning: false,
      // A restarted instance (same id, same group) waits for its dead predecessor to expire.
      sessionTimeoutMs: 10_000,
      rebalanceTimeoutMs: 10_000,
      maxWaitTimeMs: 200,
      handler: async (batch) => {
        const giftIds = new Set(batch.messages.flatMap((m) => (m.value ? [m.value.giftId] : [])));
        for (const giftId of giftIds) await giftConfigs.onInvalidation(giftId);
        if (giftIds.size > 0) logger.log(`dropped cached gift config: ${[...giftIds].join(', ')}`);
      },
      logger,
    });
  }
}

import { KafkaConsumerGroup, KafkaTopic, SendGiftMq } from '@live/contracts';
import { BatchConsumer, InjectKafka, KafkaNames } from '@live/kafka';
import { Injectable, Logger } from '@nestjs/common';
import { Kafka } from 'kafkajs';
import { GiftServiceEnv } from '../config/gift-service.env';
import { SendGiftPipeline } from './send-gift.pipeline';

/**
 * gift-service's member of the `send_gift` consumer group: batches of up to GIFT_CONSUMER_BATCH_SIZE
 * messages of one partition go through SendGiftPipeline; offsets are committed only after it finished.
 * Starts once the app is up; at shutdown the running batch finishes and commits.
 */
@Injectable()
export class SendGiftConsumer extends BatchConsumer<SendGiftMq> {
  constructor(@InjectKafka() kafka: Kafka, names: KafkaNames, env: GiftServiceEnv, pipeline: SendGiftPipeline) {
    super(kafka, {
      groupId: names.group(KafkaConsumerGroup.GIFT_SEND_GIFT),
      topic: names.topic(KafkaTopic.SEND_GIFT),
      valueClass: SendGiftMq,
      maxBatchSize: env.GIFT_CONSUMER_BATCH_SIZE,
      partitionsConsumedConcurrently: env.GIFT_CONSUMER_CONCURRENCY,
      handler: async (batch) => {
        await pipeline.process(batch);
      },
      logger: new Logger(SendGiftConsumer.name),
    });
  }
}

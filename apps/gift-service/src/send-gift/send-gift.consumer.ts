import { KafkaConsumerGroup, KafkaTopic, SendGiftMq } from '@live/contracts';
import { BatchConsumer, ConsumedBatch, InjectKafka, KafkaNames } from '@live/kafka';
import { isOutage, isStatementLimit } from '@live/common';
import { Injectable, Logger } from '@nestjs/common';
import { Kafka } from 'kafkajs';
import { GiftServiceEnv } from '../config/gift-service.env';
import { BatchCoalescer } from './batch-coalescer';
import { SendGiftPipeline } from './send-gift.pipeline';

/**
 * gift-service's member of the `send_gift` consumer group: the batches of its partitions, merged by a
 * BatchCoalescer (up to GIFT_CONSUMER_BATCH_SIZE messages), go through SendGiftPipeline; each
 * partition's offsets are committed only after the run that carried its batch finished (every
 * GIFT_COMMIT_INTERVAL_MS, for all the runs finished meanwhile). A batch that
 * failed is retried alone (not merged); after GIFT_BATCH_ISOLATE_AFTER failures in a row (not an outage)
 * its messages are settled one at a time and one that still fails is parked: the partition moves on.
 * Starts once the app is up; at shutdown the running batch finishes and commits.
 */
@Injectable()
export class SendGiftConsumer extends BatchConsumer<KafkaTopic.SEND_GIFT> {
  constructor(@InjectKafka() kafka: Kafka, names: KafkaNames, env: GiftServiceEnv, pipeline: SendGiftPipeline) {
    // Batches of several partitions arriving together are settled together (one bank transaction).
    const coalescer = new BatchCoalescer<ConsumedBatch<SendGiftMq>>(
      (batches) => pipeline.process(batches).then(() => undefined),
      {
        windowMs: env.GIFT_COALESCE_WINDOW_MS,
        maxItems: env.GIFT_CONSUMER_BATCH_SIZE,
        maxConcurrent: 2,
      },
    );
    super(kafka, {
      names,
      groupId: KafkaConsumerGroup.GIFT_SEND_GIFT,
      topic: KafkaTopic.SEND_GIFT,
      valueClass: SendGiftMq,
      maxBatchSize: env.GIFT_CONSUMER_BATCH_SIZE,
      partitionsConsumedConcurrently: env.GIFT_CONSUMER_CONCURRENCY,
      commitIntervalMs: env.GIFT_COMMIT_INTERVAL_MS,
      // A member that died without leaving (kill -9) holds its partitions until this passes.
      sessionTimeoutMs: 10_000,
      rebalanceTimeoutMs: 10_000,
      // A retry runs alone: a failing batch never fails the partitions it was merged with again.
      handler: (batch) =>
        batch.attempt > 1
          ? pipeline.process([batch]).then(() => undefined)
          : coalescer.submit(batch, batch.messages.length),
      // A batch failing for one message (not an outage) goes one by one; what still fails is settled as a
      // refusal unless already charged (its sender hears either way), then parked.
      poison: {
        afterFailures: env.GIFT_BATCH_ISOLATE_AFTER,
        isOutage,
        // A batch the database stopped (its time, memory, a query killer) goes one by one: smaller statements.
        splits: isStatementLimit,
        park: (message, reason) => pipeline.parkPoisoned(message, reason),
      },
      logger: new Logger(SendGiftConsumer.name),
    });
  }
}

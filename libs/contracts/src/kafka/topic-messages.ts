import { ClassConstructor } from 'class-transformer';
import { ParkedMessage } from './parked';
import { RemoveGiftCacheMq } from './remove-gift-cache';
import { SendGiftMq } from './send-gift';
import { KafkaTopic } from './topics';

/**
 * The one topic -> message class map: the value class of each topic (what decodeMessage checks a consumed
 * message against). The keys are the logical topic names; KafkaNames adds the cluster's prefix.
 */
export const KAFKA_TOPIC_VALUE_CLASSES = {
  [KafkaTopic.SEND_GIFT]: SendGiftMq,
  [KafkaTopic.REMOVE_GIFT_CACHE]: RemoveGiftCacheMq,
  [KafkaTopic.SEND_GIFT_PARKED]: ParkedMessage,
} as const satisfies { [K in KafkaTopic]: ClassConstructor<object> };

/** The value type of each topic, for typed producers and consumers (KafkaProducerService, BatchConsumer). */
export type KafkaTopicMessages = { [K in KafkaTopic]: InstanceType<(typeof KAFKA_TOPIC_VALUE_CLASSES)[K]> };

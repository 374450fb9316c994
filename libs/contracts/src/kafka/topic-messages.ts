import { ParkedMessage } from './parked';
import { RemoveGiftCacheMq } from './remove-gift-cache';
import { SendGiftMq } from './send-gift';
import { KafkaTopic } from './topics';

/** The value type of each topic, for typed producers and consumers. */
export interface KafkaTopicMessages {
  [KafkaTopic.SEND_GIFT]: SendGiftMq;
  [KafkaTopic.REMOVE_GIFT_CACHE]: RemoveGiftCacheMq;
  [KafkaTopic.SEND_GIFT_PARKED]: ParkedMessage;
}

/** The value class of each topic (what decodeMessage checks a consumed message against). */
export const KAFKA_TOPIC_VALUE_CLASSES = {
  [KafkaTopic.SEND_GIFT]: SendGiftMq,
  [KafkaTopic.REMOVE_GIFT_CACHE]: RemoveGiftCacheMq,
  [KafkaTopic.SEND_GIFT_PARKED]: ParkedMessage,
} as const;

/** Every Kafka topic in the system. The value class of each lives in the folder of the same name. */
export enum KafkaTopic {
  /** A gift a viewer sent: SendGiftMq, keyed by sender id (sendGiftKey). Produced by api-gateway, consumed by gift-service. */
  SEND_GIFT = 'send_gift',
  /** A gift's config changed: RemoveGiftCacheMq, keyed by gift id. Every gift-service instance drops its cached copy. */
  REMOVE_GIFT_CACHE = 'remove_gift_cache',
  /**
   * `send_gift` messages the consumer could not use (undecodable or invalid), parked as they came with
   * headers saying why and where from (origin topic, partition, offset), for an operator to inspect.
   */
  SEND_GIFT_PARKED = 'send_gift.parked',
}

/** Consumer groups whose members share a topic's partitions (each message handled by one member). */
export enum KafkaConsumerGroup {
  /** gift-service's batch consumer of `send_gift`: settles, records and pushes each gift once. */
  GIFT_SEND_GIFT = 'gift-service.send-gift',
}

/**
 * `remove_gift_cache` is a broadcast: every gift-service instance must see every message, so each
 * instance joins a group of its own (stable per instance id, so a restart resumes where it stopped).
 */
export function removeGiftCacheGroupId(instanceId: string): string {
  return `gift-service.remove-gift-cache.${instanceId}`;
}

export interface KafkaTopicSpec {
  topic: KafkaTopic;
  numPartitions: number;
}

/**
 * The partition counts the system is sized for (pass to ensureTopics at start-up).
 * send_gift: 12 partitions keyed by sender, so up to 12 gift-service instances consume in parallel
 * while each sender's gifts stay in order. remove_gift_cache: rare, order per gift is all that matters.
 */
export const KAFKA_TOPIC_SPECS: readonly KafkaTopicSpec[] = [
  { topic: KafkaTopic.SEND_GIFT, numPartitions: 12 },
  { topic: KafkaTopic.REMOVE_GIFT_CACHE, numPartitions: 1 },
  { topic: KafkaTopic.SEND_GIFT_PARKED, numPartitions: 1 },
];

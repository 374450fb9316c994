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
  /** Topic configs set when the topic is created (an existing topic's are compared and warned about, not changed). */
  configEntries?: Record<string, string>;
}

/**
 * How long `send_gift` keeps a message (its `retention.ms`): a gift-service down longer than this loses
 * the gifts it has not consumed. Time only (`retention.bytes` -1, set, not left to a cluster's default): a
 * size bound would drop unsettled gifts. Kafka deletes whole segments once their newest message is older
 * than the retention, so a message can be read again until SEND_GIFT_RETENTION_MS + SEND_GIFT_SEGMENT_MS
 * (segments roll daily): gift-service holds a gift's outcome keys that long (SEND_GIFT_READABLE_MS), so a
 * redelivery however late finds what was done.
 */
export const SEND_GIFT_RETENTION_MS = 7 * 24 * 3_600_000;
export const SEND_GIFT_SEGMENT_MS = 24 * 3_600_000;
export const SEND_GIFT_READABLE_MS = SEND_GIFT_RETENTION_MS + SEND_GIFT_SEGMENT_MS;

/**
 * `send_gift.parked` is bounded by time and by size: parked messages were never charged (the ledger and
 * the audit do not need them; they are there for an operator to inspect), and a client can have its own
 * messages parked at up to its send limit (an old Idempotency-Key reused with other parameters). At most
 * PARKED_RETENTION_BYTES per partition plus one segment; the oldest segments go first.
 */
export const PARKED_RETENTION_MS = 14 * 24 * 3_600_000;
export const PARKED_RETENTION_BYTES = 1_024 * 1_024 * 1_024;
const PARKED_SEGMENT_BYTES = 64 * 1_024 * 1_024;

/**
 * The partition counts the system is sized for, and each topic's retention (pass to ensureTopics at
 * start-up). send_gift: 12 partitions keyed by sender, so up to 12 gift-service instances consume in
 * parallel while each sender's gifts stay in order. remove_gift_cache: rare, order per gift is all that
 * matters; a day's retention (an instance that restarts reloads its gift cache anyway).
 * Set explicitly, not left to the broker's defaults (`log.retention.hours` 168 and no size bound, or
 * whatever a shared cluster was given). A managed cluster whose policy refuses one of these settings refuses
 * the topic's creation: create the topics beforehand (an existing topic is only compared, see ensureTopics).
 */
export const KAFKA_TOPIC_SPECS: readonly KafkaTopicSpec[] = [
  {
    topic: KafkaTopic.SEND_GIFT,
    numPartitions: 12,
    configEntries: {
      'cleanup.policy': 'delete',
      'retention.ms': String(SEND_GIFT_RETENTION_MS),
      'retention.bytes': '-1',
      'segment.ms': String(SEND_GIFT_SEGMENT_MS),
    },
  },
  {
    topic: KafkaTopic.REMOVE_GIFT_CACHE,
    numPartitions: 1,
    configEntries: { 'cleanup.policy': 'delete', 'retention.ms': String(24 * 3_600_000), 'retention.bytes': '-1' },
  },
  {
    topic: KafkaTopic.SEND_GIFT_PARKED,
    numPartitions: 1,
    configEntries: {
      'cleanup.policy': 'delete',
      'retention.ms': String(PARKED_RETENTION_MS),
      'retention.bytes': String(PARKED_RETENTION_BYTES),
      'segment.bytes': String(PARKED_SEGMENT_BYTES),
    },
  },
];

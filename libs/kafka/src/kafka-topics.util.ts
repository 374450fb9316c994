import { Logger } from '@nestjs/common';
import { Kafka } from 'kafkajs';

export interface TopicSpec {
  topic: string;
  numPartitions: number;
  /** Default -1: the broker's default.replication.factor. */
  replicationFactor?: number;
  /** Topic configs, e.g. `{ 'retention.ms': '604800000' }`. */
  configEntries?: Record<string, string>;
}

export interface EnsureTopicsResult {
  created: string[];
  /** Topics that were already there, with their partition counts (never changed here). */
  existing: { topic: string; numPartitions: number }[];
}

const logger = new Logger('KafkaTopics');

/**
 * Creates the topics that do not exist yet (waiting for their leaders); leaves existing ones alone.
 * An existing topic with fewer partitions than asked is only reported (warning): adding partitions
 * moves keys to other partitions, which breaks per-key order, so that stays an operator's decision.
 * Safe to call from several processes at once (a concurrent creation counts as existing).
 */
export async function ensureTopics(kafka: Kafka, specs: readonly TopicSpec[]): Promise<EnsureTopicsResult> {
  const result: EnsureTopicsResult = { created: [], existing: [] };
  if (specs.length === 0) return result;
  const admin = kafka.admin();
  await admin.connect();
  try {
    const known = new Set(await admin.listTopics());
    const missing = specs.filter((s) => !known.has(s.topic));
    for (const spec of missing) {
      // One topic per call: kafkajs reports "already exists" for a single topic as `false`, not an error.
      const created = await admin.createTopics({
        waitForLeaders: true,
        topics: [
          {
            topic: spec.topic,
            numPartitions: spec.numPartitions,
            replicationFactor: spec.replicationFactor ?? -1,
            configEntries: Object.entries(spec.configEntries ?? {}).map(([name, value]) => ({ name, value })),
          },
        ],
      });
      if (created) result.created.push(spec.topic);
    }
    const present = specs.filter((s) => !result.created.includes(s.topic));
    if (present.length > 0) {
      const metadata = await admin.fetchTopicMetadata({ topics: present.map((s) => s.topic) });
      for (const t of metadata.topics) {
        const wanted = specs.find((s) => s.topic === t.name)?.numPartitions ?? 0;
        result.existing.push({ topic: t.name, numPartitions: t.partitions.length });
        if (t.partitions.length < wanted) {
          logger.warn(`topic ${t.name} has ${t.partitions.length} partitions, ${wanted} wanted: left as is (adding partitions reorders keys)`);
        }
      }
    }
    if (result.created.length > 0) logger.log(`created topics: ${result.created.join(', ')}`);
    return result;
  } finally {
    await admin.disconnect();
  }
}

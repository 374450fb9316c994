import { createKafkaClient, parseBrokers } from '@live/kafka';
import { IsInt, IsString, Min } from 'class-validator';
import { Kafka, logLevel } from 'kafkajs';
import { uniqueName } from './names';

export interface TestKafka {
  /** A client on the test brokers (log: errors only). */
  kafka: Kafka;
  brokers: string[];
  /** A topic name no other run uses, remembered for cleanup() (creating it is up to the test). */
  uniqueTopic(prefix: string): string;
  /** A consumer group id no other run uses, remembered for cleanup(). */
  uniqueGroup(prefix: string): string;
  /** Remembers topics and groups named elsewhere (e.g. an app's, behind a KAFKA_TOPIC_PREFIX) for cleanup(). */
  track(names: { topics?: string[]; groups?: string[] }): void;
  /** Deletes the remembered topics and groups that exist (stop the group's consumers first). Never throws. */
  cleanup(): Promise<void>;
}

/**
 * Kafka for integration tests: the broker of KAFKA_BROKERS (default 127.0.0.1:9092, as `scripts/infra up`
 * starts it), with throwaway topic and group names so parallel runs never meet.
 */
export function createTestKafka(options: { clientId?: string } = {}): TestKafka {
  const brokers = parseBrokers(process.env.KAFKA_BROKERS || '127.0.0.1:9092');
  const kafka = createKafkaClient({
    clientId: options.clientId ?? uniqueName('test'),
    brokers,
    logLevel: logLevel.ERROR,
    retry: { retries: 3, initialRetryTime: 100, maxRetryTime: 1_000 },
  });
  const topics = new Set<string>();
  const groups = new Set<string>();
  return {
    kafka,
    brokers,
    uniqueTopic(prefix) {
      const name = uniqueName(prefix);
      topics.add(name);
      return name;
    },
    uniqueGroup(prefix) {
      const name = uniqueName(prefix);
      groups.add(name);
      return name;
    },
    track(names) {
      for (const t of names.topics ?? []) topics.add(t);
      for (const g of names.groups ?? []) groups.add(g);
    },
    async cleanup() {
      const admin = kafka.admin();
      try {
        await admin.connect();
        if (groups.size > 0) await admin.deleteGroups([...groups]).catch(() => undefined);
        const existing = new Set(await admin.listTopics());
        const doomed = [...topics].filter((t) => existing.has(t));
        if (doomed.length > 0) await admin.deleteTopics({ topics: doomed, timeout: 10_000 });
      } catch {
        // best effort: a leftover uniquely named topic harms nobody
      } finally {
        topics.clear();
        groups.clear();
        await admin.disconnect().catch(() => undefined);
      }
    },
  };
}

/** A test message: a key and its sequence number (per-key order and loss checks). */
export class SeqEvent {
  @IsString()
  key!: string;

  @IsInt()
  @Min(0)
  seq!: number;
}

/** Any topic carries a SeqEvent (the apps use KafkaTopicMessages). */
export type SeqTopics = Record<string, SeqEvent>;

/** Polls `condition` every 100 ms until it holds; throws naming `what` after `timeoutMs`. */
export async function waitUntil(
  what: string,
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

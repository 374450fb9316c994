/// <reference types="jest" />
import type { EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';

/** A kafkajs message at `offset` (value: `{ n: offset }` unless given; null for a tombstone). */
export function fakeKafkaMessage(
  offset: number,
  value: string | null = JSON.stringify({ n: offset }),
  key = `k${offset % 2}`,
): KafkaMessage {
  return {
    offset: String(offset),
    key: Buffer.from(key),
    value: value === null ? null : Buffer.from(value),
    timestamp: '0',
    attributes: 0,
    headers: {},
  } as KafkaMessage;
}

/** A fake kafkajs client: captures the eachBatch callback so a test can feed a BatchConsumer batches. */
export function fakeKafka() {
  let eachBatch: ((p: EachBatchPayload) => Promise<void>) | undefined;
  const commits: string[][] = [];
  const consumer = {
    events: { GROUP_JOIN: 'join', REBALANCING: 'rebalancing', CRASH: 'crash', STOP: 'stop' },
    on: jest.fn(),
    connect: jest.fn(async () => undefined),
    subscribe: jest.fn(async () => undefined),
    run: jest.fn(async (config: { eachBatch: (p: EachBatchPayload) => Promise<void> }) => {
      eachBatch = config.eachBatch;
    }),
    disconnect: jest.fn(async () => undefined),
    /** The consumer's own commit (timed commits): `commits` records each request's offsets as `partition@offset`. */
    commitOffsets: jest.fn(async (offsets: { topic: string; partition: number; offset: string }[]) => {
      commits.push(offsets.map((o) => `${o.partition}@${o.offset}`));
    }),
  };
  const kafka = { consumer: jest.fn(() => consumer) } as unknown as Kafka;
  /** Calls the handler the consumer gave kafkajs for `event` (GROUP_JOIN: 'join', REBALANCING: 'rebalancing', ...). */
  const emit = (event: string, payload: unknown) =>
    (consumer.on.mock.calls as unknown as [string, (e: unknown) => void][])
      .filter(([name]) => name === event)
      .forEach(([, listener]) => listener({ payload }));
  return { kafka, consumer, commits, emit, feed: (p: EachBatchPayload) => eachBatch!(p) };
}

/** The payload of one fetched batch of `topic` partition 2; `log` records resolves and commits in order. */
export function fakeBatchPayload(messages: KafkaMessage[], running = () => true, topic = 't') {
  const log: string[] = [];
  const p = {
    batch: { topic, partition: 2, messages },
    resolveOffset: jest.fn((o: string) => log.push(`resolve ${o}`)),
    commitOffsetsIfNecessary: jest.fn(async (offsets: { topics: { partitions: { offset: string }[] }[] }) => {
      log.push(`commit ${offsets.topics[0].partitions[0].offset}`);
    }),
    heartbeat: jest.fn(async () => undefined),
    isRunning: jest.fn(running),
    isStale: jest.fn(() => false),
  };
  return { p: p as unknown as EachBatchPayload, mock: p, log };
}

import { BaseErrorCode, BizException, waitFor } from '@live/common';
import type { KafkaTopicMessages } from '@live/contracts';
import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit, Optional } from '@nestjs/common';
import { CompressionTypes, IHeaders, Kafka, Partitioners, Producer, TopicMessages } from 'kafkajs';
import { KAFKA, KAFKA_PRODUCER_OPTIONS } from './kafka.constants';
import { KafkaNames } from './kafka-names';
import { ensureTopics, TopicSpec } from './kafka-topics.util';

/** A topic -> message type map (logical topic names): KafkaTopicMessages in the apps, a test's own map in specs. */
export type TopicMessageMap<M> = { [K in keyof M]: object };

/** One message to produce: `value` is JSON-encoded; `key` picks the partition (same key, same partition, in order). */
export interface OutgoingMessage<T extends object = object> {
  key: string | null;
  value: T;
  headers?: Record<string, string>;
}

export interface KafkaProducerOptions {
  /** Puts the cluster prefix (KAFKA_TOPIC_PREFIX) on the logical topic of each send(). Default: no prefix. */
  names?: KafkaNames;
  /** Topics to create (if missing) before the producer connects: cluster names, prefix included. */
  topics?: readonly TopicSpec[];
  /** Most messages one produce request carries (coalescing). Default 1000. */
  maxBatchMessages?: number;
  /**
   * How long the first message of an idle producer waits for company before it is sent (messages that
   * arrive while a request is in flight are batched anyway). Default 0.
   */
  lingerMs?: number;
  /** Broker-side wait for the in-sync replicas (acks=-1). Default 10 s. */
  ackTimeoutMs?: number;
}

interface Pending {
  topic: string;
  messages: { key: string | null; value: string; headers?: IHeaders }[];
  resolve: () => void;
  reject: (err: unknown) => void;
}

/**
 * The app's one Kafka producer.
 *
 * - Idempotent (acks=-1, broker-side de-duplication of retried batches by producer id + sequence):
 *   a retry after a lost acknowledgement never writes a message twice, and never reorders a partition.
 * - One produce request in flight per broker (`maxInFlightRequests: 1`, what idempotence needs for
 *   order across retries). It costs no throughput here: kafkajs 2.2.4 already serialises an idempotent
 *   producer's requests per broker (its EOS manager holds a lock around each produce), and this service
 *   sends one sendBatch at a time anyway (measured 2026-11-29, 300 concurrent sendBatch calls of 50
 *   messages, one broker: 23-26k messages/s without the limit, 33-34k with it). Throughput comes from coalescing: send() calls that arrive
 *   while a request is in flight are queued and go out together in the next request (natural batching,
 *   no added delay when idle). One request at a time from this service also means calls are written in call order, so
 *   per-key order holds across concurrent send() calls and across retries.
 * - Retries are bounded (about 2 s), so a caller on a request path gets an answer. A failed request
 *   rejects every send() it carried with BizException(SERVICE_UNAVAILABLE): the messages may or may not
 *   have been written (consumers de-duplicate by request id). The producer is then replaced: a new
 *   producer id restarts the sequence numbers, so a batch that did land cannot make a later one look
 *   like a duplicate.
 * - Connects on module init (after creating the configured topics); on shutdown, sends what was
 *   accepted, then disconnects.
 */
@Injectable()
export class KafkaProducerService<M extends TopicMessageMap<M> = KafkaTopicMessages>
  implements OnModuleInit, OnApplicationShutdown
{
  private readonly logger = new Logger(KafkaProducerService.name);
  private readonly maxBatchMessages: number;
  private readonly ackTimeoutMs: number;
  private readonly lingerMs: number;
  private lingerTimer: NodeJS.Timeout | undefined;
  private producer: Producer;
  private connected: Promise<void> | null = null;
  private queue: Pending[] = [];
  private draining: Promise<void> | null = null;
  private closed = false;

  private readonly topics: readonly TopicSpec[];
  private readonly names: KafkaNames;

  constructor(
    @Inject(KAFKA) private readonly kafka: Kafka,
    @Optional() @Inject(KAFKA_PRODUCER_OPTIONS) options?: KafkaProducerOptions,
  ) {
    this.topics = options?.topics ?? [];
    this.names = options?.names ?? new KafkaNames();
    this.maxBatchMessages = options?.maxBatchMessages ?? 1000;
    this.ackTimeoutMs = options?.ackTimeoutMs ?? 10_000;
    this.lingerMs = options?.lingerMs ?? 0;
    this.producer = this.createProducer();
  }

  async onModuleInit(): Promise<void> {
    if (this.topics.length > 0) await ensureTopics(this.kafka, this.topics);
    await waitFor('the Kafka producer connection', () => this.connect());
  }

  async onApplicationShutdown(): Promise<void> {
    this.closed = true;
    if (this.lingerTimer) {
      clearTimeout(this.lingerTimer);
      this.lingerTimer = undefined;
      this.startDrain();
    }
    await this.draining;
    await this.producer.disconnect().catch((err: unknown) => this.logger.warn(`disconnect: ${describe(err)}`));
    this.connected = null;
  }

  /**
   * Produces messages to one topic; resolves when the brokers acknowledged all of them (acks=-1).
   * Rejects with BizException(SERVICE_UNAVAILABLE) when Kafka cannot take them. `topic` is the logical
   * name (the prefix is put on here) and fixes the message type: a wrong payload does not compile.
   */
  send<K extends keyof M & string>(topic: K, messages: readonly OutgoingMessage<M[K]>[]): Promise<void> {
    if (messages.length === 0) return Promise.resolve();
    if (this.closed)
      return Promise.reject(new BizException(BaseErrorCode.SERVICE_UNAVAILABLE, 'kafka producer is shut down'));
    const encoded = messages.map((m) => ({ key: m.key, value: JSON.stringify(m.value), headers: m.headers }));
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ topic: this.names.topic(topic), messages: encoded, resolve, reject });
      this.kick();
    });
  }

  private createProducer(): Producer {
    return this.kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
      retry: { retries: 4, initialRetryTime: 100, maxRetryTime: 1_000 },
    });
  }

  private connect(): Promise<void> {
    if (!this.connected) {
      this.connected = this.producer.connect().catch((err: unknown) => {
        this.connected = null;
        throw err;
      });
    }
    return this.connected;
  }

  private kick(): void {
    if (this.draining || this.lingerTimer) return;
    if (
      this.lingerMs > 0 &&
      !this.closed &&
      this.queue.reduce((n, p) => n + p.messages.length, 0) < this.maxBatchMessages
    ) {
      this.lingerTimer = setTimeout(() => {
        this.lingerTimer = undefined;
        this.startDrain();
      }, this.lingerMs);
      return;
    }
    this.startDrain();
  }

  private startDrain(): void {
    if (this.draining) return;
    this.draining = this.drain().finally(() => {
      this.draining = null;
      if (this.queue.length > 0) this.startDrain();
    });
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.takeBatch();
      const count = batch.reduce((n, p) => n + p.messages.length, 0);
      try {
        await this.connect();
        await this.producer.sendBatch({
          acks: -1,
          timeout: this.ackTimeoutMs,
          compression: CompressionTypes.None,
          topicMessages: toTopicMessages(batch),
        });
        batch.forEach((p) => p.resolve());
      } catch (err: unknown) {
        this.logger.error(`produce of ${count} message(s) to ${topicsOf(batch)} failed: ${describe(err)}`);
        const failure = new BizException(BaseErrorCode.SERVICE_UNAVAILABLE, `kafka: ${describe(err)}`);
        batch.forEach((p) => p.reject(failure));
        await this.replaceProducer();
      }
    }
  }

  /** Whole send() calls, in call order, up to maxBatchMessages (a single larger call goes alone). */
  private takeBatch(): Pending[] {
    const batch: Pending[] = [];
    let count = 0;
    while (this.queue.length > 0) {
      const next = this.queue[0];
      if (batch.length > 0 && count + next.messages.length > this.maxBatchMessages) break;
      batch.push(next);
      count += next.messages.length;
      this.queue.shift();
    }
    return batch;
  }

  private async replaceProducer(): Promise<void> {
    const old = this.producer;
    this.producer = this.createProducer();
    this.connected = null;
    await old.disconnect().catch(() => undefined);
  }
}

/** Consecutive calls for the same topic are merged; order within a topic is call order. */
function toTopicMessages(batch: Pending[]): TopicMessages[] {
  const byTopic = new Map<string, TopicMessages>();
  for (const p of batch) {
    const entry = byTopic.get(p.topic) ?? { topic: p.topic, messages: [] };
    entry.messages.push(...p.messages);
    byTopic.set(p.topic, entry);
  }
  return [...byTopic.values()];
}

function topicsOf(batch: Pending[]): string {
  return [...new Set(batch.map((p) => p.topic))].join(', ');
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

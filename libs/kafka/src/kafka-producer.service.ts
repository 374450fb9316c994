import { BaseErrorCode, BizException, describeError, waitFor } from '@live/common';
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
   * Adaptive linger: the least time between the starts of two produce requests. Under load the next
   * request waits for the rest of it, collecting what arrives meanwhile (fewer, larger requests); an idle
   * producer (its last request started longer ago) sends at once, with no added delay. Default 0.
   */
  lingerMs?: number;
  /** Broker-side wait for the in-sync replicas (acks=-1). Default 10 s. */
  ackTimeoutMs?: number;
  /** Tries of one produce request, each sending it whole, before its calls are rejected. Default 5. */
  sendAttempts?: number;
  /** Wait before the second try, doubled for each next one (at most 800 ms). Default 100 ms. */
  retryBackoffMs?: number;
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
 * - acks=-1: a message is acknowledged once the in-sync replicas hold it (at least min.insync.replicas).
 * - kafkajs does not retry (`retries: 0`); this service sends a failed request again WHOLE, up to
 *   `sendAttempts` times over about 1.5 s. kafkajs 2.2.4's own retry of a sendBatch resends only to the
 *   brokers that have not answered yet: partitions whose leader died and moved to a broker that had
 *   already answered for its other partitions were never sent again, and the batch resolved as
 *   acknowledged (gifts lost in cluster chaos, 2026-11-29). Sent again whole, a message whose partition
 *   did take it is written twice: consumers de-duplicate by request id. Without kafkajs' retries the
 *   producer cannot be idempotent (kafkajs refuses), and needs not be.
 * - One produce request in flight per broker (`maxInFlightRequests: 1`), and one request at a time from
 *   this service. Throughput comes from coalescing: send() calls that arrive while a request is in flight
 *   are queued and go out together in the next request (natural batching), and the next request starts
 *   at least `lingerMs` after the previous one started (adaptive linger: under load, fewer and larger
 *   requests, each of which costs the brokers a fixed price; when idle, no added delay). One request at a
 *   time also means calls are written in call order, so per-key order holds across concurrent send()
 *   calls (a request sent again may repeat messages already written, never skip ahead).
 * - A request that fails every try rejects every send() it carried with
 *   BizException(SERVICE_UNAVAILABLE): the messages may or may not have been written. The producer is
 *   then replaced (a fresh connection and metadata).
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
  private readonly sendAttempts: number;
  private readonly retryBackoffMs: number;
  private readonly lingerMs: number;
  private lingerTimer: NodeJS.Timeout | undefined;
  /** When the last produce request started (Date.now()): the adaptive linger counts from it. */
  private lastRequestAt = 0;
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
    this.sendAttempts = options?.sendAttempts ?? 5;
    this.retryBackoffMs = options?.retryBackoffMs ?? 100;
    this.lingerMs = options?.lingerMs ?? 0;
    this.producer = this.createProducer();
  }

  async onModuleInit(): Promise<void> {
    if (this.topics.length > 0) await ensureTopics(this.kafka, this.topics);
    await waitFor('the Kafka producer connection', () => this.connect());
  }

  async onApplicationShutdown(): Promise<void> {
    this.closed = true;
    clearTimeout(this.lingerTimer);
    this.lingerTimer = undefined;
    // What was accepted goes out now, one request after the other (no linger once closed).
    while (this.draining || this.queue.length > 0) {
      this.startDrain();
      await this.draining;
    }
    await this.producer.disconnect().catch((err: unknown) => this.logger.warn(`disconnect: ${describeError(err)}`));
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
      idempotent: false,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
      // No kafkajs retry: it would resend only part of a request after a failover (see the class comment).
      retry: { retries: 0 },
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

  /** Starts the next request now, or when `lingerMs` has passed since the previous one started (adaptive linger). */
  private kick(): void {
    if (this.draining || this.lingerTimer || this.queue.length === 0) return;
    const wait = this.lastRequestAt + this.lingerMs - Date.now();
    if (wait > 0 && !this.closed && this.queuedMessages() < this.maxBatchMessages) {
      this.lingerTimer = setTimeout(() => {
        this.lingerTimer = undefined;
        this.startDrain();
      }, wait);
      return;
    }
    this.startDrain();
  }

  private queuedMessages(): number {
    return this.queue.reduce((n, p) => n + p.messages.length, 0);
  }

  /** One request (one batch of whole calls); the next one is started by kick(). */
  private startDrain(): void {
    if (this.draining) return;
    this.draining = this.drainOne().finally(() => {
      this.draining = null;
      this.kick();
    });
  }

  private async drainOne(): Promise<void> {
    if (this.queue.length === 0) return;
    const batch = this.takeBatch();
    const count = batch.reduce((n, p) => n + p.messages.length, 0);
    this.lastRequestAt = Date.now();
    try {
      await this.sendWhole(batch);
      batch.forEach((p) => p.resolve());
    } catch (err: unknown) {
      this.logger.error(`produce of ${count} message(s) to ${topicsOf(batch)} failed: ${describeError(err)}`);
      const failure = new BizException(BaseErrorCode.SERVICE_UNAVAILABLE, `kafka: ${describeError(err)}`);
      batch.forEach((p) => p.reject(failure));
      await this.replaceProducer();
    }
  }

  /** One request, sent whole again after a failure (every message of it), up to sendAttempts tries. */
  private async sendWhole(batch: Pending[]): Promise<void> {
    const topicMessages = toTopicMessages(batch);
    for (let attempt = 1; ; attempt++) {
      try {
        await this.connect();
        await this.producer.sendBatch({
          acks: -1,
          timeout: this.ackTimeoutMs,
          compression: CompressionTypes.None,
          topicMessages,
        });
        return;
      } catch (err: unknown) {
        if (attempt >= this.sendAttempts) throw err;
        const wait = Math.min(800, this.retryBackoffMs * 2 ** (attempt - 1));
        this.logger.warn(
          `produce failed (try ${attempt}): ${describeError(err)}; sending it again whole in ${wait} ms`,
        );
        await new Promise((r) => setTimeout(r, wait));
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

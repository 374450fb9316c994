import { cutText, describeError, RefusalLog, withDeadline } from '@live/common';
import { KafkaTopicMessages } from '@live/contracts';
import { Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Consumer, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import { OffsetCommits } from './kafka-batch.commits';
import { abortableSleep, OneByOneOutcome, settleOneByOne, withHeartbeats } from './kafka-batch.isolation';
import { decodeValue, textPrefixOf } from './kafka-decode';
import {
  BatchConsumerOptions,
  ConsumedMessage,
  ConsumedMeta,
  CONSUMER_RETRY,
  PoisonOptions,
} from './kafka-batch.options';
import { KafkaNames } from './kafka-names';
import { TopicMessageMap } from './kafka-producer.service';

/** A message key is handed over as at most this many characters (the topics' keys are ids: a longer one is garbage). */
const KEY_MAX_CHARS = 1_024;
/** An undecodable value is handed over (rawValue) as at most this many characters. */
const RAW_VALUE_MAX_CHARS = 2_048;

/**
 * A consumer group member that hands whole batches to a handler (the eachBatch pattern), at least once:
 *
 *  fetch -> decode every message (bad ones flagged, not thrown) -> handler(batch) -> resolve the last
 *  offset -> commit (one request for the partitions that finished together; or, with commitIntervalMs,
 *  queued for the next of one request every interval) -> heartbeat.
 *
 * Offsets move only after the handler resolved, so a crash or a handler failure means redelivery, never
 * loss; handlers must therefore be idempotent. Messages of one partition (hence one key) reach the
 * handler in order, one batch at a time. Rebalances and crashes are logged. stop() lets the running
 * handler finish, commits what it finished, and leaves the group.
 *
 * As a Nest provider (an app's consumer class extends it and passes its options to super) it starts
 * once the app is up and stops at shutdown.
 */
export class BatchConsumer<K extends keyof M & string, M extends TopicMessageMap<M> = KafkaTopicMessages>
  implements OnApplicationBootstrap, OnApplicationShutdown
{
  private readonly logger: Logger;
  /** An undecodable message's line, 20 per 10 s then a count: anything that can write to the topic can send many. */
  private readonly undecodableLines: RefusalLog;
  /** The cluster names of the group and the topic (prefix included). */
  private readonly groupId: string;
  private readonly topic: string;
  private readonly consumer: Consumer;
  private readonly maxBatchSize: number;
  private readonly backoff: { initialMs: number; maxMs: number };
  private readonly stopSignal = new AbortController();
  private joined!: Promise<void>;
  private resolveJoined!: () => void;
  private started = false;
  private readonly heartbeatIntervalMs: number;
  /** The offset commits (one request for the partitions finishing together, or on a timer: commitIntervalMs). */
  private readonly commits: OffsetCommits;

  constructor(
    kafka: Kafka,
    private readonly options: BatchConsumerOptions<K, M>,
  ) {
    const names = options.names ?? new KafkaNames();
    this.groupId = names.group(options.groupId);
    this.topic = names.topic(options.topic);
    this.logger = options.logger ?? new Logger(`BatchConsumer ${this.groupId}`);
    this.undecodableLines = new RefusalLog(this.logger, 20, 10_000, 'undecodable messages');
    this.maxBatchSize = options.maxBatchSize ?? 500;
    this.backoff = options.retryBackoff ?? { initialMs: 200, maxMs: 5_000 };
    this.heartbeatIntervalMs = options.heartbeatIntervalMs ?? 3_000;
    this.consumer = kafka.consumer({
      groupId: this.groupId,
      allowAutoTopicCreation: false,
      sessionTimeout: options.sessionTimeoutMs ?? 30_000,
      rebalanceTimeout: options.rebalanceTimeoutMs ?? 60_000,
      heartbeatInterval: this.heartbeatIntervalMs,
      maxBytesPerPartition: options.maxBytesPerPartition ?? 1024 * 1024,
      maxWaitTimeInMs: options.maxWaitTimeMs ?? 1_000,
      minBytes: options.minBytes ?? 1,
      retry: CONSUMER_RETRY,
    });
    this.commits = new OffsetCommits(this.consumer, options.commitIntervalMs ?? 0, this.logger, this.groupId);
    this.joined = new Promise((resolve) => (this.resolveJoined = resolve));
    this.watchGroup();
  }

  /** Connects, subscribes and starts consuming. Resolves once running (see waitForAssignment for the first join). */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: [this.topic], fromBeginning: this.options.fromBeginning ?? true });
    await this.consumer.run({
      autoCommit: this.commits.kafkajsAutoCommit,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? 1,
      eachBatch: (payload) => this.onBatch(payload),
    });
  }

  /** Resolves when this member has joined the group (and got its partitions) for the first time. */
  async waitForAssignment(timeoutMs = 30_000): Promise<void> {
    await withDeadline(this.joined, timeoutMs, () => new Error(`${this.groupId}: no group join in ${timeoutMs} ms`));
  }

  /**
   * Lets the running handler finish (a failing one stops retrying), commits, leaves the group, disconnects.
   * Timed commits: what is queued is sent first, while this member still holds its partitions; a batch
   * finishing after that commits at once.
   */
  async stop(): Promise<void> {
    this.stopSignal.abort();
    if (this.started) await this.commits.stop();
    await this.consumer.disconnect();
  }

  /**
   * Starts in the background: the app answers (health, RPC) while the member joins its group, which can
   * take a session timeout when a dead member of the same group has to expire first. A failed start
   * (broker unreachable) is retried with backoff until it works or the app stops.
   */
  onApplicationBootstrap(): void {
    const attempt = async (n: number): Promise<void> => {
      try {
        await this.start();
      } catch (err: unknown) {
        this.started = false;
        if (this.stopSignal.signal.aborted) return;
        const delay = this.delayOf(n + 1);
        this.logger.error(
          `${this.groupId}: start failed (${err instanceof Error ? err.message : String(err)}); retrying in ${delay} ms`,
        );
        await abortableSleep(this.stopSignal.signal, delay);
        if (!this.stopSignal.signal.aborted) await attempt(n + 1);
      }
    };
    void attempt(0);
  }

  onApplicationShutdown(): Promise<void> {
    return this.stop();
  }

  private async onBatch(payload: EachBatchPayload): Promise<void> {
    const { batch, isRunning, isStale } = payload;
    for (let start = 0; start < batch.messages.length; start += this.maxBatchSize) {
      if (!isRunning() || isStale()) return;
      const chunk = batch.messages.slice(start, start + this.maxBatchSize);
      const done = await this.handleChunk(payload, chunk);
      if (!done) return;
      const last = chunk[chunk.length - 1].offset;
      payload.resolveOffset(last);
      await this.commits.finished(payload, batch.topic, batch.partition, (BigInt(last) + 1n).toString());
      await payload.heartbeat();
    }
  }

  /**
   * Runs the handler on one chunk until it succeeds; false when the consumer stopped (or the partition went
   * stale) first. With `poison` set, a chunk that failed `afterFailures` times in a row with an error that is
   * not an outage is settled one message at a time (settleOneByOne): what still fails alone is parked.
   */
  private async handleChunk(payload: EachBatchPayload, chunk: KafkaMessage[]): Promise<boolean> {
    const { batch, isRunning, isStale } = payload;
    const messages = chunk.map((m) => this.decode(batch.topic, batch.partition, m));
    const poison = this.options.poison;
    const where = `${batch.topic}[${batch.partition}] offsets ${chunk[0].offset}..${chunk[chunk.length - 1].offset}`;
    for (let attempt = 1; ; attempt++) {
      if (!isRunning() || isStale()) return false;
      let failure: unknown;
      try {
        await withHeartbeats(payload, this.heartbeatIntervalMs, () => this.runHandler(payload, messages, attempt));
        return true;
      } catch (err: unknown) {
        failure = err;
      }
      const splits = poison && (!poison.isOutage(failure) || poison.splits?.(failure) === true);
      if (poison && splits && attempt >= poison.afterFailures) {
        this.logger.warn(`${where}: failed ${attempt} times in a row; settling its messages one at a time`);
        const alone = await withHeartbeats(payload, this.heartbeatIntervalMs, () =>
          this.oneByOne(payload, messages, attempt, poison),
        ).catch((err: unknown) => ({ outcome: 'park failed' as const, err }));
        if (alone.outcome === 'settled' || alone.outcome === 'stopped') return alone.outcome === 'settled';
        failure =
          alone.outcome === 'park failed'
            ? alone.err
            : new Error('every message failed alone (an outage?): nothing parked, the batch is retried');
      }
      const delay = this.delayOf(attempt);
      this.logger.warn(
        `${where}: handler failed (attempt ${attempt}): ${describeError(failure)}; redelivering in ${delay} ms, offsets not committed`,
      );
      await abortableSleep(this.stopSignal.signal, delay);
      // A rebalance shows up here: the error goes to kafkajs, which rejoins; the new owner redelivers.
      if (isRunning()) await payload.heartbeat();
    }
  }

  private runHandler(payload: EachBatchPayload, messages: ConsumedMessage<M[K]>[], attempt: number): Promise<void> {
    return this.options.handler({
      topic: payload.batch.topic,
      partition: payload.batch.partition,
      messages,
      attempt,
      heartbeat: () => payload.heartbeat(),
    });
  }

  private oneByOne(
    payload: EachBatchPayload,
    messages: ConsumedMessage<M[K]>[],
    failures: number,
    poison: PoisonOptions<M[K]>,
  ): Promise<OneByOneOutcome> {
    const { isRunning, isStale } = payload;
    return settleOneByOne(
      messages,
      {
        handle: (message, attempt) => this.runHandler(payload, [message], failures + attempt - 1),
        isOutage: poison.isOutage,
        park: poison.park,
        backoff: async (attempt, message, err) => {
          const delay = this.delayOf(attempt);
          this.logger.warn(
            `${message.topic}[${message.partition}]@${message.offset} alone: ${describeError(err)} (an outage): retrying in ${delay} ms`,
          );
          await abortableSleep(this.stopSignal.signal, delay);
          return isRunning() && !isStale();
        },
      },
      failures,
    );
  }

  private decode(topic: string, partition: number, m: KafkaMessage): ConsumedMessage<M[K]> {
    const meta: ConsumedMeta = {
      topic,
      partition,
      offset: m.offset,
      key: m.key === null ? null : textPrefixOf(m.key, KEY_MAX_CHARS),
      timestamp: m.timestamp,
      headers: m.headers ?? {},
    };
    const decoded = decodeValue(this.options.valueClass, m.value);
    if (decoded.ok) return { ...meta, value: decoded.value };
    this.undecodableLines.refused(
      `${topic}[${partition}]@${m.offset}: undecodable message handed over as such: ${cutText(decoded.error, 500)}`,
    );
    return {
      ...meta,
      decodeError: decoded.error,
      rawValue: m.value === null ? null : textPrefixOf(m.value, RAW_VALUE_MAX_CHARS),
    };
  }

  /** The backoff before try `attempt + 1`: doubles from initialMs to maxMs. */
  private delayOf(attempt: number): number {
    return Math.min(this.backoff.maxMs, this.backoff.initialMs * 2 ** (attempt - 1));
  }

  private watchGroup(): void {
    const { events } = this.consumer;
    const id = `${this.groupId} on ${this.topic}`;
    this.consumer.on(events.GROUP_JOIN, ({ payload }) => {
      this.commits.joined(payload.memberAssignment);
      const assigned = Object.entries(payload.memberAssignment)
        .map(([topic, partitions]) => `${topic}[${partitions.join(',')}]`)
        .join(' ');
      this.logger.log(
        `${id}: joined as ${payload.memberId}${payload.isLeader ? ' (leader)' : ''}, assigned ${assigned || 'nothing'}`,
      );
      this.resolveJoined();
    });
    this.consumer.on(events.REBALANCING, ({ payload }) => {
      this.logger.log(`${id}: group rebalancing (member ${payload.memberId})`);
      this.commits.rebalancing();
    });
    this.consumer.on(events.CRASH, ({ payload }) => {
      const line = `${id}: consumer crashed: ${payload.error.message}; ${payload.restart ? 'restarting' : 'NOT restarting'}`;
      // kafkajs gives up a join on a coordinator still loading the group (a broker just started or just took
      // the group over) instead of retrying it (tulios/kafkajs#1779), and restarts the member: expected, not an error.
      if (payload.restart && (payload.error as { type?: string }).type === 'GROUP_LOAD_IN_PROGRESS')
        return this.logger.warn(`${line} (the group's coordinator was loading it)`);
      this.logger.error(line);
    });
    this.consumer.on(events.STOP, () => this.logger.log(`${id}: stopped`));
  }
}

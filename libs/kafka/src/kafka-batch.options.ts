import { KafkaTopicMessages } from '@live/contracts';
import { Logger } from '@nestjs/common';
import { ClassConstructor } from 'class-transformer';
import { IHeaders, RetryOptions } from 'kafkajs';
import { KafkaNames } from './kafka-names';
import { TopicMessageMap } from './kafka-producer.service';

/**
 * Retries of a member's fetch, heartbeat and commit before kafkajs restarts it (a restart rejoins the
 * group: a rebalance for every member): about 20 s, at most 2 s apart, so a broker's failover (fencing,
 * then the election: a few seconds) is ridden out and consumption resumes within 2 s of it. kafkajs'
 * default (5 retries doubling towards the client's 10 s cap) crashes the member mid-failover.
 */
export const CONSUMER_RETRY: RetryOptions = { retries: 12, initialRetryTime: 200, maxRetryTime: 2_000 };

export interface ConsumedMeta {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  /** Producer (or broker) timestamp, epoch milliseconds as kafkajs gives it. */
  timestamp: string;
  headers: IHeaders;
}

/** A consumed message: a validated value, or why it could not be decoded (park it; never loop on it). */
export type ConsumedMessage<T> = ConsumedMeta &
  (
    | { value: T; decodeError?: undefined; rawValue?: undefined }
    | { value?: undefined; decodeError: string; rawValue: string | null }
  );

/** What the handler gets: consecutive messages of ONE partition, in offset order. */
export interface ConsumedBatch<T> {
  topic: string;
  partition: number;
  messages: ConsumedMessage<T>[];
  /** 1 on first delivery; 2, 3... when the handler failed on this same batch before. */
  attempt: number;
  /** Keeps the group membership alive in a long handler (also sent automatically every heartbeat interval). */
  heartbeat(): Promise<void>;
}

/** The options of a consumer of topic K of the topic -> message map M (KafkaTopicMessages in the apps). */
export interface BatchConsumerOptions<K extends keyof M & string, M extends TopicMessageMap<M> = KafkaTopicMessages> {
  /** The logical group id (`names` puts the cluster prefix on it). */
  groupId: string;
  /** The logical topic (`names` puts the cluster prefix on it); it fixes the message type. */
  topic: K;
  /** KAFKA_TOPIC_PREFIX (the injected KafkaNames). Default: no prefix. */
  names?: KafkaNames;
  /** The contract class every message value is decoded into (decodeMessage): the topic's class in M. */
  valueClass: ClassConstructor<M[K]>;
  /**
   * Called with each batch. Resolve only when the batch's work is durable: the offsets are resolved and
   * committed after that, never before. Throwing redelivers the same batch (same messages, offsets not
   * committed) after a backoff, until it succeeds, the consumer stops, or the partition moves to another
   * member (which then gets the batch again from the last committed offset).
   */
  handler: (batch: ConsumedBatch<M[K]>) => Promise<void>;
  /** Most messages per handler call (a fetched batch is split). Default 500. */
  maxBatchSize?: number;
  /** Where a group with no committed offset starts. Default true: nothing produced before the group existed is skipped. */
  fromBeginning?: boolean;
  /** Partitions handled at once by this member. Default 1. */
  partitionsConsumedConcurrently?: number;
  sessionTimeoutMs?: number;
  /** How long a rebalance waits for the members to rejoin. Default 60 s (kafkajs). */
  rebalanceTimeoutMs?: number;
  heartbeatIntervalMs?: number;
  /** Most bytes fetched per partition per request. Default 1 MiB. */
  maxBytesPerPartition?: number;
  /** How long the broker may hold a fetch with no new data (or less than minBytes). Default 1 s (also bounds how long stop() waits on a fetch). */
  maxWaitTimeMs?: number;
  /** The least a fetch answers with before maxWaitTimeMs has passed. Default 1 byte: at once when anything is there. */
  minBytes?: number;
  /**
   * How long a finished batch's next offset may wait to be committed. 0 (the default): committed as the batch
   * finishes, in one request with the partitions finishing in the same tick, and the partition is fetched again
   * only after it. Above 0: the batch returns at once, and one request every commitIntervalMs commits every
   * partition that finished meanwhile; also at stop (before leaving the group) and when the group starts to
   * rebalance. A crash (or a failed commit before a rebalance) redelivers at most the last interval's batches,
   * which the handlers take, being idempotent, as they take a crash in the middle of a batch. Never lost: an
   * offset is queued only after its handler resolved.
   */
  commitIntervalMs?: number;
  /**
   * Poison messages. Without it (the default) a failing batch is retried until it succeeds, holding its
   * partition. With it, a batch that failed `afterFailures` times in a row, the last time with an error
   * that is not an outage, is handed over one message at a time (attempt > 1): a message that still fails
   * alone is parked, and the partition moves on (see settleOneByOne).
   */
  poison?: PoisonOptions<M[K]>;
  /** Backoff between attempts at a failed batch: doubles from initial to max. Default 200 ms .. 5 s. */
  retryBackoff?: { initialMs: number; maxMs: number };
  logger?: Logger;
}

/** How a consumer sets poison messages aside (BatchConsumerOptions.poison). */
export interface PoisonOptions<T> {
  /** Failures in a row of a batch before its messages are tried one at a time (at least 1). */
  afterFailures: number;
  /** True when the error is an outage of a dependency: retried with backoff, never parked (isOutage of @live/common). */
  isOutage(err: unknown): boolean;
  /**
   * True for an outage the batch's size may cause (isStatementLimit of @live/common: a statement killed or timed
   * out): after `afterFailures` the batch goes one message at a time all the same, where it is retried, never parked.
   */
  splits?(err: unknown): boolean;
  /** Sets the message aside durably with the reason (e.g. a parked topic); a throw fails the batch again. */
  park(message: ConsumedMessage<T>, reason: string): Promise<void>;
}

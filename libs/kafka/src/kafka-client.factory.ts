import { Logger } from '@nestjs/common';
import { Kafka, logLevel, LogEntry, RetryOptions } from 'kafkajs';
import './kafkajs-negative-timeout';

/** Where the brokers are and who we are. */
export interface KafkaConnection {
  brokers: string[];
  clientId: string;
}

export interface KafkaClientOptions extends KafkaConnection {
  /** Lowest kafkajs level that reaches the log; default WARN. */
  logLevel?: logLevel;
  retry?: RetryOptions;
  connectionTimeoutMs?: number;
  requestTimeoutMs?: number;
}

/**
 * Retries of the client's connections, metadata and consumer group calls: 200 ms doubling up to 10 s,
 * 8 times (about 30 s in all) before an operation gives up. The producer bounds its own retries
 * tighter (see KafkaProducerService): a request path must not hang.
 */
export const DEFAULT_KAFKA_RETRY: RetryOptions = { initialRetryTime: 200, maxRetryTime: 10_000, retries: 8 };

/**
 * kafkajs log lines through the Nest Logger (context `kafkajs`), so they land in the app's pino log.
 * A few kafkajs messages are downgraded to debug where this library already handles the situation.
 */
export function nestLogCreator(logger: Logger = new Logger('kafkajs')) {
  return (_level: logLevel) =>
    ({ namespace, level, log }: LogEntry): void => {
      const { message, timestamp: _timestamp, logger: _name, ...extra } = log as LogEntry['log'] & { logger?: string };
      const detail = Object.keys(extra).length > 0 ? ` ${safeJson(extra)}` : '';
      const line = `${namespace ? `${namespace}: ` : ''}${message}${detail}`;
      if (DOWNGRADED.some((m) => message.startsWith(m))) return logger.debug(line);
      // Group rebalances are routine (a member joins or leaves); BatchConsumer logs each join itself.
      if (REBALANCE_NOISE.some((m) => line.includes(m))) return logger.debug(line);
      // kafkajs logs every error response at ERROR, retriable ones included (coordinator loading, leader
      // moved...): those are retried, and a final failure reaches the caller, so they are warnings here.
      if (level === logLevel.ERROR && namespace === 'Connection' && message.startsWith('Response '))
        return logger.warn(line);
      switch (level) {
        case logLevel.ERROR:
        case logLevel.NOTHING:
          return logger.error(line);
        case logLevel.WARN:
          return logger.warn(line);
        case logLevel.INFO:
          return logger.log(line);
        default:
          return logger.debug(line);
      }
    };
}

/**
 * Lines kafkajs prints that say nothing here: KafkaProducerService turns kafkajs' own produce retries
 * off and sends a failed request again whole (kafkajs' retry skipped partitions that moved to a broker
 * that had already answered), so the producer is not kafkajs-idempotent; consumers drop a message written
 * twice by its request id.
 */
const DOWNGRADED = [
  'Limiting retries for the idempotent producer may invalidate EoS guarantees',
  // After a consumer's crash: BatchConsumer logs each crash with whether kafkajs restarts it (a warning for
  // a join that met a loading coordinator, else an error).
  'Restarting the consumer in',
];
const REBALANCE_NOISE = ['The group is rebalancing', 'The coordinator is loading'];

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}

/** The one way this workspace builds a kafkajs client (apps, health checks and tests alike). */
export function createKafkaClient(options: KafkaClientOptions): Kafka {
  return new Kafka({
    clientId: options.clientId,
    brokers: options.brokers,
    logLevel: options.logLevel ?? logLevel.WARN,
    logCreator: nestLogCreator(),
    retry: options.retry ?? DEFAULT_KAFKA_RETRY,
    connectionTimeout: options.connectionTimeoutMs ?? 3_000,
    requestTimeout: options.requestTimeoutMs ?? 30_000,
  });
}

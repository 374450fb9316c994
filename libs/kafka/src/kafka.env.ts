import { IntSetting } from '@live/common';
import { IsNotEmpty, IsOptional, IsString, Matches, ValidateBy, ValidationArguments } from 'class-validator';

/** `host:port[,host:port...]` (spaces around commas allowed). */
export const BROKER_LIST_PATTERN = /^\s*[^\s,:]+:\d{1,5}\s*(,\s*[^\s,:]+:\d{1,5}\s*)*$/;

/** Kafka settings, read from the environment by KafkaModule (validated at start-up). */
export class KafkaEnv {
  /** Bootstrap brokers, comma-separated `host:port`. */
  @IsString()
  @Matches(BROKER_LIST_PATTERN, { message: 'KAFKA_BROKERS must be a comma-separated list of host:port' })
  KAFKA_BROKERS: string = '127.0.0.1:9092';

  /** Client id in broker logs and quotas; default: the app name given to KafkaModule.forRoot. */
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  KAFKA_CLIENT_ID?: string;

  /**
   * Adaptive producer linger: the least time between the starts of two produce requests. Under load a
   * request waits for the rest of it and carries what arrived meanwhile (fewer, larger requests: each
   * costs the broker a fixed price); an idle producer sends at once. At most this much added latency.
   */
  @IntSetting(0, 1_000)
  KAFKA_LINGER_MS: number = 10;

  /**
   * Replicas of every topic the apps create. Default 3: production runs a replicated cluster, and with
   * KAFKA_MIN_INSYNC_REPLICAS 2 and acks=all an acknowledged message survives the loss of one broker.
   * A single broker (config/development.env, docker-compose.yml) sets 1.
   */
  @IntSetting(1, 16)
  KAFKA_REPLICATION_FACTOR: number = 3;

  /**
   * min.insync.replicas of every topic the apps create: how many replicas must hold a message before an
   * acks=all produce succeeds (fewer in sync: produces fail rather than risk loss). At most
   * KAFKA_REPLICATION_FACTOR. Default 2.
   */
  @IntSetting(1, 16)
  @ValidateBy({
    name: 'atMostReplicationFactor',
    validator: {
      validate: (value: unknown, args?: ValidationArguments) =>
        typeof value === 'number' && value <= (args?.object as KafkaEnv).KAFKA_REPLICATION_FACTOR,
      defaultMessage: () => 'KAFKA_MIN_INSYNC_REPLICAS must be at most KAFKA_REPLICATION_FACTOR',
    },
  })
  KAFKA_MIN_INSYNC_REPLICAS: number = 2;

  /**
   * Put before every topic and consumer group name (e.g. `staging.` on a shared cluster, or a throwaway
   * prefix per test run). Default none: the names of the contracts as they are.
   */
  @IsOptional()
  @Matches(/^[A-Za-z0-9._-]{0,100}$/, {
    message: 'KAFKA_TOPIC_PREFIX may only hold letters, digits, . _ - (at most 100)',
  })
  KAFKA_TOPIC_PREFIX: string = '';
}

/** "a:1, b:2" -> ["a:1", "b:2"] */
export function parseBrokers(list: string): string[] {
  return list
    .split(',')
    .map((b) => b.trim())
    .filter((b) => b.length > 0);
}

import { IntSetting } from '@live/common';
import { IsNotEmpty, IsOptional, IsString, Matches } from 'class-validator';

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
   * Put before every topic and consumer group name (e.g. `staging.` on a shared cluster, or a throwaway
   * prefix per test run). Default none: the names of the contracts as they are.
   */
  /** Producer linger: the first message of an idle producer waits this long for company (batching). */
  @IntSetting(0, 1_000)
  KAFKA_LINGER_MS: number = 2;

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

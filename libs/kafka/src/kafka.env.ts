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
}

/** "a:1, b:2" -> ["a:1", "b:2"] */
export function parseBrokers(list: string): string[] {
  return list
    .split(',')
    .map((b) => b.trim())
    .filter((b) => b.length > 0);
}

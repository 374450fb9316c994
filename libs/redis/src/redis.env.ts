import { HostSetting, IntSetting, IsPort, Secret } from '@live/common';
import { IsOptional, IsString, Matches } from 'class-validator';

export class RedisEnv {
  @HostSetting()
  REDIS_HOST: string = '127.0.0.1';

  @IsPort()
  REDIS_PORT: number = 6379;

  /** None for the local development server; required (a real secret) in production. */
  @Secret()
  @IsOptional()
  @IsString()
  REDIS_PASSWORD?: string;

  @IntSetting(0, 15)
  REDIS_DB: number = 0;

  /** Every key starts with it: several deployments (or test runs) can share one Redis. */
  @Matches(/^[A-Za-z0-9_-]{1,32}$/, { message: 'REDIS_KEY_PREFIX must be 1-32 letters, digits, _ or -' })
  REDIS_KEY_PREFIX: string = 'lg';
}

import { IsPort } from '@live/common';
import { IsNotEmpty, IsString } from 'class-validator';

/** gift-service's own settings (database, Redis and Kafka settings belong to their modules). */
export class GiftServiceEnv {
  /** Interface the listeners bind to. */
  @IsString()
  @IsNotEmpty()
  BIND_HOST: string = '0.0.0.0';

  @IsPort()
  GIFT_HTTP_PORT: number = 9201;

  @IsPort()
  GIFT_RPC_PORT: number = 9101;
}

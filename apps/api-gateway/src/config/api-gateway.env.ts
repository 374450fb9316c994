import { IsPort } from '@live/common';
import { IsNotEmpty, IsString } from 'class-validator';

/** api-gateway's own settings (database, Redis and Kafka settings belong to their modules). */
export class GatewayEnv {
  /** Interface the listeners bind to. */
  @IsString()
  @IsNotEmpty()
  BIND_HOST: string = '0.0.0.0';

  @IsPort()
  GATEWAY_HTTP_PORT: number = 8080;
}

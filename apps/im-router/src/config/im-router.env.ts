import { IsPort } from '@live/common';
import { IsNotEmpty, IsString } from 'class-validator';

/** im-router's own settings (database, Redis and Kafka settings belong to their modules). */
export class ImRouterEnv {
  /** Interface the listeners bind to. */
  @IsString()
  @IsNotEmpty()
  BIND_HOST: string = '0.0.0.0';

  @IsPort()
  IM_ROUTER_HTTP_PORT: number = 9203;

  @IsPort()
  IM_ROUTER_RPC_PORT: number = 9103;
}

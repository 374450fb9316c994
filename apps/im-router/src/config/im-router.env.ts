import { IsPort } from '@live/common';
import { IsInt, IsNotEmpty, IsString, Max, Min } from 'class-validator';

/** im-router's own settings (database, Redis and Kafka settings belong to their modules). */
export class ImRouterEnv {
  /** Interface the HTTP (and WebSocket) listener binds to; TCP RPC binds RPC_BIND_HOST. */
  @IsString()
  @IsNotEmpty()
  BIND_HOST: string = '0.0.0.0';

  @IsPort()
  IM_ROUTER_HTTP_PORT: number = 9203;

  @IsPort()
  IM_ROUTER_RPC_PORT: number = 9103;

  /** Timeout of one call to an im-core node. */
  @IsInt()
  @Min(100)
  @Max(60_000)
  IM_ROUTER_NODE_TIMEOUT_MS: number = 3_000;
}

import { AppEnv, IntSetting, IsPort } from '@live/common';

/** im-router's own settings (database, Redis and Kafka settings belong to their modules). */
export class ImRouterEnv extends AppEnv {
  @IsPort()
  IM_ROUTER_HTTP_PORT: number = 9203;

  @IsPort()
  IM_ROUTER_RPC_PORT: number = 9103;

  /** Timeout of one call to an im-core node. */
  @IntSetting(100, 60_000)
  IM_ROUTER_NODE_TIMEOUT_MS: number = 3_000;
}

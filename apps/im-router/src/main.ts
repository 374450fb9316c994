import { runApp } from '@live/common';
import { ImRouterEnv } from './config/im-router.env';
import { ImRouterModule } from './im-router.module';

void runApp({
  app: 'im-router',
  module: ImRouterModule,
  env: ImRouterEnv,
  listen: (env) => ({ host: env.BIND_HOST, http: env.IM_ROUTER_HTTP_PORT, rpc: env.IM_ROUTER_RPC_PORT }),
});

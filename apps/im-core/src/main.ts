import { runApp } from '@live/common';
import { ImCoreEnv } from './config/im-core.env';
import { ImCoreModule } from './im-core.module';

void runApp({
  app: 'im-core',
  module: ImCoreModule,
  env: ImCoreEnv,
  listen: (env) => ({ host: env.BIND_HOST, http: env.IM_CORE_WS_PORT, rpc: env.IM_CORE_RPC_PORT }),
});

import { runApp } from '@live/common';
import { GiftServiceEnv } from './config/gift-service.env';
import { GiftServiceModule } from './gift-service.module';

void runApp({
  app: 'gift-service',
  module: GiftServiceModule,
  env: GiftServiceEnv,
  listen: (env) => ({ host: env.BIND_HOST, http: env.GIFT_HTTP_PORT, rpc: env.GIFT_RPC_PORT }),
});

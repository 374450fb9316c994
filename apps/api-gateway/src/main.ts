import { runApp } from '@live/common';
import { ApiGatewayModule } from './api-gateway.module';
import { GatewayEnv } from './config/api-gateway.env';

void runApp({
  app: 'api-gateway',
  module: ApiGatewayModule,
  env: GatewayEnv,
  listen: (env) => ({ host: env.BIND_HOST, http: env.GATEWAY_HTTP_PORT }),
});

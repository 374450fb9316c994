import { runApp } from '@live/common';
import { ApiGatewayModule } from './api-gateway.module';
import { configureGateway } from './api-gateway.setup';
import { GatewayEnv, parseTrustProxy } from './config/api-gateway.env';

void runApp({
  app: 'api-gateway',
  module: ApiGatewayModule.register(),
  env: GatewayEnv,
  listen: (env) => ({
    host: env.BIND_HOST,
    http: env.GATEWAY_HTTP_PORT,
    bodyLimitBytes: env.GATEWAY_BODY_LIMIT_BYTES,
    trustProxy: parseTrustProxy(env.GATEWAY_TRUST_PROXY),
  }),
  configure: configureGateway,
});

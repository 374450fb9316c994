import fastifyCookie from '@fastify/cookie';
import fastifyStatic from '@fastify/static';
import { Logger } from '@nestjs/common';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { TOKEN_COOKIE } from './auth/auth.types';
import { GatewayEnv } from './config/api-gateway.env';
import { MetricsService } from './metrics/metrics.service';

/**
 * The gateway's HTTP extras, before it starts: cookies (`qytk`; JSON and form bodies are Nest's), OpenAPI at
 * /docs (generated from the DTOs), request counts and latencies for /metrics, and the web client
 * (static files of GATEWAY_WEB_DIR) at /.
 */
export async function configureGateway(app: NestFastifyApplication): Promise<void> {
  await app.register(fastifyCookie);
  const webDir = resolve(app.get(GatewayEnv).GATEWAY_WEB_DIR);
  if (existsSync(webDir)) {
    await app.register(fastifyStatic, { root: webDir, prefix: '/', index: ['index.html'], wildcard: true });
  } else {
    new Logger('WebClient').warn(`GATEWAY_WEB_DIR ${webDir} does not exist: the web client is not served`);
  }
  const metrics = app.get(MetricsService);
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onResponse', (request, reply, done) => {
      metrics.observeRequest(
        request.method,
        request.routeOptions.url ?? 'unmatched',
        reply.statusCode,
        reply.elapsedTime / 1_000,
      );
      done();
    });
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('live-gift public API')
      .setDescription('Every endpoint answers `{ code, msg, data }`; code 200 is success. See API.md.')
      .setVersion('1.0')
      .addCookieAuth(TOKEN_COOKIE)
      .addBearerAuth()
      .build(),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs/json' });
}

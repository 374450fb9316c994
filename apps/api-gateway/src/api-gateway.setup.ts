import fastifyCookie from '@fastify/cookie';
import { edgeHeaders } from '@live/common';
import fastifyStatic from '@fastify/static';
import { Logger } from '@nestjs/common';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { SwaggerModule } from '@nestjs/swagger';
import { GatewayEnv } from './config/api-gateway.env';
import { buildAsyncApiDocument } from './docs/asyncapi-document';
import { buildOpenApiDocument } from './docs/openapi-document';
import { MetricsService } from './metrics/metrics.service';
import { webSecurityHeaders, webSecurityHeaderSets, webSocketOrigins } from './web-headers';

/**
 * The gateway's HTTP extras, before it starts: cookies (`qytk`; JSON and form bodies are Nest's), OpenAPI at
 * /docs (generated from the DTOs and the routes' metadata: docs/openapi-document.ts), AsyncAPI 3.0 of the
 * WebSocket at /docs/asyncapi.json, request counts and latencies for /metrics, and the web client
 * (static files of GATEWAY_WEB_DIR) at /, every answer with the page's security headers (web-headers.ts).
 */
export async function configureGateway(app: NestFastifyApplication): Promise<void> {
  const env = app.get(GatewayEnv);
  // Before the static files and the routes: every answer carries the page's CSP, no framing, no referrer; so do
  // the ones Fastify writes before any hook (a URL it cannot decode, a request the HTTP parser refuses).
  const fastify = app.getHttpAdapter().getInstance();
  const headers = webSecurityHeaderSets(webSocketOrigins(env));
  fastify.addHook('onRequest', webSecurityHeaders(headers));
  edgeHeaders(fastify, headers.page);
  await app.register(fastifyCookie);
  const webDir = resolve(env.GATEWAY_WEB_DIR);
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
  SwaggerModule.setup('docs', app, buildOpenApiDocument(app), { jsonDocumentUrl: 'docs/json' });
  const asyncApi = buildAsyncApiDocument();
  app
    .getHttpAdapter()
    .getInstance()
    .get('/docs/asyncapi.json', (_request, reply) => reply.send(asyncApi));
}

import fastifyCookie from '@fastify/cookie';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { TOKEN_COOKIE } from './auth/auth.types';
import { MetricsService } from './metrics/metrics.service';

/**
 * The gateway's HTTP extras, before it starts: cookies (`qytk`; JSON and form bodies are Nest's), OpenAPI at
 * /docs (generated from the DTOs), request counts and latencies for /metrics.
 */
export async function configureGateway(app: NestFastifyApplication): Promise<void> {
  await app.register(fastifyCookie);
  const metrics = app.get(MetricsService);
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onResponse', (request, reply, done) => {
      metrics.observeRequest(request.method, request.routeOptions.url ?? 'unmatched', reply.statusCode, reply.elapsedTime / 1_000);
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

/**
 * The gateway's API descriptions, without starting a server (no database, Redis or Kafka: the
 * controllers' dependencies are stubs; only their metadata is read):
 *   npx ts-node --swc -r tsconfig-paths/register scripts/api-docs.ts           writes apps/api-gateway/openapi.json
 *   npx ts-node --swc -r tsconfig-paths/register scripts/api-docs.ts --check   fails when the file differs
 * `npm run docs:api` and `npm run lint` (lint:api) run it; test/api-gateway.e2e-spec.ts checks that the
 * running gateway serves the same document at /docs/json.
 */
import 'reflect-metadata';
import { HealthController } from '@live/common';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { OpenAPIObject } from '@nestjs/swagger';
import { Test } from '@nestjs/testing';
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ApiGatewayModule } from '../apps/api-gateway/src/api-gateway.module';
import { buildOpenApiDocument } from '../apps/api-gateway/src/docs/openapi-document';

export const OPENAPI_FILE = resolve(__dirname, '../apps/api-gateway/openapi.json');

/** Anything, callable, with any property: stands in for every dependency of the controllers. */
const stub = (): unknown =>
  new Proxy(function stubbed() {}, { get: (_t, key) => (key === 'then' ? undefined : stub()), apply: () => stub() });

/** The document the gateway serves at /docs/json, built from the controllers the gateway registers. */
export async function gatewayOpenApi(): Promise<OpenAPIObject> {
  const controllers = [...(Reflect.getMetadata('controllers', ApiGatewayModule) as []), HealthController];
  const moduleRef = await Test.createTestingModule({ controllers }).useMocker(stub).compile();
  const app = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter(), { logger: false });
  const document = buildOpenApiDocument(app);
  await app.close();
  return document;
}

async function openApiText(): Promise<string> {
  const text = JSON.stringify(await gatewayOpenApi());
  const { format, resolveConfig } = await import('prettier'); // here: Jest (the spec imports this file) cannot load it
  return format(text, { ...(await resolveConfig(OPENAPI_FILE)), parser: 'json' });
}

async function main(): Promise<void> {
  const text = await openApiText();
  if (!process.argv.includes('--check')) {
    writeFileSync(OPENAPI_FILE, text);
    console.log(`wrote ${OPENAPI_FILE}`);
    return;
  }
  if (readFileSync(OPENAPI_FILE, 'utf8') !== text) {
    console.error(`${OPENAPI_FILE} is not the document the code describes: run \`npm run docs:api\` and commit it`);
    process.exit(1);
  }
  console.log(`${OPENAPI_FILE}: up to date`);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}

/**
 * The gateway's API descriptions, without starting a server (no database, Redis or Kafka: the
 * controllers' dependencies are stubs; only their metadata is read): the OpenAPI document of the HTTP API
 * and the AsyncAPI 3.0 document of the WebSocket protocol.
 *   npx ts-node --swc -r tsconfig-paths/register scripts/api-docs.ts           writes apps/api-gateway/{openapi,asyncapi}.json
 *                                                                              and openapi-types.d.ts (openapi-typescript)
 *   npx ts-node --swc -r tsconfig-paths/register scripts/api-docs.ts --check   fails when a file differs, or when
 *                                                                              @asyncapi/parser finds an error or warning
 * `npm run docs:api` and `npm run lint` (lint:api, then Redocly on openapi.json) run it;
 * test/api-gateway.e2e-spec.ts checks that the running gateway serves the same documents at /docs/json and
 * /docs/asyncapi.json.
 */
import 'reflect-metadata';
import { HealthController } from '@live/common';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { OpenAPIObject } from '@nestjs/swagger';
import { Test } from '@nestjs/testing';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ApiGatewayModule } from '../apps/api-gateway/src/api-gateway.module';
import { buildAsyncApiDocument } from '../apps/api-gateway/src/docs/asyncapi-document';
import { buildOpenApiDocument } from '../apps/api-gateway/src/docs/openapi-document';

export const OPENAPI_FILE = resolve(__dirname, '../apps/api-gateway/openapi.json');
export const ASYNCAPI_FILE = resolve(__dirname, '../apps/api-gateway/asyncapi.json');
/** The TypeScript types of the OpenAPI document (openapi-typescript): what the typed client (openapi-fetch) takes. */
export const OPENAPI_TYPES_FILE = resolve(__dirname, '../apps/api-gateway/openapi-types.d.ts');

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

/** Problems @asyncapi/parser finds (errors and warnings; infos and hints are not problems). */
export async function asyncApiProblems(document: object): Promise<string[]> {
  const { Parser, DiagnosticSeverity } = await import('@asyncapi/parser');
  const diagnostics = await new Parser().validate(JSON.stringify(document));
  return diagnostics
    .filter((d) => d.severity === DiagnosticSeverity.Error || d.severity === DiagnosticSeverity.Warning)
    .map((d) => `${d.code} at ${d.path.join('.') || '/'}: ${d.message}`);
}

/** The file's text: JSON as prettier formats it. */
async function asText(file: string, document: object): Promise<string> {
  const { format, resolveConfig } = await import('prettier'); // here: Jest (specs import this file) cannot load it
  return format(JSON.stringify(document), { ...(await resolveConfig(file)), parser: 'json' });
}

/** openapi-typescript's types of this OpenAPI text, formatted as `npm run lint` wants them. */
async function typesOf(openApiText: string): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'api-docs-'));
  try {
    writeFileSync(join(dir, 'openapi.json'), openApiText);
    const cli = resolve(__dirname, '../node_modules/openapi-typescript/bin/cli.js'); // not in its exports map
    const config = resolve(__dirname, '../redocly.yaml');
    // Its own Redocly pass would repeat lint:api's (without the ignore file, keyed by the real path): quiet
    // unless it fails.
    execFileSync(
      process.execPath,
      [cli, 'openapi.json', '--redocly', config, '--default-non-nullable', 'false', '-o', 'types.d.ts'],
      {
        cwd: dir,
        stdio: 'pipe',
      },
    );
    const { format, resolveConfig } = await import('prettier');
    const text = readFileSync(join(dir, 'types.d.ts'), 'utf8');
    return format(text, { ...(await resolveConfig(OPENAPI_TYPES_FILE)), parser: 'typescript' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const asyncApi = buildAsyncApiDocument();
  const problems = await asyncApiProblems(asyncApi);
  if (problems.length > 0) {
    console.error(`AsyncAPI document: ${problems.length} problem(s)\n${problems.join('\n')}`);
    process.exit(1);
  }
  const openApiText = await asText(OPENAPI_FILE, await gatewayOpenApi());
  const files: [string, string][] = [
    [OPENAPI_FILE, openApiText],
    [ASYNCAPI_FILE, await asText(ASYNCAPI_FILE, asyncApi)],
    [OPENAPI_TYPES_FILE, await typesOf(openApiText)],
  ];
  let stale = 0;
  for (const [file, text] of files) {
    if (!process.argv.includes('--check')) {
      writeFileSync(file, text);
      console.log(`wrote ${file}`);
    } else if (readFileSync(file, 'utf8') !== text) {
      console.error(`${file} is not what the code describes: run \`npm run docs:api\` and commit it`);
      stale += 1;
    } else console.log(`${file}: up to date`);
  }
  if (stale > 0) process.exit(1);
  console.log('AsyncAPI document: valid (@asyncapi/parser, no error or warning)');
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}

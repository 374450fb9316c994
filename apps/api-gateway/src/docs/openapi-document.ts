import { BaseErrorCode, ErrorCode, IS_PUBLIC_ROUTE } from '@live/common';
import { REQUEST_LIMIT } from '@live/rate-limit';
import { INestApplication, RequestMethod, Type } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { ModulesContainer } from '@nestjs/core';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import type {
  OperationObject,
  ResponsesObject,
  SchemaObject,
  SecurityRequirementObject,
} from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { IS_ADMIN } from '../auth/auth.decorators';
import { TOKEN_COOKIE } from '../auth/auth.types';
import { API_DOC_ERRORS } from './api-doc.decorator';

/** What the document says about a route that Nest's metadata knows and the swagger scanner does not. */
interface RouteTraits {
  isPublic: boolean;
  isAdmin: boolean;
  isLimited: boolean;
  errors: ErrorCode[];
}

const ERROR_ENVELOPE = 'ErrorEnvelope';
const SECURITY: SecurityRequirementObject[] = [{ cookie: [] }, { bearer: [] }];

function documentConfig(): Omit<OpenAPIObject, 'paths'> {
  return new DocumentBuilder()
    .setTitle('live-gift public API')
    .setDescription(
      'Every endpoint answers the envelope `{ code, msg, data }`: HTTP 200 with code 200 on success, an HTTP 4xx/5xx ' +
        'with the same envelope (`data` null) and the error code otherwise. Bodies are JSON or form-encoded. ' +
        'The WebSocket protocol (gift effects, acks) is described in AsyncAPI at /docs/asyncapi.json.',
    )
    .setVersion('1.0')
    .setLicense('MIT', 'https://opensource.org/licenses/MIT')
    .addServer('/', 'the gateway that serves this document')
    .addCookieAuth(
      TOKEN_COOKIE,
      { type: 'apiKey', in: 'cookie', description: 'the `qytk` cookie set by /userLogin/login' },
      'cookie',
    )
    .addBearerAuth(
      { type: 'http', bearerFormat: 'opaque', description: 'the token /userLogin/login returns' },
      'bearer',
    )
    .build();
}

/** `METHOD /path` of every route of these controllers, with its traits. */
function routeTraits(controllers: Type[]): Map<string, RouteTraits> {
  const routes = new Map<string, RouteTraits>();
  for (const controller of controllers) {
    const base = String(Reflect.getMetadata(PATH_METADATA, controller) ?? '');
    const classPublic = Reflect.getMetadata(IS_PUBLIC_ROUTE, controller) === true;
    for (const name of Object.getOwnPropertyNames(controller.prototype)) {
      const handler = (controller.prototype as Record<string, unknown>)[name];
      if (name === 'constructor' || typeof handler !== 'function') continue;
      if (Reflect.getMetadata(PATH_METADATA, handler) === undefined) continue;
      const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod].toLowerCase();
      const path = `/${base}/${String(Reflect.getMetadata(PATH_METADATA, handler))}`.replace(/\/+/g, '/');
      routes.set(`${method} ${path.length > 1 ? path.replace(/\/$/, '') : path}`, {
        isPublic: classPublic || Reflect.getMetadata(IS_PUBLIC_ROUTE, handler) === true,
        isAdmin: Reflect.getMetadata(IS_ADMIN, handler) === true,
        isLimited: Reflect.getMetadata(REQUEST_LIMIT, handler) !== undefined,
        errors: (Reflect.getMetadata(API_DOC_ERRORS, handler) as ErrorCode[] | undefined) ?? [],
      });
    }
  }
  return routes;
}

/** Fastify's refusals of a body, before any validation (HttpExceptionFilter keeps their status, code 100001). */
const BODY_REFUSALS: ErrorCode[] = [
  { code: BaseErrorCode.PARAM_ERROR.code, msg: 'body is too large', httpStatus: 413 },
  { code: BaseErrorCode.PARAM_ERROR.code, msg: 'unsupported content type', httpStatus: 415 },
];

/** Every code a route can answer: its own (@ApiDoc) and those of its traits. */
function codesOf(traits: RouteTraits, hasBody: boolean): ErrorCode[] {
  return [
    ...(hasBody ? [BaseErrorCode.PARAM_ERROR, ...BODY_REFUSALS] : []),
    ...(traits.isPublic ? [] : [BaseErrorCode.TOKEN_ERROR]),
    ...(traits.isAdmin ? [BaseErrorCode.FORBIDDEN] : []),
    ...(traits.isLimited ? [BaseErrorCode.TOO_MANY_REQUESTS] : []),
    ...traits.errors,
    BaseErrorCode.SYS_ERROR,
    BaseErrorCode.SERVICE_UNAVAILABLE,
  ];
}

/** One response per HTTP status, the envelope as its schema, one example per code. */
function errorResponses(codes: ErrorCode[]): ResponsesObject {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of codes) {
    const same = byStatus.get(code.httpStatus) ?? [];
    if (!same.some((c) => c.code === code.code)) same.push(code);
    byStatus.set(code.httpStatus, same);
  }
  const responses: ResponsesObject = {};
  for (const [status, group] of [...byStatus].sort(([a], [b]) => a - b)) {
    responses[String(status)] = {
      description: group.map((c) => `${c.code}: ${c.msg}`).join('; '),
      content: {
        'application/json': {
          schema: { $ref: `#/components/schemas/${ERROR_ENVELOPE}` },
          examples: Object.fromEntries(
            group.map((c) => [`code${c.code}`, { summary: c.msg, value: { code: c.code, msg: c.msg, data: null } }]),
          ),
        },
      },
    };
  }
  return responses;
}

const envelopeSchema: SchemaObject = {
  type: 'object',
  description: 'The answer of an error: the HTTP status and `code` say which (see each response).',
  required: ['code', 'msg', 'data'],
  properties: {
    code: { type: 'integer', description: 'the error code (never 200)', example: BaseErrorCode.PARAM_ERROR.code },
    msg: { type: 'string', description: 'a human message, never a stack trace', example: 'bad parameter' },
    data: { type: 'object', nullable: true, description: 'always null on an error', example: null },
  },
};

function describe(operation: OperationObject, traits: RouteTraits): void {
  operation.security = traits.isPublic ? [] : SECURITY;
  const ok = operation.responses['200'] as { description?: string } | undefined;
  if (ok && !ok.description) ok.description = 'success: the envelope with code 200';
  Object.assign(operation.responses, errorResponses(codesOf(traits, operation.requestBody !== undefined)));
}

/**
 * The gateway's OpenAPI document (served at /docs/json; `npm run docs:api` writes it to
 * apps/api-gateway/openapi.json, which `npm run lint` checks with Redocly): the DTOs' schemas as
 * @nestjs/swagger reads them, plus what it cannot see: each route's security (none on @Public routes),
 * its error answers (@ApiDoc's codes and those of its guards), servers and license.
 */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const document = SwaggerModule.createDocument(app, documentConfig());
  const controllers = [...app.get(ModulesContainer).values()].flatMap((m) =>
    [...m.controllers.values()].map((w) => w.metatype as Type),
  );
  const traits = routeTraits(controllers);
  document.components = {
    ...document.components,
    schemas: { ...document.components?.schemas, [ERROR_ENVELOPE]: envelopeSchema },
  };
  for (const [path, item] of Object.entries(document.paths)) {
    for (const method of ['get', 'post', 'put', 'patch', 'delete'] as const) {
      const operation = item[method];
      if (!operation) continue;
      const found = traits.get(`${method} ${path}`);
      if (!found) throw new Error(`OpenAPI: no route metadata for ${method.toUpperCase()} ${path}`);
      describe(operation, found);
    }
  }
  return document;
}

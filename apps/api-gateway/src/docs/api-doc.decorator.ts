import { ErrorCode } from '@live/common';
import { applyDecorators, SetMetadata, Type } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import { ApiBody, ApiExtraModels, ApiOkResponse, ApiOperation, getSchemaPath } from '@nestjs/swagger';

/** Metadata key of the route-specific error codes @ApiDoc names (read by openapi-document.ts). */
export const API_DOC_ERRORS = 'api-doc:errors';

export interface ApiDocOptions {
  /** One line: what the route does. */
  summary: string;
  /** A valid request body (the document's request example). */
  example: Record<string, unknown>;
  /** The body's documented class, when the @Body() parameter is not one (a body a route schema validates). */
  body?: Type;
  /** The success answer's `data`: a class with @ApiProperty fields, a list of one (`[Class]`), or null. */
  ok: Type | [Type] | null;
  /**
   * The codes this route answers besides those the document adds from the route's traits: 400 (100001)
   * on every route, 401 (100002) unless @Public, 403 (100003) when admin only, 429 (-10001) with
   * @RequestLimit, 500 (100500) and 503 (100503) on every route.
   */
  errors?: ErrorCode[];
}

/** The request body's example, with the schema of `type`, else of the method's @Body() parameter (its class). */
function BodyExample(example: Record<string, unknown>, type?: Type): MethodDecorator {
  return (target, key, descriptor) => {
    const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, target.constructor, key) ?? {}) as Record<
      string,
      { index: number }
    >;
    const body = Object.entries(args).find(([k]) => k.split(':')[0] === String(RouteParamtypes.BODY));
    const types = Reflect.getMetadata('design:paramtypes', target, key) as Type[];
    if (!body) throw new Error(`@ApiDoc on ${String(key)}: the route has no @Body() parameter`);
    ApiBody({ type: type ?? types[body[1].index], examples: { example: { value: example } } })(target, key, descriptor);
  };
}

/** The 200 answer: the envelope with code 200 and this `data`. */
function OkEnvelope(data: Type | [Type] | null): MethodDecorator {
  const model = Array.isArray(data) ? data[0] : data;
  const dataSchema =
    model === null
      ? { type: 'object', nullable: true, description: 'always null', example: null }
      : Array.isArray(data)
        ? { type: 'array', items: { $ref: getSchemaPath(model) } }
        : { $ref: getSchemaPath(model) };
  return applyDecorators(
    ...(model === null ? [] : [ApiExtraModels(model)]),
    ApiOkResponse({
      description: 'success: the envelope with code 200',
      schema: {
        type: 'object',
        required: ['code', 'msg', 'data'],
        properties: {
          code: { type: 'integer', enum: [200] },
          msg: { type: 'string', example: 'success' },
          data: dataSchema,
        },
      },
    }),
  );
}

/** Describes a route of the public API in the OpenAPI document (apps/api-gateway/openapi.json). */
export function ApiDoc(options: ApiDocOptions): MethodDecorator {
  return applyDecorators(
    ApiOperation({ summary: options.summary }),
    BodyExample(options.example, options.body),
    OkEnvelope(options.ok),
    SetMetadata(API_DOC_ERRORS, options.errors ?? []),
  );
}

import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest, FastifyServerOptions } from 'fastify';
import { digitsToInt, FORM_BODIES } from './to-int.decorator';

/**
 * Fastify's own compiled validator (ajv), for the routes that declare a body schema (@RouteSchema): the hot
 * ones, where class-validator cost a tenth of the request. Held to the rules of the validation pipe: no type
 * coercion (a boolean is not a number), unknown fields refused (not removed), no defaults filled in; only the
 * first problem is reported (Fastify's default: allErrors invites denial of service).
 */
export const BODY_SCHEMA_AJV: FastifyServerOptions['ajv'] = {
  customOptions: { coerceTypes: false, removeAdditional: false, useDefaults: false, allErrors: false },
};

interface SchemaProperty {
  type?: string;
}

/**
 * preValidation hook: a FORM body is marked (FORM_BODIES: @ToInt converts its digits for class-validator's
 * DTOs), and in one validated by a route schema a string of digits given for an `integer` property becomes the
 * number (a form carries only strings); a JSON body is taken as typed (`"count": "3"` is not an integer:
 * refused), on every route. In either, an optional property given as null is taken as absent (as
 * class-validator's @IsOptional did).
 */
export function digitStringsToIntegers(request: FastifyRequest, _reply: FastifyReply, done: () => void): void {
  const schema = request.routeOptions.schema?.body as
    { properties?: Record<string, SchemaProperty>; required?: readonly string[] } | undefined;
  const body = request.body as Record<string, unknown> | null | undefined;
  const form = isFormBody(request);
  if (form && body && typeof body === 'object') FORM_BODIES.add(body);
  if (schema?.properties && body && typeof body === 'object' && !Array.isArray(body)) {
    for (const [key, property] of Object.entries(schema.properties)) {
      if (form && property.type === 'integer' && typeof body[key] === 'string') body[key] = digitsToInt(body[key]);
      if (body[key] === null && !schema.required?.includes(key)) delete body[key];
    }
  }
  done();
}

function isFormBody(request: FastifyRequest): boolean {
  const type = request.headers['content-type'];
  return typeof type === 'string' && type.toLowerCase().startsWith('application/x-www-form-urlencoded');
}

/**
 * onRoute hook: a route with a body schema keeps its request when the body is refused (Fastify's
 * `attachValidation`), so that authentication answers first, as on every other route (401 before 400);
 * BodySchemaGuard, the global guard after the authentication guard, throws the refusal.
 */
export function attachBodyValidation(route: { schema?: { body?: unknown }; attachValidation?: boolean }): void {
  if (route.schema?.body) route.attachValidation = true;
}

/** One problem ajv found (Fastify's validation error carries them in `validation`). */
export interface SchemaProblem {
  keyword: string;
  instancePath: string;
  params: Record<string, unknown>;
  message?: string;
}

/** The client's message for a body a route schema refused, in the validation pipe's words. */
export function schemaProblemMessage(problems: readonly SchemaProblem[] | undefined): string {
  // Distinct: two rules can say the same (`roomName must be a string` twice, an attacker pass's finding).
  return [...new Set((problems ?? []).map(describeProblem))].join('; ') || 'bad parameter';
}

function describeProblem(problem: SchemaProblem): string {
  const field = problem.instancePath.slice(1).replaceAll('/', '.') || 'body';
  const { params } = problem;
  switch (problem.keyword) {
    case 'required':
      return `${String(params.missingProperty)} is required`;
    case 'additionalProperties':
      return `property ${String(params.additionalProperty)} should not exist`;
    case 'type':
      return `${field} must be ${params.type === 'integer' ? 'an integer number' : params.type === 'object' ? 'an object' : `a ${String(params.type)}`}`;
    case 'minimum':
      return `${field} must not be less than ${String(params.limit)}`;
    case 'maximum':
      return `${field} must not be greater than ${String(params.limit)}`;
    default:
      return `${field} ${problem.message ?? 'is not valid'}`;
  }
}

/**
 * Throws the body refusal Fastify attached to the request (attachBodyValidation) once authentication has let it
 * through: a route schema is checked after the authentication guard (an APP_GUARD: registered when the app is
 * created, so it runs before this one, added by startApp; Nest runs REQUEST-scoped APP_GUARDs after the
 * global ones, so the gateway's AuthGuard must stay a singleton: test/gift-send-body.e2e-spec.ts checks the
 * 401), never skipped. A guard, not an interceptor: the
 * hot routes then have no interceptor at all, and Nest skips that machinery (an AsyncResource bound per
 * interceptor per request, rxjs around the handler: 6-10% of a send's CPU in the gateway). A route's own guards
 * (@RequestLimit) run after it: a refused body is not counted.
 */
/**
 * Requests whose body was refused before validation (nested too deep, too many fields or values: refuseMisshapenBodies), thrown first
 * by BodySchemaGuard: a route schema would otherwise judge the emptied body and name a missing field instead.
 */
export const EARLY_REFUSALS = new WeakMap<FastifyRequest, Error>();

@Injectable()
export class BodySchemaGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    if (context.getType() === 'http') {
      const request = context.switchToHttp().getRequest<FastifyRequest>();
      const refused = EARLY_REFUSALS.get(request) ?? request.validationError;
      if (refused) throw refused;
    }
    return true;
  }
}

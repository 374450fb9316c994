import { compiledCheckerOf } from '@live/contracts';
import { ArgumentMetadata, ValidationError, ValidationPipe } from '@nestjs/common';
import { BaseErrorCode, BizException } from '../errors';
import { joinProblems, MAX_BODY_DEPTH, MAX_OBJECT_FIELDS, MAX_PAYLOAD_VALUES, shapeProblem } from './body-depth';

/** class-validator's type checks: when one fails, the range and length checks of the same field add nothing. */
const TYPE_CHECKS = new Set(['isInt', 'isNumber', 'isString', 'isBoolean', 'isArray', 'isObject', 'isEnum']);

/**
 * What is wrong with one field, said once: a missing field is "required" (not every rule it would have had
 * to meet: "type must not be greater than 1000; type must not be less than 0; type must be an integer
 * number" for `{}`), a value of the wrong type is named by its type rule only; otherwise every rule it fails.
 */
function problemsOf(e: ValidationError): string[] {
  const failed = Object.entries(e.constraints ?? {});
  if (failed.length === 0) return [];
  if (e.value === undefined) return [`${e.property} is required`];
  const typeOnly = failed.filter(([rule]) => TYPE_CHECKS.has(rule));
  return (typeOnly.length > 0 ? typeOnly : failed).map(([, message]) => message);
}

function flatten(errors: ValidationError[], parent = ''): string[] {
  return errors.flatMap((e) => {
    const path = parent ? `${parent}.${e.property}` : e.property;
    const own = problemsOf(e).map((c) => (c.startsWith(e.property) ? c.replace(e.property, path) : `${path}: ${c}`));
    return [...own, ...flatten(e.children ?? [], path)];
  });
}

/**
 * A request without a body is validated as an empty one (its required fields are named as missing). A
 * value for a DTO class that is not an object of fields (an array, a string, a number) is refused: the
 * class's checks would never run on it, so a DTO whose fields are all optional would take `[]` as `{}`.
 */
class AppValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const given = metadata.type === 'body' && (value === undefined || value === null) ? {} : value;
    const bare = given !== undefined && given !== null && (typeof given !== 'object' || Array.isArray(given));
    if (bare && this.toValidate(metadata)) {
      throw new BizException(BaseErrorCode.PARAM_ERROR, 'expected an object of fields, not an array or a bare value');
    }
    // The compiled checker of the DTO (validatePayload's fast path), asked to decline any unknown field as
    // this pipe forbids them: what it accepts is the instance class-validator would give; the rest, and
    // every error message, comes from class-validator below.
    if (metadata.metatype && typeof given === 'object' && given !== null && this.toValidate(metadata)) {
      const fast = compiledCheckerOf(metadata.metatype as new () => object)?.(given, true);
      if (fast !== undefined) return fast;
      // Before class-transformer copies it: an RPC payload is bounded by its frame only (4 MB), not by the HTTP
      // edge's totals (an HTTP body was judged by them already; these limits are wider).
      const problem = shapeProblem(given, MAX_BODY_DEPTH, Infinity, MAX_PAYLOAD_VALUES, MAX_OBJECT_FIELDS);
      if (problem) throw new BizException(BaseErrorCode.PARAM_ERROR, `the payload ${problem}`);
    }
    return super.transform(given, metadata);
  }
}

/**
 * The validation pipe every app uses: unknown fields, wrong types and out-of-range numbers are a
 * BizException(PARAM_ERROR) naming each bad field; numbers in form bodies are converted.
 */
export function createValidationPipe(): ValidationPipe {
  return new AppValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    stopAtFirstError: false,
    exceptionFactory: (errors) =>
      new BizException(BaseErrorCode.PARAM_ERROR, joinProblems([...new Set(flatten(errors))]) || 'bad parameter'),
  });
}

import 'reflect-metadata';
import { ClassConstructor, plainToInstance } from 'class-transformer';
import { ValidationError, validateSync } from 'class-validator';
import { compiledCheckerOf } from './compiled-checker';

/** The outcome of checking untrusted data against a contract class. Never an exception. */
export type DecodeResult<T> = { ok: true; value: T } | { ok: false; error: string };

/**
 * Unknown fields are dropped, not refused: a producer one release ahead may add a field, and the
 * consumers of the release before must keep working (additive changes are compatible).
 * Types are exact: no string-to-number conversion, so `"5"` is not a user id.
 */
const VALIDATION = { whitelist: true, forbidNonWhitelisted: false, forbidUnknownValues: true } as const;

/** "items.3.price: price must not be less than 1; userId: ..." */
export function describeValidationErrors(errors: ValidationError[], parent = ''): string[] {
  return errors.flatMap((e) => {
    const path = parent ? `${parent}.${e.property}` : e.property;
    const own = Object.values(e.constraints ?? {}).map((c) => `${path}: ${c}`);
    return [...own, ...describeValidationErrors(e.children ?? [], path)];
  });
}

/**
 * Checks an already-parsed value (a JSON object) against a contract class: plainToInstance +
 * validateSync. The value on success is an instance of `cls` holding only the declared fields.
 * A value the class's compiled checker accepts skips class-validator (same instance, a fraction of the
 * CPU); anything else, and every class the compiler does not support, goes through class-validator.
 */
export function validatePayload<T extends object>(cls: ClassConstructor<T>, plain: unknown): DecodeResult<T> {
  if (typeof plain !== 'object' || plain === null || Array.isArray(plain)) {
    return {
      ok: false,
      error: `${cls.name}: expected a JSON object, got ${plain === null ? 'null' : Array.isArray(plain) ? 'an array' : typeof plain}`,
    };
  }
  const fast = compiledCheckerOf(cls)?.(plain, false);
  if (fast !== undefined) return { ok: true, value: fast };
  return slowValidatePayload(cls, plain);
}

/** validatePayload without the compiled fast path: class-validator's verdict (the reference the specs compare with). */
export function slowValidatePayload<T extends object>(cls: ClassConstructor<T>, plain: object): DecodeResult<T> {
  try {
    const instance = plainToInstance(cls, plain, { enableImplicitConversion: false });
    const errors = validateSync(instance, VALIDATION);
    if (errors.length > 0)
      return { ok: false, error: `${cls.name}: ${[...new Set(describeValidationErrors(errors))].join('; ')}` };
    return { ok: true, value: instance };
  } catch (err: unknown) {
    return { ok: false, error: `${cls.name}: ${err instanceof Error ? err.message : String(err)}` };
  }
}

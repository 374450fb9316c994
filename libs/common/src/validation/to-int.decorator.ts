import { Transform } from 'class-transformer';

/** A string of digits ("42", "-3") as the number; anything else as it is. */
export function digitsToInt(value: unknown): unknown {
  return typeof value === 'string' && /^-?\d{1,16}$/.test(value.trim()) ? Number(value.trim()) : value;
}

/**
 * The bodies that came as a form (application/x-www-form-urlencoded), marked by the digitStringsToIntegers
 * hook: a form carries only strings, so their digits are numbers; a JSON body is taken as typed.
 */
export const FORM_BODIES = new WeakSet<object>();

/**
 * For HTTP bodies that may be JSON or a form: in a FORM body a string of digits ("42", "-3") becomes the
 * number; anything else, and every value of a JSON body (`"amount": "200"` is a string, not an integer), is
 * left as it is, for @IsInt() to refuse. API.md: wrong types are 400 / 100001.
 */
export function ToInt(): PropertyDecorator {
  return Transform(({ value, obj }: { value: unknown; obj: unknown }) =>
    typeof obj === 'object' && obj !== null && FORM_BODIES.has(obj) ? digitsToInt(value) : value,
  );
}

import { Transform } from 'class-transformer';

/** A string of digits ("42", "-3") as the number; anything else as it is. */
export function digitsToInt(value: unknown): unknown {
  return typeof value === 'string' && /^-?\d{1,16}$/.test(value.trim()) ? Number(value.trim()) : value;
}

/**
 * For HTTP bodies that may be JSON or a form: a string of digits ("42", "-3") becomes the number;
 * anything else (a boolean, "4.5", "abc", an object) is left as it is, for @IsInt() to refuse.
 */
export function ToInt(): PropertyDecorator {
  return Transform(({ value }: { value: unknown }) => digitsToInt(value));
}

import { ClassConstructor } from 'class-transformer';
import { DecodeResult, validatePayload } from '../validation';

/**
 * Turns a consumed Kafka message value into a validated instance of its contract class, or says why
 * it cannot: empty value, bad UTF-8/JSON, not an object, a missing/mistyped/out-of-range field.
 * Never throws, so a consumer can park a malformed message and move on instead of looping on it.
 * Unknown fields are dropped (a newer producer may add fields); see validatePayload.
 */
export function decodeMessage<T extends object>(
  cls: ClassConstructor<T>,
  raw: Buffer | string | null | undefined,
): DecodeResult<T> {
  if (raw === null || raw === undefined || raw.length === 0) return { ok: false, error: `${cls.name}: empty message` };
  let parsed: unknown;
  try {
    parsed = JSON.parse(typeof raw === 'string' ? raw : raw.toString('utf8'));
  } catch (err: unknown) {
    return { ok: false, error: `${cls.name}: not JSON (${err instanceof Error ? err.message : String(err)})` };
  }
  return validatePayload(cls, parsed);
}

/** The bytes a producer writes for a message value (JSON). */
export function encodeMessage(value: object): string {
  return JSON.stringify(value);
}

import { cutText, jsonTextProblem, SCAN_BEFORE_PARSE_FROM } from '@live/common';
import { decodeMessage, DecodeResult } from '@live/contracts';
import { ClassConstructor } from 'class-transformer';

/**
 * The largest value read as text: the broker's default `max.message.bytes` (1 MiB). A larger one comes only out of
 * a compressed batch (kafkajs inflates gzip without a bound); made a string past V8's limit (~512 MiB), it would
 * throw and stall its partition on retries.
 */
export const MAX_VALUE_BYTES = 1_048_576;

/**
 * A consumed value decoded (decodeMessage), but one of SCAN_BEFORE_PARSE_FROM bytes or more is judged from its text
 * first, against the limits HTTP bodies and WebSocket frames have (depth 32, 64 fields, 1,024 values): a producer
 * on the broker could otherwise make the consumer parse and validate up to a fetch (1 MB) of wide JSON before
 * refusing it (60,000 fields: 1.8 s of one core; the scan 0.46 ms). The byte length decides (not the text's
 * characters, as preParseProblem's does): 1,024 bytes of multi-byte text are fewer characters but no cheaper.
 * The topics' messages are flat objects well within the limits (a send_gift value: 14 fields at most).
 */
export function decodeValue<T extends object>(cls: ClassConstructor<T>, raw: Buffer | null): DecodeResult<T> {
  if (raw === null || raw.length < SCAN_BEFORE_PARSE_FROM) return decodeMessage(cls, raw);
  if (raw.length > MAX_VALUE_BYTES)
    return { ok: false, error: `${cls.name}: the message is larger than ${MAX_VALUE_BYTES} bytes` };
  const text = raw.toString('utf8');
  const problem = jsonTextProblem(text);
  if (problem === null) return decodeMessage(cls, text);
  return { ok: false, error: `${cls.name}: the message ${problem}` };
}

/**
 * The first `maxChars` characters of a message's bytes as text (a key, or an undecodable value handed over for
 * logs and the parked topic), reading at most 4 bytes a character: never the whole buffer, which past V8's string
 * limit would throw outside the handler's retries and stall the partition, and short of it would be read whole
 * on every redelivery. A buffer of at most `maxChars` bytes reads whole.
 */
export function textPrefixOf(raw: Buffer, maxChars: number): string {
  return cutText(raw.subarray(0, maxChars * 4).toString('utf8'), maxChars);
}

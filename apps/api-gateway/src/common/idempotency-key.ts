import { BaseErrorCode, BizException } from '@live/common';
import { ApiHeader } from '@nestjs/swagger';

/** A client idempotency key (header Idempotency-Key, or /gift/send's body requestId): 1-40 of A-Z a-z 0-9 _ - . */
export const CLIENT_REQUEST_ID_PATTERN = /^[A-Za-z0-9_\-.]{1,40}$/;

/** The `Idempotency-Key` header in the OpenAPI document, optional unless `required` (read with `@Headers('idempotency-key')`). */
export const IdempotencyKeyHeader = (description: string, required = false): MethodDecorator =>
  ApiHeader({
    // Lower case, as @Headers reads it: the scanner then merges the two into one parameter.
    name: 'idempotency-key',
    required,
    description,
    schema: { type: 'string', pattern: CLIENT_REQUEST_ID_PATTERN.source },
  });

/** The header's key as given (absent: undefined); a malformed one is refused (400, 100001) before anything is done. */
export function idempotencyKeyOf(header: string | undefined): string | undefined {
  if (header !== undefined && !CLIENT_REQUEST_ID_PATTERN.test(header)) {
    throw new BizException(BaseErrorCode.PARAM_ERROR, 'Idempotency-Key must be 1-40 characters of A-Z a-z 0-9 _ - .');
  }
  return header;
}

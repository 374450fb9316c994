/**
 * Every error the system reports has a stable numeric code, a human message and the HTTP status the
 * gateway answers with. Each area declares its codes as a frozen object of ErrorCode values
 * (see base-error-code.ts); domain code throws `new BizException(SomeErrorCode.X)`.
 */
export interface ErrorCode {
  readonly code: number;
  readonly msg: string;
  readonly httpStatus: number;
}

export function defineErrorCodes<K extends string>(codes: Record<K, ErrorCode>): Readonly<Record<K, ErrorCode>> {
  return Object.freeze(codes);
}

import { BaseErrorCode } from './base-error-code';
import { BizException } from './biz.exception';
import { ErrorCode } from './error-code';

/** Guard clauses that throw the domain exception. Each narrows its argument's type for the code after it. */
export const ErrorAssert = {
  isNotNull<T>(value: T, errorCode: ErrorCode = BaseErrorCode.PARAM_ERROR, msg?: string): asserts value is NonNullable<T> {
    if (value === null || value === undefined) throw new BizException(errorCode, msg);
  },

  isNotBlank(value: unknown, errorCode: ErrorCode = BaseErrorCode.PARAM_ERROR, msg?: string): asserts value is string {
    if (typeof value !== 'string' || value.trim().length === 0) throw new BizException(errorCode, msg);
  },

  isTrue(condition: boolean, errorCode: ErrorCode = BaseErrorCode.PARAM_ERROR, msg?: string): asserts condition {
    if (condition !== true) throw new BizException(errorCode, msg);
  },
};

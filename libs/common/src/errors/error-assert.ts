import { BaseErrorCode } from './base-error-code';
import { BizException } from './biz.exception';
import { ErrorCode } from './error-code';

/** Guard clauses that throw the domain exception. Each narrows its argument's type for the code after it. */
export interface ErrorAssertions {
  isNotNull<T>(value: T, errorCode?: ErrorCode, msg?: string): asserts value is NonNullable<T>;
  isNotBlank(value: unknown, errorCode?: ErrorCode, msg?: string): asserts value is string;
  isTrue(condition: boolean, errorCode?: ErrorCode, msg?: string): asserts condition;
}

// The explicit type annotation is what lets TypeScript use these as assertion functions at call sites.
export const ErrorAssert: ErrorAssertions = {
  isNotNull(value, errorCode = BaseErrorCode.PARAM_ERROR, msg) {
    if (value === null || value === undefined) throw new BizException(errorCode, msg);
  },

  isNotBlank(value, errorCode = BaseErrorCode.PARAM_ERROR, msg) {
    if (typeof value !== 'string' || value.trim().length === 0) throw new BizException(errorCode, msg);
  },

  isTrue(condition, errorCode = BaseErrorCode.PARAM_ERROR, msg) {
    if (condition !== true) throw new BizException(errorCode, msg);
  },
};

import { ErrorCode } from './error-code';

/**
 * The one domain exception. Thrown anywhere; translated by exactly one HTTP filter
 * (HttpExceptionFilter) and one RPC filter (RpcBizExceptionFilter). `msg` may refine the code's message.
 */
export class BizException extends Error {
  readonly code: number;
  readonly httpStatus: number;

  constructor(errorCode: ErrorCode, msg?: string) {
    super(msg ?? errorCode.msg);
    this.name = 'BizException';
    this.code = errorCode.code;
    this.httpStatus = errorCode.httpStatus;
  }

  /** Rebuilds a BizException from the plain object that crossed an RPC boundary. */
  static fromPayload(payload: BizErrorPayload): BizException {
    return new BizException({ code: payload.code, msg: payload.msg, httpStatus: payload.httpStatus });
  }

  toPayload(): BizErrorPayload {
    return { type: BIZ_ERROR_TYPE, code: this.code, msg: this.message, httpStatus: this.httpStatus };
  }
}

export const BIZ_ERROR_TYPE = 'biz-error';

/** What an RPC handler sends back when it fails: no stack, no internals. */
export interface BizErrorPayload {
  type: typeof BIZ_ERROR_TYPE;
  code: number;
  msg: string;
  httpStatus: number;
}

export function isBizErrorPayload(value: unknown): value is BizErrorPayload {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return v.type === BIZ_ERROR_TYPE && typeof v.code === 'number' && typeof v.msg === 'string';
}

import { ArgumentsHost, Catch, HttpException, Logger, RpcExceptionFilter } from '@nestjs/common';
import { Observable, throwError } from 'rxjs';
import {
  BaseErrorCode,
  BizErrorPayload,
  BizException,
  isOutage,
  isStatementLimit,
  STATEMENT_LIMIT_MESSAGE,
} from '../errors';

/**
 * Maps any error thrown by an RPC handler to a BizErrorPayload; the caller rebuilds a BizException. An
 * outage of the handler's dependencies (isOutage) answers SERVICE_UNAVAILABLE, anything else SYS_ERROR.
 */
export function toRpcErrorPayload(exception: unknown): BizErrorPayload {
  if (exception instanceof BizException) return exception.toPayload();
  if (exception instanceof HttpException && exception.getStatus() === 400) {
    const r = exception.getResponse();
    const m = typeof r === 'string' ? r : (r as { message?: unknown }).message;
    const msg = Array.isArray(m) ? m.join('; ') : typeof m === 'string' ? m : BaseErrorCode.PARAM_ERROR.msg;
    return new BizException(BaseErrorCode.PARAM_ERROR, msg).toPayload();
  }
  // The handler's own dependency is down (its database, Redis): the caller should retry, not give up on the work;
  // told when the database stopped a statement (the caller may retry its work in smaller parts: isStatementLimit).
  if (isOutage(exception))
    return new BizException(
      BaseErrorCode.SERVICE_UNAVAILABLE,
      isStatementLimit(exception) ? STATEMENT_LIMIT_MESSAGE : undefined,
    ).toPayload();
  return new BizException(BaseErrorCode.SYS_ERROR).toPayload();
}

/** The one RPC exception filter: no stack or internal message crosses a process boundary. */
@Catch()
export class RpcBizExceptionFilter implements RpcExceptionFilter<unknown> {
  private readonly logger = new Logger(RpcBizExceptionFilter.name);

  catch(exception: unknown, host: ArgumentsHost): Observable<never> {
    const payload = toRpcErrorPayload(exception);
    if (payload.httpStatus >= 500) {
      this.logger.error(
        { err: exception, pattern: host.switchToRpc().getContext()?.getPattern?.() },
        'rpc handler failed',
      );
    }
    return throwError(() => payload);
  }
}

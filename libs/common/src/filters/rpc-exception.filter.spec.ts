import { ArgumentsHost, BadRequestException } from '@nestjs/common';
import { firstValueFrom } from 'rxjs';
import { BaseErrorCode, BizException, GiftErrorCode, isOutage, isStatementLimit } from '../errors';
import { RpcBizExceptionFilter, toRpcErrorPayload } from './rpc-exception.filter';

const rpcHost = {
  switchToRpc: () => ({ getContext: () => ({ getPattern: () => '{"cmd":"x"}' }) }),
} as unknown as ArgumentsHost;

describe('RpcBizExceptionFilter', () => {
  it('sends a BizException as its payload', async () => {
    const thrown = new RpcBizExceptionFilter().catch(
      new BizException(GiftErrorCode.GIFT_NOT_FOUND, 'gift 99 not found'),
      rpcHost,
    );
    await expect(firstValueFrom(thrown)).rejects.toEqual({
      type: 'biz-error',
      code: 11001,
      msg: 'gift 99 not found',
      httpStatus: 404,
    });
  });

  it('sends a validation failure as PARAM_ERROR naming the field', () => {
    expect(toRpcErrorPayload(new BadRequestException(['price must be a positive number']))).toEqual({
      type: 'biz-error',
      code: BaseErrorCode.PARAM_ERROR.code,
      msg: 'price must be a positive number',
      httpStatus: 400,
    });
  });

  it('hides any other error behind SYS_ERROR: no stack crosses the boundary', async () => {
    const err = new TypeError("Cannot read properties of undefined (reading 'balance')");
    const payload = await firstValueFrom(new RpcBizExceptionFilter().catch(err, rpcHost)).catch((p: unknown) => p);
    expect(payload).toEqual({ type: 'biz-error', code: 100500, msg: 'internal error', httpStatus: 500 });
    expect(JSON.stringify(payload)).not.toContain('reading');
  });

  it("answers an outage of the handler's own dependency as SERVICE_UNAVAILABLE (the caller retries), no detail", () => {
    const down = Object.assign(new Error('connect ECONNREFUSED 10.0.0.5:3306'), {
      driverError: { code: 'ECONNREFUSED' },
    });
    expect(toRpcErrorPayload(down)).toEqual({
      type: 'biz-error',
      code: BaseErrorCode.SERVICE_UNAVAILABLE.code,
      msg: BaseErrorCode.SERVICE_UNAVAILABLE.msg,
      httpStatus: 503,
    });
  });

  it('answers a statement the database stopped (max_statement_time) so that the caller knows to retry it smaller', () => {
    const stopped = Object.assign(new Error('Query failed'), {
      driverError: Object.assign(new Error('Query execution was interrupted (max_statement_time exceeded)'), {
        errno: 1969,
      }),
    });
    const payload = toRpcErrorPayload(stopped);
    expect(payload).toMatchObject({ code: BaseErrorCode.SERVICE_UNAVAILABLE.code, httpStatus: 503 });
    const rebuilt = BizException.fromPayload(payload);
    expect([isOutage(rebuilt), isStatementLimit(rebuilt)]).toEqual([true, true]);
    const down = BizException.fromPayload(toRpcErrorPayload(Object.assign(new Error('gone'), { errno: 2006 })));
    expect([isOutage(down), isStatementLimit(down)]).toEqual([true, false]);
  });
});

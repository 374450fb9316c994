import { ArgumentsHost, BadRequestException } from '@nestjs/common';
import { firstValueFrom } from 'rxjs';
import { BaseErrorCode, BizException, GiftErrorCode } from '../errors';
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
});

import { BadRequestException, HttpException, NotFoundException, UnauthorizedException } from '@nestjs/common';
import { ArgumentsHost } from '@nestjs/common';
import { BankErrorCode, BaseErrorCode, BizException } from '../errors';
import { HttpExceptionFilter, renderHttpError } from './http-exception.filter';

describe('renderHttpError', () => {
  it('renders a BizException with its code, message and status', () => {
    expect(renderHttpError(new BizException(BankErrorCode.INSUFFICIENT_BALANCE))).toEqual({
      status: 402,
      body: { code: 12001, msg: 'insufficient balance', data: null },
    });
  });

  it('renders the rate-limit error as 429 / -10001 with its own message', () => {
    expect(renderHttpError(new BizException(BaseErrorCode.TOO_MANY_REQUESTS, 'one room per 10 s'))).toEqual({
      status: 429,
      body: { code: -10001, msg: 'one room per 10 s', data: null },
    });
  });

  it("a 503 or 500 BizException (an RPC call's, a producer's) answers its code's own message: no service, address or cause", () => {
    const rpc = new BizException(
      BaseErrorCode.SERVICE_UNAVAILABLE,
      'gift.config.panel: gift-service 127.0.0.1:9101: timed out after 5000 ms; live: none',
    );
    expect(renderHttpError(rpc)).toEqual({
      status: 503,
      body: { code: 100503, msg: 'service unavailable, try again', data: null },
    });
    expect(
      renderHttpError(new BizException(BaseErrorCode.SYS_ERROR, 'kafka: broker 10.0.0.7:9092 said no')).body,
    ).toEqual({ code: 100500, msg: 'internal error', data: null });
  });

  it('hides an unexpected error behind 500 / 100500 with no stack or internal message', () => {
    const secret = new Error('ER_ACCESS_DENIED for user root@10.0.0.3 at /srv/app/db.ts:12');
    const { status, body } = renderHttpError(secret);
    expect(status).toBe(500);
    expect(body).toEqual({ code: 100500, msg: 'internal error', data: null });
    expect(JSON.stringify(body)).not.toMatch(/ER_ACCESS|root@|\.ts|at /);
  });

  it.each([undefined, null, 'a string', 42])('renders a thrown non-error %p as 500', (thrown) => {
    expect(renderHttpError(thrown).status).toBe(500);
  });

  it('maps Nest 4xx exceptions to the contract codes', () => {
    expect(renderHttpError(new BadRequestException(['a must be an integer', 'b should not exist']))).toEqual({
      status: 400,
      body: { code: 100001, msg: 'a must be an integer; b should not exist', data: null },
    });
    expect(renderHttpError(new UnauthorizedException()).body.code).toBe(100002);
    expect(renderHttpError(new NotFoundException('Cannot POST /nope')).body).toEqual({
      code: 100004,
      msg: 'not found',
      data: null,
    });
  });

  it.each([
    ['Unexpected token } in JSON at position 7', 400, 'FST_ERR_CTP_INVALID_JSON_BODY', 'body is not valid JSON'],
    ['Request body is too large', 413, 'FST_ERR_CTP_BODY_TOO_LARGE', 'body is too large'],
  ])('maps the Fastify body error "%s" to %s / 100001 with a clear message', (message, statusCode, code, msg) => {
    const error = Object.assign(new Error(message), { statusCode, code });
    expect(renderHttpError(error)).toEqual({ status: statusCode, body: { code: 100001, msg, data: null } });
  });

  it('maps a 5xx HttpException to the generic error, 503 to service unavailable', () => {
    expect(renderHttpError(new HttpException('db pool exhausted', 500)).body.msg).toBe('internal error');
    expect(renderHttpError(new HttpException('down', 503))).toEqual({
      status: 503,
      body: { code: 100503, msg: 'service unavailable, try again', data: null },
    });
  });
});

describe('HttpExceptionFilter', () => {
  it('always sends the envelope with the mapped status', () => {
    const sent: { status?: number; body?: unknown; headers: Record<string, string> } = { headers: {} };
    const reply = {
      status(code: number) {
        sent.status = code;
        return this;
      },
      header(name: string, value: string) {
        sent.headers[name] = value;
        return this;
      },
      send(body: unknown) {
        sent.body = body;
        return this;
      },
    };
    const host = { switchToHttp: () => ({ getResponse: () => reply }) } as unknown as ArgumentsHost;
    new HttpExceptionFilter().catch(new BizException(BankErrorCode.PRODUCT_NOT_FOUND), host);
    expect(sent.status).toBe(404);
    expect(sent.body).toEqual({ code: 12003, msg: 'product not found', data: null });
    expect(sent.headers['content-type']).toMatch(/application\/json/);
  });
});

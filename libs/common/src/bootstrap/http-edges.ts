import type { FastifyReply, FastifyRequest } from 'fastify';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { BaseErrorCode, BizException } from '../errors';
import { renderHttpError } from '../filters';

/**
 * What Fastify answers on its own, before a route (and Nest's filter) is reached, in the envelope like every
 * other answer: a URL it cannot decode (`GET /%`: frameworkErrors), and a request the HTTP parser refuses
 * (headers over the size limit: 431; a request that timed out: 408; a malformed one: 400: clientErrorHandler,
 * which writes to the socket itself). Its defaults answered `{ error, message, statusCode }`.
 */
export function frameworkErrorReply(error: Error, _request: FastifyRequest, reply: FastifyReply): void {
  const { status, body } = renderHttpError(error);
  void reply.status(status).header('content-type', 'application/json; charset=utf-8').send(body);
}

const CLIENT_ERRORS: Record<string, { status: number; msg: string }> = {
  HPE_HEADER_OVERFLOW: { status: 431, msg: 'request headers are too large' },
  ERR_HTTP_REQUEST_TIMEOUT: { status: 408, msg: 'the request took too long to arrive' },
};

export function clientErrorReply(err: NodeJS.ErrnoException, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const { status, msg } = CLIENT_ERRORS[err.code ?? ''] ?? { status: 400, msg: 'malformed HTTP request' };
  const body = JSON.stringify({ code: BaseErrorCode.PARAM_ERROR.code, msg, data: null });
  if (socket.writable)
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
        `Content-Type: application/json; charset=utf-8\r\nConnection: close\r\n\r\n${body}`,
    );
  socket.destroy(err);
}

/** Bodies nested deeper than this are refused (legitimate ones are one or two levels deep). */
export const MAX_BODY_DEPTH = 32;

/**
 * preValidation: a body nested deeper than MAX_BODY_DEPTH is refused with 400 / 100001 (thrown by
 * BodySchemaGuard after authentication, as a schema refusal is) and replaced by `{}`, so that nothing after it
 * walks it recursively (the validation pipe's prototype-key scan overflowed the stack at ~10,000 levels: a
 * 500 and a logged stack trace for 40 KB of brackets). Walked without recursion.
 */
export function refuseDeepBodies(request: FastifyRequest, _reply: FastifyReply, done: () => void): void {
  if (nestedDeeperThan(request.body, MAX_BODY_DEPTH)) {
    request.body = {};
    request.validationError ??= Object.assign(
      new BizException(BaseErrorCode.PARAM_ERROR, `body is nested deeper than ${MAX_BODY_DEPTH} levels`),
      { validation: [], validationContext: 'body' as const },
    );
  }
  done();
}

export function nestedDeeperThan(value: unknown, limit: number): boolean {
  if (value === null || typeof value !== 'object') return false;
  const stack: [object, number][] = [[value, 1]];
  for (let next = stack.pop(); next; next = stack.pop()) {
    const [node, depth] = next;
    for (const child of Object.values(node)) {
      if (child === null || typeof child !== 'object') continue;
      if (depth >= limit) return true;
      stack.push([child, depth + 1]);
    }
  }
  return false;
}

import type { FastifyReply, FastifyRequest } from 'fastify';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { BaseErrorCode, BizException } from '../errors';
import { renderHttpError } from '../filters';
import { ApiResponses } from '../response';
import { EARLY_REFUSALS, MAX_BODY_DEPTH, nestedDeeperThan } from '../validation';

const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8', 'x-content-type-options': 'nosniff' };

/**
 * What Fastify answers on its own, before a route (and Nest's filter) is reached, in the envelope like every
 * other answer: a URL it cannot decode (`GET /%`: frameworkErrors), and a request the HTTP parser refuses
 * (headers over the size limit: 431; a request that timed out: 408; a malformed one: 400: clientErrorHandler,
 * which writes to the socket itself). Its defaults answered `{ error, message, statusCode }`.
 */
export function frameworkErrorReply(error: Error, _request: FastifyRequest, reply: FastifyReply): void {
  const { status, body } = renderHttpError(error);
  void reply.status(status).headers(JSON_HEADERS).send(body);
}

/**
 * onRequest, every app: `X-Content-Type-Options: nosniff` on every answer (the JSON envelope, the gateway's
 * files), so that no browser reads an answer as another type than it says (a JSON body sniffed as HTML).
 */
export function noSniff(_request: FastifyRequest, reply: FastifyReply, done: () => void): void {
  void reply.header('x-content-type-options', 'nosniff');
  done();
}

const CLIENT_ERRORS: Record<string, { status: number; msg: string }> = {
  HPE_HEADER_OVERFLOW: { status: 431, msg: 'request headers are too large' },
  ERR_HTTP_REQUEST_TIMEOUT: { status: 408, msg: 'the request took too long to arrive' },
};

export function clientErrorReply(err: NodeJS.ErrnoException, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  // A response already under way on this connection (keep-alive, pipelining): an answer written now would be
  // read as that request's; only close, as Node's own handler does.
  if ((socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent) {
    socket.destroy(err);
    return;
  }
  const { status, msg } = CLIENT_ERRORS[err.code ?? ''] ?? { status: 400, msg: 'malformed HTTP request' };
  const body = JSON.stringify(ApiResponses.error(BaseErrorCode.PARAM_ERROR.code, msg));
  if (socket.writable)
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
        `Content-Type: application/json; charset=utf-8\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n${body}`,
    );
  socket.destroy(err);
}

/**
 * preValidation: a body nested deeper than MAX_BODY_DEPTH is refused with 400 / 100001 (thrown by
 * BodySchemaGuard after authentication, before a schema's own refusal: EARLY_REFUSALS) and replaced by `{}`,
 * so that nothing after it walks it recursively (the validation pipe's prototype-key scan overflowed the stack
 * at ~10,000 levels: a 500 and a logged stack trace for 40 KB of brackets).
 */
export function refuseDeepBodies(request: FastifyRequest, _reply: FastifyReply, done: () => void): void {
  if (nestedDeeperThan(request.body, MAX_BODY_DEPTH)) {
    request.body = {};
    EARLY_REFUSALS.set(
      request,
      new BizException(BaseErrorCode.PARAM_ERROR, `body is nested deeper than ${MAX_BODY_DEPTH} levels`),
    );
  }
  done();
}

import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { parse as parseForm } from 'fast-querystring';
import type { FastifyReply, FastifyRequest, RawServerDefault } from 'fastify';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { BaseErrorCode, BizException } from '../errors';
import { renderHttpError } from '../filters';
import { ApiResponses } from '../response';
import { EARLY_REFUSALS, formTextProblem, preParseProblem, shapeProblem } from '../validation';

const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8', 'x-content-type-options': 'nosniff' };

/** The headers an app adds to what Fastify answers on its own, per (root) Fastify instance: edgeHeaders. */
const EDGE_HEADERS = new WeakMap<object, Readonly<Record<string, string>>>();

/** Headers the edge answers set themselves: an app's own would be written twice in the raw answer. */
const EDGE_OWN = new Set([
  'content-length',
  'content-type',
  'connection',
  'transfer-encoding',
  'x-content-type-options',
]);

/**
 * Headers every answer of this app carries that its onRequest hooks add (the gateway's CSP, X-Frame-Options,
 * Referrer-Policy), for the answers no hook runs before: a URL Fastify cannot decode and a request the HTTP
 * parser refuses (frameworkErrorReply, clientErrorReply). Names in lower case, not one the edge answers set
 * themselves; values of visible characters and spaces only (they are written raw to the socket): else it throws,
 * at start-up.
 */
export function edgeHeaders(fastify: object, headers: Readonly<Record<string, string>>): void {
  for (const [name, value] of Object.entries(headers))
    if (!/^[a-z0-9-]+$/.test(name) || EDGE_OWN.has(name) || !/^[\x20-\x7e]*$/.test(value))
      throw new Error(`edgeHeaders: ${name} cannot be an edge answer's header`);
  EDGE_HEADERS.set(fastify, { ...EDGE_HEADERS.get(fastify), ...headers });
}

/**
 * What Fastify answers on its own, before a route (and Nest's filter) is reached, in the envelope like every
 * other answer: a URL it cannot decode (`GET /%`: frameworkErrors), and a request the HTTP parser refuses
 * (headers over the size limit: 431; a request that timed out: 408; a malformed one: 400: clientErrorHandler,
 * which writes to the socket itself). Its defaults answered `{ error, message, statusCode }`.
 */
export function frameworkErrorReply(error: Error, request: FastifyRequest, reply: FastifyReply): void {
  const { status, body } = renderHttpError(error);
  void reply
    .status(status)
    .headers({ ...EDGE_HEADERS.get(request.server), ...JSON_HEADERS })
    .send(body);
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

/** Fastify's clientErrorHandler, called with `this` its root instance. */
export function clientErrorReply(this: object | undefined, err: NodeJS.ErrnoException, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  // A response already under way on this connection (keep-alive, pipelining): an answer written now would be
  // read as that request's; only close, as Node's own handler does.
  if ((socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent) {
    socket.destroy(err);
    return;
  }
  const { status, msg } = CLIENT_ERRORS[err.code ?? ''] ?? { status: 400, msg: 'malformed HTTP request' };
  const body = JSON.stringify(ApiResponses.error(BaseErrorCode.PARAM_ERROR.code, msg));
  const extra = Object.entries((this && EDGE_HEADERS.get(this)) ?? {})
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('');
  if (socket.writable)
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
        `Content-Type: application/json; charset=utf-8\r\nX-Content-Type-Options: nosniff\r\n${extra}Connection: close\r\n\r\n${body}`,
    );
  socket.destroy(err);
}

/**
 * Bodies nested deeper than MAX_BODY_DEPTH or holding more than MAX_BODY_FIELDS fields or MAX_BODY_VALUES values,
 * refused before anything walks them recursively (the validation pipe's prototype-key scan overflowed the stack at
 * ~10,000 levels: a 500 and a logged stack trace for 40 KB of brackets) or validates them field by field (an
 * error and a line of the answer per unknown field: 5,000 unknown fields in a 49 KB body cost 64-91 ms and a
 * 198 KB answer; an attacker pass, 2026-12-02), and, when long, before they are parsed (the parse was most of
 * what was left: 90 such bodies from three accounts held /health 1 s; the figures at jsonTextProblem). Refused
 * with 400 / 100001, thrown by BodySchemaGuard after authentication, before a schema's own refusal
 * (EARLY_REFUSALS), the body replaced by `{}`.
 *
 * These are every app's body parsers, the two Nest registers by default, with the same limit, content types and
 * results (but that fields are counted as written before the parse: a repeated key, 65 times, is refused): JSON
 * by Fastify's own parser (prototype and constructor poisoning as configured, refused by default), forms by
 * fast-querystring (Nest's), each after preParseProblem or formTextProblem; a preValidation hook walks
 * what was parsed (shapeProblem). Registering them makes Nest skip its own registration, which also sets the
 * middleware path prefix of `setGlobalPrefix`: no app uses one (one that does must register its prefix itself).
 */
export function refuseMisshapenBodies(app: NestFastifyApplication): void {
  const fastify = app.getHttpAdapter().getInstance();
  const { bodyLimit, onProtoPoisoning, onConstructorPoisoning } = fastify.initialConfig;
  const json = fastify.getDefaultJsonParser(onProtoPoisoning ?? 'error', onConstructorPoisoning ?? 'error');
  const refuse = (request: FastifyRequest, problem: string): void => {
    EARLY_REFUSALS.set(request, new BizException(BaseErrorCode.PARAM_ERROR, `body ${problem}`));
  };
  type Done = (err: Error | null, body?: unknown) => void;
  const refuseUnparsed = (request: FastifyRequest, problem: string, done: Done): void => {
    refuse(request, problem);
    done(null, {});
  };
  app.useBodyParser<RawServerDefault>('application/json', { bodyLimit }, (request, body, done) => {
    const text = body.toString();
    const problem = preParseProblem(text);
    if (problem === null) json(request, text, done);
    else refuseUnparsed(request, problem, done);
  });
  app.useBodyParser<RawServerDefault>('application/x-www-form-urlencoded', { bodyLimit }, (request, body, done) => {
    const problem = formTextProblem(body);
    if (problem === null) done(null, parseForm(body.toString()));
    else refuseUnparsed(request, problem, done);
  });
  fastify.addHook('preValidation', (request, _reply, done) => {
    const problem = shapeProblem(request.body);
    if (problem !== null) {
      request.body = {};
      refuse(request, problem);
    }
    done();
  });
}

import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { BaseErrorCode, BizException } from '../errors';
import { ApiResponse, ApiResponses } from '../response';
import { SchemaProblem, schemaProblemMessage } from '../validation/body-schema';

interface Rendered {
  status: number;
  body: ApiResponse<null>;
}

/** The generic codes whose message is written for the logs (which service, its address, why), not the client. */
const INTERNAL_DETAIL = new Map(
  [BaseErrorCode.SERVICE_UNAVAILABLE, BaseErrorCode.SYS_ERROR].map((c) => [c.code, c.msg]),
);

/** Maps any thrown value to an HTTP status + envelope. Never exposes a stack or an internal message. */
export function renderHttpError(exception: unknown): Rendered {
  if (exception instanceof BizException) {
    // A 503 of an RPC call names the service, its address and the live instances ("gift.config.panel:
    // gift-service 127.0.0.1:9101: timed out after 5000 ms; live: none"): the client gets the code's own
    // message, the log line (HttpExceptionFilter) the detail. Other codes' messages are written for clients.
    const msg = INTERNAL_DETAIL.get(exception.code) ?? exception.message;
    return { status: exception.httpStatus, body: ApiResponses.error(exception.code, msg) };
  }
  const status = statusOf(exception);
  if (status === undefined || status >= 500) {
    const code = status === 503 ? BaseErrorCode.SERVICE_UNAVAILABLE : BaseErrorCode.SYS_ERROR;
    return { status: code.httpStatus, body: ApiResponses.error(code.code, code.msg) };
  }
  if (status === 401)
    return { status, body: ApiResponses.error(BaseErrorCode.TOKEN_ERROR.code, BaseErrorCode.TOKEN_ERROR.msg) };
  if (status === 403)
    return { status, body: ApiResponses.error(BaseErrorCode.FORBIDDEN.code, BaseErrorCode.FORBIDDEN.msg) };
  if (status === 404)
    return { status, body: ApiResponses.error(BaseErrorCode.NOT_FOUND.code, BaseErrorCode.NOT_FOUND.msg) };
  if (status === 429) {
    return {
      status,
      body: ApiResponses.error(BaseErrorCode.TOO_MANY_REQUESTS.code, BaseErrorCode.TOO_MANY_REQUESTS.msg),
    };
  }
  // Fastify's 415 (whoever wraps it) names the client's header as it came, `undefined` when it was empty.
  if (status === 415) return { status, body: ApiResponses.error(BaseErrorCode.PARAM_ERROR.code, UNSUPPORTED_TYPE) };
  return { status, body: ApiResponses.error(BaseErrorCode.PARAM_ERROR.code, clientMessage(exception)) };
}

const UNSUPPORTED_TYPE = 'unsupported content type';

function statusOf(exception: unknown): number | undefined {
  if (exception instanceof HttpException) return exception.getStatus();
  // Fastify's own errors (bad JSON, body too large, unsupported media type, a body its route schema refused) carry a 4xx statusCode.
  const s = (exception as { statusCode?: unknown } | null)?.statusCode;
  return typeof s === 'number' && s >= 400 && s < 600 ? s : undefined;
}

function clientMessage(exception: unknown): string {
  if (exception instanceof HttpException) {
    const r = exception.getResponse();
    const m = typeof r === 'string' ? r : (r as { message?: unknown }).message;
    if (Array.isArray(m)) return m.join('; ');
    if (typeof m === 'string') return m;
  }
  const code = (exception as { code?: unknown } | null)?.code;
  if (code === 'FST_ERR_CTP_INVALID_JSON_BODY' || code === 'FST_ERR_CTP_EMPTY_JSON_BODY')
    return 'body is not valid JSON';
  if (code === 'FST_ERR_CTP_BODY_TOO_LARGE') return 'body is too large';
  if (code === 'FST_ERR_BAD_URL') return 'the URL is malformed (a bad percent-encoding)';
  if (code === 'FST_ERR_VALIDATION')
    return schemaProblemMessage((exception as { validation?: SchemaProblem[] }).validation);
  return BaseErrorCode.PARAM_ERROR.msg;
}

/** The one HTTP exception filter: every error leaves as the envelope with a 4xx/5xx status. */
@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger(HttpExceptionFilter.name);

  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const { status, body } = renderHttpError(exception);
    if (status >= 500) this.logger.error({ err: exception }, 'request failed');
    void reply.status(status).header('content-type', 'application/json; charset=utf-8').send(body);
  }
}

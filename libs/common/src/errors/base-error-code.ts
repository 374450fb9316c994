import { defineErrorCodes } from './error-code';

/** Codes shared by every app (public contract, ../shared/API.md). */
export const BaseErrorCode = defineErrorCodes({
  PARAM_ERROR: { code: 100001, msg: 'bad parameter', httpStatus: 400 },
  TOKEN_ERROR: { code: 100002, msg: 'missing or bad token', httpStatus: 401 },
  FORBIDDEN: { code: 100003, msg: 'not allowed', httpStatus: 403 },
  NOT_FOUND: { code: 100004, msg: 'not found', httpStatus: 404 },
  SYS_ERROR: { code: 100500, msg: 'internal error', httpStatus: 500 },
  SERVICE_UNAVAILABLE: { code: 100503, msg: 'service unavailable, try again', httpStatus: 503 },
  TOO_MANY_REQUESTS: { code: -10001, msg: 'too many requests', httpStatus: 429 },
});

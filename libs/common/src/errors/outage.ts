import { BaseErrorCode } from './base-error-code';

/** Socket and driver codes of a dependency that cannot be reached or dropped the connection. */
const OUTAGE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'ENOTFOUND',
  'EAI_AGAIN',
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'POOL_CLOSED',
]);

/**
 * MySQL/MariaDB errors of a server that is down, restarting or full, or of contention that a retry
 * clears: 1040 too many connections, 1053 shutdown in progress, 1205 lock wait timeout, 1213 deadlock,
 * 2002/2003 cannot connect, 2006 server gone away, 2013 lost connection during a query.
 */
const OUTAGE_ERRNOS = new Set([1040, 1053, 1205, 1213, 2002, 2003, 2006, 2013]);

/** Error names of clients whose dependency is unreachable (ioredis, kafkajs). */
const OUTAGE_NAMES = new Set([
  'MaxRetriesPerRequestError',
  'ClusterAllFailedError',
  'KafkaJSConnectionError',
  'KafkaJSConnectionClosedError',
  'KafkaJSRequestTimeoutError',
  'KafkaJSNumberOfRetriesExceeded',
  'KafkaJSBrokerNotFound',
  'KafkaJSLockTimeout',
]);

/** Messages of the same, from clients that give no code (ioredis, mysql2 on a closed connection, Redis Cluster). */
const OUTAGE_MESSAGE =
  /\b(CLUSTERDOWN|TRYAGAIN|LOADING|MASTERDOWN|READONLY)\b|Too many Cluster redirections|same slots allocation group|Connection is closed|connection is in closed state|Connection lost|Pool is closed|Stream isn't writeable|None of startup nodes is available|Failed to refresh slots cache/;

/**
 * True when `err` says a dependency is down or unreachable (a database, Redis, Kafka, another service's
 * RPC: SERVICE_UNAVAILABLE), not that the work itself is bad: such work is retried with backoff and
 * never set aside, since nothing about it is wrong. Looks through `driverError` (TypeORM) and `cause`.
 */
export function isOutage(err: unknown, depth = 0): boolean {
  if (typeof err !== 'object' || err === null || depth > 3) return false;
  const e = err as {
    code?: unknown;
    errno?: unknown;
    name?: unknown;
    message?: unknown;
    httpStatus?: unknown;
    driverError?: unknown;
    cause?: unknown;
  };
  if (e.name === 'BizException') return e.code === BaseErrorCode.SERVICE_UNAVAILABLE.code;
  if (typeof e.code === 'string' && OUTAGE_CODES.has(e.code)) return true;
  if (typeof e.errno === 'number' && OUTAGE_ERRNOS.has(e.errno)) return true;
  if (typeof e.name === 'string' && OUTAGE_NAMES.has(e.name)) return true;
  if (typeof e.message === 'string' && OUTAGE_MESSAGE.test(e.message)) return true;
  return isOutage(e.driverError, depth + 1) || isOutage(e.cause, depth + 1);
}

/** The message of an error, or the thing thrown as text: for log lines and reasons. */
export function describeError(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

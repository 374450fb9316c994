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
 * MySQL/MariaDB errors of a server that is down, restarting, full, read-only or refusing this account, or of
 * contention that a retry clears: nothing about the work is wrong, so it must never be parked or refused for it
 * (a gift accepted with 200 would be left undecided, or refused, by a failover). By number:
 * - down or unreachable: 1053 shutdown in progress, 2002/2003 cannot connect, 2006 server gone away, 2013 lost
 *   connection during a query, 1158-1161 network read/write errors, 1927 connection killed (MariaDB), 4031
 *   disconnected for inactivity (MySQL);
 * - full or out of resources: 1021 disk full, 1037 out of memory, 1041 out of resources, 1114 table full, 1180
 *   error during COMMIT (rolled back: the ledger's unique request ids make the retry safe);
 * - limits: 1040 too many connections, 1203 too many for the account, 1226 an account's resource limit, 1637
 *   too many concurrent transactions;
 * - read-only (a failover's old primary): 1290 `--read-only`, 1836 read-only mode (MariaDB);
 * - interrupted or contended: 1205 lock wait timeout, 1213 deadlock, 1317 query interrupted (KILL QUERY), 1969
 *   max_statement_time (MariaDB), 3024 max_execution_time (MySQL);
 * - refused this account or host (a password or grant changed under the running app): 1044, 1045, 1129, 1130,
 *   1142, 1143, 1227: every message would fail alike, so they wait rather than park.
 */
const OUTAGE_ERRNOS = new Set([
  1021, 1037, 1040, 1041, 1044, 1045, 1053, 1114, 1129, 1130, 1142, 1143, 1158, 1159, 1160, 1161, 1180, 1203, 1205,
  1213, 1226, 1227, 1290, 1317, 1637, 1836, 1927, 1969, 2002, 2003, 2006, 2013, 3024, 4031,
]);

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

/**
 * Messages of the same, from clients that give no code (ioredis, mysql2 on a closed connection, Redis Cluster),
 * and Redis' refusals of a server that is full or busy: OOM (maxmemory reached under noeviction), MISCONF (writes
 * stopped after a failed snapshot), BUSY (a script running past its time), NOREPLICAS (min-replicas-to-write).
 */
const OUTAGE_MESSAGE =
  /\b(CLUSTERDOWN|TRYAGAIN|LOADING|MASTERDOWN|READONLY|MISCONF|BUSY|NOREPLICAS)\b|\bOOM command not allowed|Too many Cluster redirections|same slots allocation group|Connection is closed|connection is in closed state|Connection lost|Pool is closed|Stream isn't writeable|None of startup nodes is available|Failed to refresh slots cache/;

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

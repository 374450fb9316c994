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
 *   max_statement_time (MariaDB), 3024 max_execution_time (MySQL) (these and the memory and table-full ones may
 *   be the statement's size: STATEMENT_LIMIT_ERRNOS);
 * - refused this account or host (a password or grant changed under the running app): 1044, 1045, 1129, 1130,
 *   1142, 1143, 1227: every message would fail alike, so they wait rather than park.
 */
const OUTAGE_ERRNOS = new Set([
  1021, 1037, 1040, 1041, 1044, 1045, 1053, 1114, 1129, 1130, 1142, 1143, 1158, 1159, 1160, 1161, 1180, 1203, 1205,
  1213, 1226, 1227, 1290, 1317, 1637, 1836, 1927, 1969, 2002, 2003, 2006, 2013, 3024, 4031,
]);

/**
 * The outages a smaller statement may clear: a statement killed (1317: a busy-query killer), timed out (1969, 3024) or
 * out of memory or temporary-table room (1037, 1041, 1114). Work batched into one statement is split before it is
 * retried whole again and again (isStatementLimit); alone, it is retried, never set aside.
 */
const STATEMENT_LIMIT_ERRNOS = new Set([1037, 1041, 1114, 1317, 1969, 3024]);

/** The message of the SERVICE_UNAVAILABLE an RPC handler answers for a statement limit (isStatementLimit on the caller). */
export const STATEMENT_LIMIT_MESSAGE = 'the database stopped a statement (its time, memory or room): retry it smaller';

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
 * Messages of the same, from clients that give no code (ioredis, mysql2 on a closed connection, Redis Cluster). Read
 * only on an error that wraps nothing (no `cause`, no `driverError`): a wrapper's message may carry a client's
 * request id (`gift <requestId>: ...`), which may spell any of these words; its cause decides.
 */
const OUTAGE_MESSAGE =
  /\b(CLUSTERDOWN|TRYAGAIN|LOADING|MASTERDOWN|READONLY)\b|Too many Cluster redirections|same slots allocation group|Connection is closed|connection is in closed state|Connection lost|Pool is closed|Stream isn't writeable|None of startup nodes is available|Failed to refresh slots cache/;

/**
 * Redis refusing writes, as its reply starts: OOM (maxmemory reached under noeviction), MISCONF (writes stopped after
 * a failed snapshot), BUSY (a script running past its time), NOREPLICAS (min-replicas-to-write).
 */
const REDIS_REFUSAL = /^(OOM command not allowed|MISCONF |BUSY |NOREPLICAS )/;

/** The fields of an error (or of anything thrown) that the checks below read. */
interface ErrorFields {
  code?: unknown;
  errno?: unknown;
  name?: unknown;
  message?: unknown;
  driverError?: unknown;
  cause?: unknown;
}

/** `test` holds for `err`, or for what it wraps (`driverError` of TypeORM, `cause`), 3 levels deep at most. */
function inChain(err: unknown, test: (e: ErrorFields) => boolean, depth = 0): boolean {
  if (typeof err !== 'object' || err === null || depth > 3) return false;
  const e = err as ErrorFields;
  return test(e) || inChain(e.driverError, test, depth + 1) || inChain(e.cause, test, depth + 1);
}

/**
 * True when `err` says a dependency is down or unreachable (a database, Redis, Kafka, another service's
 * RPC: SERVICE_UNAVAILABLE), not that the work itself is bad: such work is retried with backoff and
 * never set aside, since nothing about it is wrong. Looks through `driverError` (TypeORM) and `cause`.
 */
export function isOutage(err: unknown): boolean {
  return inChain(err, (e) => {
    if (e.name === 'BizException') return e.code === BaseErrorCode.SERVICE_UNAVAILABLE.code;
    if (typeof e.code === 'string' && OUTAGE_CODES.has(e.code)) return true;
    if (typeof e.errno === 'number' && OUTAGE_ERRNOS.has(e.errno)) return true;
    if (typeof e.name === 'string' && OUTAGE_NAMES.has(e.name)) return true;
    const wraps = e.cause !== undefined || e.driverError !== undefined;
    return typeof e.message === 'string' && !wraps && (OUTAGE_MESSAGE.test(e.message) || REDIS_REFUSAL.test(e.message));
  });
}

/**
 * True when `err` is an outage a smaller statement may clear (STATEMENT_LIMIT_ERRNOS), looking through `driverError`
 * and `cause` as isOutage does, or another service's answer saying so (bank-service's settlement: toRpcErrorPayload):
 * a batch failing so is split rather than retried whole forever.
 */
export function isStatementLimit(err: unknown): boolean {
  return inChain(err, (e) =>
    e.name === 'BizException'
      ? e.code === BaseErrorCode.SERVICE_UNAVAILABLE.code && e.message === STATEMENT_LIMIT_MESSAGE
      : typeof e.errno === 'number' && STATEMENT_LIMIT_ERRNOS.has(e.errno),
  );
}

/** The message of an error, or the thing thrown as text: for log lines and reasons. */
export function describeError(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

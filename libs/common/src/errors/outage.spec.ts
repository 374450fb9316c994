import { BaseErrorCode } from './base-error-code';
import { BizException } from './biz.exception';
import { isOutage, isStatementLimit } from './outage';

describe('isOutage: a dependency down, not bad work', () => {
  it.each([
    ['an RPC peer that does not answer', new BizException(BaseErrorCode.SERVICE_UNAVAILABLE, 'bank: timed out')],
    ['a refused connection', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:3306'), { code: 'ECONNREFUSED' })],
    [
      'a TypeORM query whose driver lost the server',
      Object.assign(new Error('Query failed'), { driverError: { code: 'PROTOCOL_CONNECTION_LOST' } }),
    ],
    ['MySQL server gone away', Object.assign(new Error('gone'), { errno: 2006 })],
    ['a deadlock (contention a retry clears)', Object.assign(new Error('Deadlock found'), { errno: 1213 })],
    [
      'ioredis giving up a command',
      Object.assign(new Error('Reached the max retries'), { name: 'MaxRetriesPerRequestError' }),
    ],
    ['ioredis on a closed connection', new Error('Connection is closed.')],
    ['a Redis Cluster during failover', new Error('CLUSTERDOWN The cluster is down')],
    ['kafkajs without a broker', Object.assign(new Error('Connection error'), { name: 'KafkaJSConnectionError' })],
    ['the cause of a wrapper', new Error('wrapped', { cause: Object.assign(new Error('x'), { code: 'ETIMEDOUT' }) })],
    [
      'ioredis giving up on a Cluster mid-failover',
      new Error('Too many Cluster redirections. Last error: ReplyError: CLUSTERDOWN The cluster is down'),
    ],
    [
      'an auto-pipeline split by a slot map that changed',
      new Error('All keys in the pipeline should belong to the same slots allocation group'),
    ],
    [
      "a gift outcome step's wrapped Redis failure (GiftOutcomeService keeps the cause)",
      new Error('gift 1:a: outcome claim script failed: max retries', {
        cause: Object.assign(new Error('Reached the max retries per request limit'), {
          name: 'MaxRetriesPerRequestError',
        }),
      }),
    ],
    // A failover's old primary, a killed or timed-out statement, a full server, a grant changed under the app:
    // not the work's fault, so never parked (test/transient-db-errors.e2e-spec.ts drives four through the stack).
    ...[1021, 1037, 1040, 1041, 1044, 1045, 1114, 1129, 1130, 1142, 1143, 1158, 1159, 1160, 1161, 1180]
      .concat([1203, 1205, 1226, 1227, 1290, 1317, 1637, 1836, 1927, 1969, 3024, 4031])
      .map((errno): [string, unknown] => [
        `MariaDB/MySQL errno ${errno} (as TypeORM wraps it)`,
        Object.assign(new Error('Query failed'), { driverError: Object.assign(new Error('x'), { errno }) }),
      ]),
    ['Redis at maxmemory (noeviction)', new Error("OOM command not allowed when used memory > 'maxmemory'.")],
    ['Redis after a failed snapshot', new Error('MISCONF Redis is configured to save RDB snapshots, but ...')],
    ['Redis running a long script', new Error('BUSY Redis is busy running a script. You can only call ...')],
    ['Redis short of replicas', new Error('NOREPLICAS Not enough good replicas to write.')],
  ])('%s is an outage', (_what, err) => expect(isOutage(err)).toBe(true));

  it.each([
    ['an internal error answered by a service', new BizException(BaseErrorCode.SYS_ERROR)],
    ['a parameter error', new BizException(BaseErrorCode.PARAM_ERROR, 'bad')],
    ['a bug', new TypeError("Cannot read properties of undefined (reading 'x')")],
    ['a constraint violation', Object.assign(new Error('CHECK constraint failed'), { errno: 4025 })],
    ['a duplicate key', Object.assign(new Error("Duplicate entry 'a' for key 'uk'"), { errno: 1062 })],
    ['a value out of range', Object.assign(new Error("Out of range value for column 'num'"), { errno: 1264 })],
    ['a message that merely mentions a busy room', new Error('the room is busy')],
    ['a Redis key that exists (RENAMENX, RESTORE)', new Error('BUSYKEY Target key name already exists.')],
    ['a consumer group that exists', new Error('BUSYGROUP Consumer Group name already exists')],
    // A wrapper's message may carry a client's request id, which may spell these words: its cause decides.
    ...['BUSY', 'x.MISCONF', 'a-NOREPLICAS', 'READONLY', 'LOADING'].map((requestId): [string, unknown] => [
      `a wrapper naming request id ${requestId}, over a bug`,
      new Error(`gift 7:${requestId}: outcome claim script failed: boom`, { cause: new TypeError('boom') }),
    ]),
    ['not an error', 'down'],
    ['nothing', undefined],
  ])('%s is not', (_what, err) => expect(isOutage(err)).toBe(false));
});

describe('isStatementLimit: an outage a smaller statement may clear', () => {
  const driver = (errno: number) =>
    Object.assign(new Error('Query failed'), { driverError: Object.assign(new Error('x'), { errno }) });

  it.each([1037, 1041, 1114, 1317, 1969, 3024])('errno %i is, and an outage too', (errno) =>
    expect([isStatementLimit(driver(errno)), isOutage(driver(errno))]).toEqual([true, true]),
  );

  it.each([1290, 2006, 1213, 1045, 1062])('errno %i is not', (errno) =>
    expect(isStatementLimit(driver(errno))).toBe(false),
  );

  it('nor any SERVICE_UNAVAILABLE but the one answered for it (rpc-exception.filter.spec)', () =>
    expect(isStatementLimit(new BizException(BaseErrorCode.SERVICE_UNAVAILABLE, 'bank: timed out'))).toBe(false));
});

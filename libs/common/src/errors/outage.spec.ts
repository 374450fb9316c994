import { BaseErrorCode } from './base-error-code';
import { BizException } from './biz.exception';
import { isOutage } from './outage';

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
  ])('%s is an outage', (_what, err) => expect(isOutage(err)).toBe(true));

  it.each([
    ['an internal error answered by a service', new BizException(BaseErrorCode.SYS_ERROR)],
    ['a parameter error', new BizException(BaseErrorCode.PARAM_ERROR, 'bad')],
    ['a bug', new TypeError("Cannot read properties of undefined (reading 'x')")],
    ['a constraint violation', Object.assign(new Error('CHECK constraint failed'), { errno: 4025 })],
    ['not an error', 'down'],
    ['nothing', undefined],
  ])('%s is not', (_what, err) => expect(isOutage(err)).toBe(false));
});

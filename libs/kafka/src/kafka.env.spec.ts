import { ConfigValidationError, validateEnv } from '@live/common';
import { KafkaEnv, parseBrokers } from './kafka.env';

describe('KafkaEnv', () => {
  it('defaults to the local broker and no client id override', () => {
    const env = validateEnv(KafkaEnv, {});
    expect(env.KAFKA_BROKERS).toBe('127.0.0.1:9092');
    expect(env.KAFKA_CLIENT_ID).toBeUndefined();
  });

  it('accepts a comma-separated list', () => {
    expect(parseBrokers(validateEnv(KafkaEnv, { KAFKA_BROKERS: 'k1:9092, k2:9093 ,k3:19092' }).KAFKA_BROKERS)).toEqual([
      'k1:9092',
      'k2:9093',
      'k3:19092',
    ]);
  });

  it.each(['k1', 'k1:', 'k1:9092,', 'http://k1:9092'])('refuses %p', (bad) => {
    expect(() => validateEnv(KafkaEnv, { KAFKA_BROKERS: bad })).toThrow(ConfigValidationError);
  });

  it('creates topics replicated 3 times, 2 in sync, unless told otherwise (production runs a replicated cluster)', () => {
    const env = validateEnv(KafkaEnv, {});
    expect([env.KAFKA_REPLICATION_FACTOR, env.KAFKA_MIN_INSYNC_REPLICAS]).toEqual([3, 2]);
    const single = validateEnv(KafkaEnv, { KAFKA_REPLICATION_FACTOR: '1', KAFKA_MIN_INSYNC_REPLICAS: '1' });
    expect([single.KAFKA_REPLICATION_FACTOR, single.KAFKA_MIN_INSYNC_REPLICAS]).toEqual([1, 1]);
  });

  it.each([
    [{ KAFKA_REPLICATION_FACTOR: '1' }, 'KAFKA_MIN_INSYNC_REPLICAS must be at most KAFKA_REPLICATION_FACTOR'],
    [{ KAFKA_REPLICATION_FACTOR: '3', KAFKA_MIN_INSYNC_REPLICAS: '4' }, 'at most KAFKA_REPLICATION_FACTOR'],
    [{ KAFKA_REPLICATION_FACTOR: '0' }, 'KAFKA_REPLICATION_FACTOR'],
    [{ KAFKA_MIN_INSYNC_REPLICAS: 'two' }, 'KAFKA_MIN_INSYNC_REPLICAS'],
  ])('refuses %p', (bad, problem) => {
    expect(() => validateEnv(KafkaEnv, bad)).toThrow(problem);
  });
});

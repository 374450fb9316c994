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
});

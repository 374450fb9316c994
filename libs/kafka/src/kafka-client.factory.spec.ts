import { Logger } from '@nestjs/common';
import { logLevel } from 'kafkajs';
import { nestLogCreator } from './kafka-client.factory';

describe('nestLogCreator (kafkajs lines in the apps log)', () => {
  it('keeps errors errors, makes retried error responses warnings, and drops to debug what BatchConsumer already says', () => {
    const seen: string[] = [];
    const logger = {
      error: (m: string) => seen.push(`error ${m}`),
      warn: (m: string) => seen.push(`warn ${m}`),
      log: (m: string) => seen.push(`log ${m}`),
      debug: (m: string) => seen.push(`debug ${m}`),
    } as unknown as Logger;
    const write = nestLogCreator(logger)(logLevel.WARN);
    const entry = (level: logLevel, namespace: string, message: string) =>
      write({ namespace, level, label: '', log: { timestamp: '', logger: 'kafkajs', message } });
    entry(logLevel.ERROR, 'Consumer', 'Restarting the consumer in 200ms');
    entry(
      logLevel.ERROR,
      'Consumer',
      "Crash: KafkaJSProtocolError: The coordinator is loading and hence can't process requests for this group",
    );
    entry(logLevel.ERROR, 'Connection', 'Response JoinGroup(key: 11, version: 5)');
    entry(logLevel.ERROR, 'Consumer', 'Crash: KafkaJSNonRetriableError: boom');
    entry(logLevel.WARN, 'Producer', 'Limiting retries for the idempotent producer may invalidate EoS guarantees');
    expect(seen).toEqual([
      'debug Consumer: Restarting the consumer in 200ms',
      "debug Consumer: Crash: KafkaJSProtocolError: The coordinator is loading and hence can't process requests for this group",
      'warn Connection: Response JoinGroup(key: 11, version: 5)',
      'error Consumer: Crash: KafkaJSNonRetriableError: boom',
      'debug Producer: Limiting retries for the idempotent producer may invalidate EoS guarantees',
    ]);
  });
});

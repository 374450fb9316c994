import { BizException } from '@live/common';
import type { Kafka, Producer, ProducerBatch } from 'kafkajs';
import { KafkaProducerService } from './kafka-producer.service';

/** Any topic, any object: this spec tests the transport (the apps use KafkaTopicMessages). */
type AnyTopics = Record<string, object>;

/** A fake kafkajs client whose producers record each sendBatch and answer when the test says so. */
function fakeKafka() {
  const requests: ProducerBatch[] = [];
  const gates: { resolve: () => void; reject: (e: Error) => void }[] = [];
  const producers: { connect: jest.Mock; disconnect: jest.Mock; sendBatch: jest.Mock }[] = [];
  const kafka = {
    producer: jest.fn(() => {
      const p = {
        connect: jest.fn(async () => undefined),
        disconnect: jest.fn(async () => undefined),
        sendBatch: jest.fn(
          (batch: ProducerBatch) =>
            new Promise<void>((resolve, reject) => {
              requests.push(batch);
              gates.push({ resolve, reject });
            }),
        ),
      };
      producers.push(p);
      return p as unknown as Producer;
    }),
  } as unknown as Kafka;
  const flush = () => new Promise((r) => setImmediate(r));
  return { kafka, requests, gates, producers, flush };
}

describe('KafkaProducerService', () => {
  it('creates a producer without kafkajs retries (one request in flight per broker) with acks=-1 and no topic auto-creation', async () => {
    const f = fakeKafka();
    const service = new KafkaProducerService<AnyTopics>(f.kafka);
    expect(f.kafka.producer).toHaveBeenCalledWith(
      expect.objectContaining({
        idempotent: false,
        maxInFlightRequests: 1,
        allowAutoTopicCreation: false,
        retry: { retries: 0 },
      }),
    );
    const sent = service.send('t', [{ key: '1', value: { a: 1 } }]);
    await f.flush();
    expect(f.requests[0]).toMatchObject({
      acks: -1,
      topicMessages: [{ topic: 't', messages: [{ key: '1', value: '{"a":1}' }] }],
    });
    f.gates[0].resolve();
    await expect(sent).resolves.toBeUndefined();
  });

  it('coalesces calls made while a request is in flight into the next request, in call order', async () => {
    const f = fakeKafka();
    const service = new KafkaProducerService<AnyTopics>(f.kafka);
    const first = service.send('t', [{ key: 'a', value: { n: 0 } }]);
    await f.flush();
    const later = [1, 2, 3].map((n) => service.send('t', [{ key: 'a', value: { n } }]));
    const other = service.send('u', [{ key: 'b', value: { n: 9 } }]);
    await f.flush();
    expect(f.requests).toHaveLength(1);

    f.gates[0].resolve();
    await first;
    await f.flush();
    expect(f.requests).toHaveLength(2);
    expect(f.requests[1].topicMessages).toEqual([
      {
        topic: 't',
        messages: [1, 2, 3].map((n) => expect.objectContaining({ key: 'a', value: JSON.stringify({ n }) })),
      },
      { topic: 'u', messages: [expect.objectContaining({ key: 'b' })] },
    ]);
    f.gates[1].resolve();
    await Promise.all([...later, other]);
    expect(f.requests).toHaveLength(2);
  });

  it('adaptive linger: under load a request starts lingerMs after the previous one started, carrying what came meanwhile; when idle, at once', async () => {
    jest.useFakeTimers({ doNotFake: ['setImmediate', 'nextTick', 'queueMicrotask'] });
    try {
      const f = fakeKafka();
      const service = new KafkaProducerService<AnyTopics>(f.kafka, { lingerMs: 10 });
      const first = service.send('t', [{ key: 'a', value: { n: 0 } }]);
      await f.flush();
      expect(f.requests).toHaveLength(1); // idle: no wait

      const later = [1, 2].map((n) => service.send('t', [{ key: 'a', value: { n } }]));
      jest.advanceTimersByTime(2);
      f.gates[0].resolve();
      await first;
      await f.flush();
      expect(f.requests).toHaveLength(1); // busy: waits for the rest of the 10 ms
      const third = service.send('t', [{ key: 'a', value: { n: 3 } }]);
      jest.advanceTimersByTime(7);
      await f.flush();
      expect(f.requests).toHaveLength(1);
      jest.advanceTimersByTime(1);
      await f.flush();
      expect(f.requests).toHaveLength(2);
      expect(f.requests[1].topicMessages?.[0].messages.map((m) => m.value)).toEqual(
        [1, 2, 3].map((n) => JSON.stringify({ n })),
      );
      f.gates[1].resolve();
      await Promise.all([...later, third]);

      jest.advanceTimersByTime(50);
      const idle = service.send('t', [{ key: 'a', value: { n: 4 } }]);
      await f.flush();
      expect(f.requests).toHaveLength(3); // idle again: at once
      f.gates[2].resolve();
      await idle;
    } finally {
      jest.useRealTimers();
    }
  });

  it('on shutdown a request waiting for the linger goes at once', async () => {
    const f = fakeKafka();
    const service = new KafkaProducerService<AnyTopics>(f.kafka, { lingerMs: 60_000 });
    const first = service.send('t', [{ key: 'a', value: { n: 0 } }]);
    await f.flush();
    const second = service.send('t', [{ key: 'a', value: { n: 1 } }]);
    f.gates[0].resolve();
    await first;
    await f.flush();
    expect(f.requests).toHaveLength(1); // lingering (a minute)
    const closing = service.onApplicationShutdown();
    await f.flush();
    expect(f.requests).toHaveLength(2);
    f.gates[1].resolve();
    await Promise.all([second, closing]);
    expect(f.producers[0].disconnect).toHaveBeenCalled();
  });

  it('a full request does not wait for the linger', async () => {
    const f = fakeKafka();
    const service = new KafkaProducerService<AnyTopics>(f.kafka, { lingerMs: 60_000, maxBatchMessages: 2 });
    const first = service.send('t', [{ key: 'a', value: {} }]);
    await f.flush();
    const full = service.send(
      't',
      [1, 2].map(() => ({ key: 'a', value: {} })),
    );
    f.gates[0].resolve();
    await first;
    await f.flush();
    expect(f.requests).toHaveLength(2);
    f.gates[1].resolve();
    await full;
  });

  it('caps a request at maxBatchMessages whole calls', async () => {
    const f = fakeKafka();
    const service = new KafkaProducerService<AnyTopics>(f.kafka, { maxBatchMessages: 3 });
    const calls = [2, 2, 1].map((size, i) =>
      service.send(
        't',
        Array.from({ length: size }, () => ({ key: `${i}`, value: {} })),
      ),
    );
    await f.flush();
    expect(f.requests[0].topicMessages?.[0].messages).toHaveLength(2);
    f.gates[0].resolve();
    await f.flush();
    expect(f.requests[1].topicMessages?.[0].messages).toHaveLength(3);
    f.gates[1].resolve();
    await Promise.all(calls);
  });

  it('sends a failed request again whole: every message of it, not only those of the brokers that failed', async () => {
    // kafkajs' own retry resent only to brokers without an answer, and lost the partitions that had moved
    // to a broker that had answered (cluster chaos, broker kill): the service retries the request whole.
    jest.useFakeTimers({ doNotFake: ['setImmediate', 'nextTick', 'queueMicrotask'] });
    try {
      const f = fakeKafka();
      const service = new KafkaProducerService<AnyTopics>(f.kafka, { retryBackoffMs: 100 });
      const sent = service.send('t', [
        { key: 'a', value: { n: 1 } },
        { key: 'b', value: { n: 2 } },
      ]);
      await f.flush();
      f.gates[0].reject(new Error('Connection error: read ECONNRESET'));
      await f.flush();
      expect(f.requests).toHaveLength(1); // waits out the backoff first
      jest.advanceTimersByTime(100);
      await f.flush();
      expect(f.requests).toHaveLength(2);
      expect(f.requests[1].topicMessages).toEqual(f.requests[0].topicMessages);
      expect(f.producers).toHaveLength(1);
      f.gates[1].resolve();
      await expect(sent).resolves.toBeUndefined();
    } finally {
      jest.useRealTimers();
    }
  });

  it('a request failing every try rejects every call it carried with SERVICE_UNAVAILABLE and replaces the producer', async () => {
    const f = fakeKafka();
    const service = new KafkaProducerService<AnyTopics>(f.kafka, { sendAttempts: 1 });
    const failing = service.send('t', [
      { key: 'a', value: {} },
      { key: 'b', value: {} },
    ]);
    await f.flush();
    f.gates[0].reject(new Error('broker gone'));
    const error = await failing.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BizException);
    expect((error as BizException).code).toBe(100503);
    expect((error as BizException).message).toContain('broker gone');
    expect(f.requests[0].topicMessages?.[0].messages).toHaveLength(2);
    await f.flush();
    expect(f.producers).toHaveLength(2);
    expect(f.producers[0].disconnect).toHaveBeenCalled();

    const next = service.send('t', [{ key: 'a', value: {} }]);
    await f.flush();
    expect(f.producers[1].sendBatch).toHaveBeenCalledTimes(1);
    f.gates[1].resolve();
    await expect(next).resolves.toBeUndefined();
  });

  it('on shutdown sends what it accepted, then disconnects and refuses new sends', async () => {
    const f = fakeKafka();
    const service = new KafkaProducerService<AnyTopics>(f.kafka);
    const accepted = service.send('t', [{ key: 'a', value: {} }]);
    await f.flush();
    const closing = service.onApplicationShutdown();
    await expect(service.send('t', [{ key: 'a', value: {} }])).rejects.toBeInstanceOf(BizException);
    expect(f.producers[0].disconnect).not.toHaveBeenCalled();
    f.gates[0].resolve();
    await accepted;
    await closing;
    expect(f.producers[0].disconnect).toHaveBeenCalled();
  });

  it('sends nothing for an empty list', async () => {
    const f = fakeKafka();
    await new KafkaProducerService<AnyTopics>(f.kafka).send('t', []);
    expect(f.requests).toHaveLength(0);
  });
});

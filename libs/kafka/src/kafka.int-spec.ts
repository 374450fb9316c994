import { BizException } from '@live/common';
import { KAFKA_TOPIC_SPECS, KafkaTopic, PARKED_RETENTION_BYTES } from '@live/contracts';
import { createTestKafka, SeqEvent, SeqTopics, TestKafka, waitUntil } from '@live/testing';
import { Test, TestingModule } from '@nestjs/testing';
import { Logger } from '@nestjs/common';
import { Admin, ConfigResourceTypes } from 'kafkajs';
import { BatchConsumer } from './kafka-batch.consumer';
import { ConsumedBatch, ConsumedMessage } from './kafka-batch.options';
import { KafkaHealthIndicator } from './kafka-health.indicator';
import { KafkaProducerService } from './kafka-producer.service';
import { ensureTopics, withReplication } from './kafka-topics.util';
import { KafkaModule } from './kafka.module';
import { KafkaNames } from './kafka-names';

type AnyTopics = Record<string, object>;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('@live/kafka on a real broker', () => {
  let tk: TestKafka;
  let moduleRef: TestingModule;
  let producer: KafkaProducerService<AnyTopics>;
  let admin: Admin;
  const consumers: BatchConsumer<string, SeqTopics>[] = [];

  function consumer(
    options: Omit<ConstructorParameters<typeof BatchConsumer<string, SeqTopics>>[1], 'valueClass'>,
  ): BatchConsumer<string, SeqTopics> {
    const c = new BatchConsumer<string, SeqTopics>(tk.kafka, {
      valueClass: SeqEvent,
      sessionTimeoutMs: 10_000,
      heartbeatIntervalMs: 1_000,
      ...options,
    });
    consumers.push(c);
    return c;
  }

  async function committed(groupId: string, topic: string): Promise<Map<number, string>> {
    const [entry] = await admin.fetchOffsets({ groupId, topics: [topic] });
    return new Map(entry.partitions.map((p) => [p.partition, p.offset]));
  }

  beforeAll(async () => {
    tk = createTestKafka({ clientId: 'kafka-int-spec' });
    process.env.KAFKA_BROKERS = tk.brokers.join(',');
    moduleRef = await Test.createTestingModule({
      imports: [KafkaModule.forRoot({ clientId: 'kafka-int-spec' })],
    }).compile();
    await moduleRef.init();
    producer = moduleRef.get<KafkaProducerService<AnyTopics>>(KafkaProducerService);
    admin = tk.kafka.admin();
    await admin.connect();
  });

  afterAll(async () => {
    await Promise.all(consumers.map((c) => c.stop().catch(() => undefined)));
    await admin?.disconnect();
    await moduleRef?.close();
    await tk?.cleanup();
  });

  it('ensureTopics creates a topic with 3 partitions, and leaves it alone the second time', async () => {
    const topic = tk.uniqueTopic('kafka_it_ensure');
    expect(await ensureTopics(tk.kafka, [{ topic, numPartitions: 3 }])).toEqual({ created: [topic], existing: [] });
    const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
    expect(metadata.topics[0].partitions).toHaveLength(3);
    expect(await ensureTopics(tk.kafka, [{ topic, numPartitions: 3 }])).toEqual({
      created: [],
      existing: [{ topic, numPartitions: 3, replicationFactor: 1 }],
    });
  });

  it('ensureTopics names an existing topic with fewer replicas or a lower min.insync.replicas than asked (warnings; the topic is left alone)', async () => {
    const topic = tk.uniqueTopic('kafka_it_rf');
    const replication = { replicationFactor: 1, minInsyncReplicas: 1 };
    await ensureTopics(tk.kafka, withReplication([{ topic, numPartitions: 1 }], replication));
    const [config] = (
      await admin.describeConfigs({
        includeSynonyms: false,
        resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configNames: ['min.insync.replicas'] }],
      })
    ).resources;
    expect(config.configEntries[0].configValue).toBe('1');

    const warn = jest.spyOn(Logger.prototype, 'warn');
    try {
      const wanted = withReplication([{ topic, numPartitions: 1 }], { replicationFactor: 3, minInsyncReplicas: 2 });
      expect(await ensureTopics(tk.kafka, wanted)).toEqual({
        created: [],
        existing: [{ topic, numPartitions: 1, replicationFactor: 1 }],
      });
      expect(warn).toHaveBeenCalledWith(expect.stringContaining(`topic ${topic} has replication factor 1, 3 wanted`));
      expect(warn).toHaveBeenCalledWith(expect.stringContaining(`topic ${topic} has min.insync.replicas 1, 2 wanted`));
    } finally {
      warn.mockRestore();
    }
  });

  /** The topic's values of the given configs, by name. */
  async function topicConfigs(topic: string, names: string[]): Promise<Record<string, string>> {
    const [config] = (
      await admin.describeConfigs({
        includeSynonyms: false,
        resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configNames: names }],
      })
    ).resources;
    return Object.fromEntries(config.configEntries.map((e) => [e.configName, e.configValue]));
  }

  it("the system's topics are created with their own retention (time for send_gift, time and size for the parked topic), not the broker's defaults", async () => {
    const names = new KafkaNames(`${tk.uniqueTopic('kafka_it_specs')}.`);
    const specs = names.topicSpecs(KAFKA_TOPIC_SPECS);
    tk.track({ topics: specs.map((s) => s.topic) });
    await ensureTopics(tk.kafka, specs);
    for (const spec of specs) {
      const wanted = spec.configEntries ?? {};
      expect(Object.keys(wanted).length).toBeGreaterThan(0);
      expect(await topicConfigs(spec.topic, Object.keys(wanted))).toEqual(wanted);
    }
    const gifts = await topicConfigs(names.topic(KafkaTopic.SEND_GIFT), [
      'retention.ms',
      'retention.bytes',
      'segment.ms',
    ]);
    expect(gifts).toEqual({
      'retention.ms': String(7 * 24 * 3_600_000),
      'retention.bytes': '-1',
      'segment.ms': String(24 * 3_600_000),
    });
    const parked = await topicConfigs(names.topic(KafkaTopic.SEND_GIFT_PARKED), ['retention.bytes', 'segment.bytes']);
    expect(Number(parked['retention.bytes'])).toBe(PARKED_RETENTION_BYTES);
    expect(Number(parked['segment.bytes'])).toBeLessThan(PARKED_RETENTION_BYTES);
  });

  it("ensureTopics names an existing topic whose retention is less safe than the spec's (a warning with the command; the topic is left alone), not one made safer", async () => {
    const topic = tk.uniqueTopic('kafka_it_retention');
    await ensureTopics(tk.kafka, [{ topic, numPartitions: 1, configEntries: { 'retention.ms': '3600000' } }]);
    const warn = jest.spyOn(Logger.prototype, 'warn');
    try {
      const wanted = { 'retention.ms': '86400000', 'retention.bytes': '1048576' };
      await ensureTopics(tk.kafka, [{ topic, numPartitions: 1, configEntries: wanted }]);
      expect(warn).toHaveBeenCalledWith(
        expect.stringContaining(`topic ${topic} has retention.bytes -1, 1048576 wanted`),
      );
      expect(warn).toHaveBeenCalledWith(
        expect.stringContaining(
          `topic ${topic} has retention.ms 3600000, 86400000 wanted: left as is (messages may go`,
        ),
      );
      expect(warn).toHaveBeenCalledWith(
        expect.stringContaining(`--entity-name ${topic} --add-config retention.ms=86400000`),
      );
      expect(await topicConfigs(topic, ['retention.ms', 'retention.bytes'])).toEqual({
        'retention.ms': '3600000',
        'retention.bytes': '-1',
      });
      warn.mockClear();
      // Longer than wanted and no size bound where none is wanted: safer, not warned about.
      await ensureTopics(tk.kafka, [
        { topic, numPartitions: 1, configEntries: { 'retention.ms': '60000', 'retention.bytes': '-1' } },
      ]);
      expect(warn).not.toHaveBeenCalledWith(expect.stringContaining(`topic ${topic} has`));
    } finally {
      warn.mockRestore();
    }
  });

  it('200 messages on 10 keys reach the batch consumer exactly once, in order per key, offsets committed', async () => {
    const topic = tk.uniqueTopic('kafka_it_order');
    const groupId = tk.uniqueGroup('kafka_it_order');
    await ensureTopics(tk.kafka, [{ topic, numPartitions: 3 }]);

    // 200 concurrent send() calls: the service coalesces them and must keep call order per key.
    const seqByKey = new Map<string, number>();
    await Promise.all(
      Array.from({ length: 200 }, (_, i) => {
        const key = `user-${i % 10}`;
        const seq = seqByKey.get(key) ?? 0;
        seqByKey.set(key, seq + 1);
        return producer.send(topic, [{ key, value: { key, seq } }]);
      }),
    );
    const held = await admin.fetchTopicOffsets(topic);
    expect(held.reduce((sum, p) => sum + Number(p.high), 0)).toBe(200);

    const received: ConsumedMessage<SeqEvent>[] = [];
    const batchSizes: number[] = [];
    const c = consumer({
      groupId,
      topic,
      maxBatchSize: 25,
      handler: async (batch: ConsumedBatch<SeqEvent>) => {
        batchSizes.push(batch.messages.length);
        received.push(...batch.messages);
      },
    });
    await c.start();
    await waitUntil('200 messages', () => received.length >= 200);
    await sleep(1_500); // anything delivered twice would show up now

    expect(received).toHaveLength(200);
    expect(received.every((m) => m.decodeError === undefined)).toBe(true);
    expect(new Set(received.map((m) => `${m.partition}:${m.offset}`)).size).toBe(200);
    expect(Math.max(...batchSizes)).toBeLessThanOrEqual(25);
    for (let k = 0; k < 10; k++) {
      const key = `user-${k}`;
      const ofKey = received.filter((m) => m.key === key);
      expect(ofKey.map((m) => m.value?.seq)).toEqual(Array.from({ length: 20 }, (_, i) => i));
      expect(ofKey.every((m) => m.value?.key === key)).toBe(true);
      expect(new Set(ofKey.map((m) => m.partition)).size).toBe(1);
    }
    await waitUntil('offsets committed', async () => {
      const offsets = await committed(groupId, topic);
      return [...offsets.values()].reduce((sum, o) => sum + Math.max(0, Number(o)), 0) === 200;
    });
  });

  it('a handler that throws gets the same batch again (nothing committed meanwhile); a restarted member resumes after it', async () => {
    const topic = tk.uniqueTopic('kafka_it_retry');
    const groupId = tk.uniqueGroup('kafka_it_retry');
    await ensureTopics(tk.kafka, [{ topic, numPartitions: 1 }]);
    await producer.send(
      topic,
      Array.from({ length: 20 }, (_, seq) => ({ key: 'k', value: { key: 'k', seq } })),
    );

    const attempts: { attempt: number; offsets: string[]; committedAtStart: string | undefined }[] = [];
    const first = consumer({
      groupId,
      topic,
      retryBackoff: { initialMs: 300, maxMs: 300 },
      handler: async (batch) => {
        attempts.push({
          attempt: batch.attempt,
          offsets: batch.messages.map((m) => m.offset),
          committedAtStart: (await committed(groupId, topic)).get(0),
        });
        if (attempts.length === 1) throw new Error('bank unavailable (simulated)');
      },
    });
    await first.start();
    await waitUntil('a successful second attempt', () => attempts.length >= 2);
    await waitUntil('offset 20 committed', async () => (await committed(groupId, topic)).get(0) === '20');

    expect(attempts[0]).toMatchObject({ attempt: 1, committedAtStart: '-1' });
    expect(attempts[1]).toMatchObject({ attempt: 2, committedAtStart: '-1', offsets: attempts[0].offsets });
    expect(attempts[0].offsets[0]).toBe('0');
    await first.stop();

    // One malformed and one good message after the committed ones: a new member sees only those two.
    const raw = tk.kafka.producer();
    await raw.connect();
    await raw.send({ topic, messages: [{ key: 'k', value: 'not json' }] });
    await raw.disconnect();
    await producer.send(topic, [{ key: 'k', value: { key: 'k', seq: 20 } }]);

    const seen: ConsumedMessage<SeqEvent>[] = [];
    const second = consumer({ groupId, topic, handler: async (batch) => void seen.push(...batch.messages) });
    await second.start();
    await waitUntil('the two new messages', () => seen.length >= 2);
    await sleep(1_000);
    expect(seen.map((m) => m.offset)).toEqual(['20', '21']);
    expect(seen[0]).toMatchObject({ rawValue: 'not json', decodeError: expect.stringMatching(/not JSON/) });
    expect(seen[0].value).toBeUndefined();
    expect(seen[1].value).toEqual({ key: 'k', seq: 20 });
    expect(seen[1].decodeError).toBeUndefined();
  });

  it('timed commits: nothing committed per batch; the queue is committed at stop (the next member starts after it) and by the timer', async () => {
    const topic = tk.uniqueTopic('kafka_it_timed');
    const groupId = tk.uniqueGroup('kafka_it_timed');
    await ensureTopics(tk.kafka, [{ topic, numPartitions: 2 }]);
    const total = (offsets: Map<number, string>) =>
      [...offsets.values()].reduce((sum, o) => sum + Math.max(0, Number(o)), 0);
    const send = (from: number, n: number) =>
      producer.send(
        topic,
        Array.from({ length: n }, (_, i) => ({
          key: `k${(from + i) % 4}`,
          value: { key: `k${(from + i) % 4}`, seq: from + i },
        })),
      );
    await send(0, 40);

    const member = (commitIntervalMs: number, into: ConsumedMessage<SeqEvent>[]) =>
      consumer({ groupId, topic, commitIntervalMs, handler: async (batch) => void into.push(...batch.messages) });
    const first: ConsumedMessage<SeqEvent>[] = [];
    const a = member(600_000, first);
    await a.start();
    await waitUntil('40 messages', () => first.length >= 40);
    expect(total(await committed(groupId, topic))).toBe(0); // handled, queued: the next commit is 10 minutes away
    await a.stop();
    expect(total(await committed(groupId, topic))).toBe(40);

    const second: ConsumedMessage<SeqEvent>[] = [];
    const b = member(200, second);
    await b.start();
    await send(40, 10);
    await waitUntil('10 new messages', () => second.length >= 10);
    await waitUntil('50 offsets committed by the timer', async () => total(await committed(groupId, topic)) === 50);
    expect(second.map((m) => m.value?.seq).sort((x, y) => x! - y!)).toEqual(
      Array.from({ length: 10 }, (_, i) => 40 + i),
    );
    await b.stop();
  });

  it('a send the brokers refuse fails with SERVICE_UNAVAILABLE, writes nothing, and the producer keeps working', async () => {
    const missing = tk.uniqueTopic('kafka_it_missing'); // never created; auto-creation is off
    // The refusal is what is tested; that it comes rather than hangs is guarded by the test's timeout.
    const failure = await producer.send(missing, [{ key: 'a', value: { a: 1 } }]).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(BizException);
    expect((failure as BizException).code).toBe(100503);
    expect((await admin.listTopics()).includes(missing)).toBe(false);

    const topic = tk.uniqueTopic('kafka_it_after_failure');
    await ensureTopics(tk.kafka, [{ topic, numPartitions: 1 }]);
    await expect(producer.send(topic, [{ key: 'a', value: { a: 1 } }])).resolves.toBeUndefined();
  });

  // "Down, not hanging" is the behaviour: the check rejects (the indicator bounds itself by
  // KAFKA_HEALTH_TIMEOUT_MS); this test's own timeout is the guard against a check that never settles.
  it('health: up on the real broker, down (a rejection, not a hang) for a bogus address', async () => {
    await expect(moduleRef.get(KafkaHealthIndicator).check()).resolves.toBeUndefined();

    const bogus = new KafkaHealthIndicator({ brokers: ['127.0.0.1:1'], clientId: 'kafka-int-spec' });
    await expect(bogus.check()).rejects.toThrow();
    await bogus.onApplicationShutdown();
  }, 30_000);
});

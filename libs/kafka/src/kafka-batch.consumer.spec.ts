import { IsInt } from 'class-validator';
import type { EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import { BatchConsumer, CONSUMER_RETRY } from './kafka-batch.consumer';
import { ConsumedBatch } from './kafka-batch.options';

class Num {
  @IsInt()
  n!: number;
}

/** This spec's topic -> message map (the apps use KafkaTopicMessages). */
interface Topics {
  t: Num;
}

function message(offset: number, value: string | null = JSON.stringify({ n: offset })): KafkaMessage {
  return {
    offset: String(offset),
    key: Buffer.from(`k${offset % 2}`),
    value: value === null ? null : Buffer.from(value),
    timestamp: '0',
    attributes: 0,
    headers: {},
  } as KafkaMessage;
}

/** A fake client: captures the eachBatch callback so the test can feed it batches. */
function fakeKafka() {
  let eachBatch: ((p: EachBatchPayload) => Promise<void>) | undefined;
  const consumer = {
    events: { GROUP_JOIN: 'join', REBALANCING: 'rebalancing', CRASH: 'crash', STOP: 'stop' },
    on: jest.fn(),
    connect: jest.fn(async () => undefined),
    subscribe: jest.fn(async () => undefined),
    run: jest.fn(async (config: { eachBatch: (p: EachBatchPayload) => Promise<void> }) => {
      eachBatch = config.eachBatch;
    }),
    disconnect: jest.fn(async () => undefined),
  };
  const kafka = { consumer: jest.fn(() => consumer) } as unknown as Kafka;
  return { kafka, consumer, feed: (p: EachBatchPayload) => eachBatch!(p) };
}

function payload(messages: KafkaMessage[], running = () => true) {
  const log: string[] = [];
  const p = {
    batch: { topic: 't', partition: 2, messages },
    resolveOffset: jest.fn((o: string) => log.push(`resolve ${o}`)),
    commitOffsetsIfNecessary: jest.fn(async (offsets: { topics: { partitions: { offset: string }[] }[] }) => {
      log.push(`commit ${offsets.topics[0].partitions[0].offset}`);
    }),
    heartbeat: jest.fn(async () => undefined),
    isRunning: jest.fn(running),
    isStale: jest.fn(() => false),
  };
  return { p: p as unknown as EachBatchPayload, mock: p, log };
}

/** A consumer whose handler always fails; it retries after `backoffMs`. */
function alwaysFailing(f: ReturnType<typeof fakeKafka>, backoffMs: number): BatchConsumer<'t', Topics> {
  return new BatchConsumer<'t', Topics>(f.kafka, {
    groupId: 'g',
    topic: 't',
    valueClass: Num,
    retryBackoff: { initialMs: backoffMs, maxMs: backoffMs },
    handler: async () => {
      throw new Error('down');
    },
  });
}

describe('BatchConsumer', () => {
  it('hands over chunks of maxBatchSize, decoded, and commits each only after its handler resolved', async () => {
    const f = fakeKafka();
    const { p, log } = payload([message(10), message(11), message(12, 'nope')]);
    const seen: ConsumedBatch<Num>[] = [];
    const c = new BatchConsumer<'t', Topics>(f.kafka, {
      groupId: 'g',
      topic: 't',
      valueClass: Num,
      maxBatchSize: 2,
      handler: async (b) => {
        seen.push(b);
        log.push(`handle ${b.messages.map((m) => m.offset).join(',')}`);
      },
    });
    await c.start();
    expect(f.consumer.run).toHaveBeenCalledWith(expect.objectContaining({ eachBatchAutoResolve: false }));
    expect(f.consumer.subscribe).toHaveBeenCalledWith({ topics: ['t'], fromBeginning: true });

    await f.feed(p);

    expect(log).toEqual(['handle 10,11', 'resolve 11', 'commit 12', 'handle 12', 'resolve 12', 'commit 13']);
    expect(seen[0].messages[0]).toMatchObject({ topic: 't', partition: 2, offset: '10', key: 'k0', value: { n: 10 } });
    expect(seen[1].messages[0]).toMatchObject({
      offset: '12',
      rawValue: 'nope',
      decodeError: expect.stringContaining('not JSON'),
    });
  });

  it('partitions whose batches finish together are committed in one request, each at its own next offset', async () => {
    const f = fakeKafka();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const c = new BatchConsumer<'t', Topics>(f.kafka, {
      groupId: 'g',
      topic: 't',
      valueClass: Num,
      handler: () => gate,
    });
    await c.start();
    const a = payload([message(4), message(5)]);
    const b = payload([message(7)]);
    (b.mock.batch as { partition: number }).partition = 3;
    const fed = Promise.all([f.feed(a.p), f.feed(b.p)]);
    release();
    await fed;

    const commits = [...a.mock.commitOffsetsIfNecessary.mock.calls, ...b.mock.commitOffsetsIfNecessary.mock.calls];
    expect(commits).toHaveLength(1);
    expect(commits[0][0]).toEqual({
      topics: [
        {
          topic: 't',
          partitions: [
            { partition: 2, offset: '6' },
            { partition: 3, offset: '8' },
          ],
        },
      ],
    });
  });

  it('a failing handler gets the same messages again, attempt counted, and nothing is resolved before success', async () => {
    const f = fakeKafka();
    const attempts: { attempt: number; offsets: string[] }[] = [];
    const c = new BatchConsumer<'t', Topics>(f.kafka, {
      groupId: 'g',
      topic: 't',
      valueClass: Num,
      retryBackoff: { initialMs: 1, maxMs: 1 },
      handler: async (b) => {
        attempts.push({ attempt: b.attempt, offsets: b.messages.map((m) => m.offset) });
        if (b.attempt < 3) throw new Error('down');
      },
    });
    await c.start();
    const { p, mock, log } = payload([message(5), message(6)]);
    mock.resolveOffset.mockImplementation((o: string) => {
      expect(attempts).toHaveLength(3);
      return log.push(`resolve ${o}`);
    });
    await f.feed(p);
    expect(attempts).toEqual([1, 2, 3].map((attempt) => ({ attempt, offsets: ['5', '6'] })));
    expect(log).toEqual(['resolve 6', 'commit 7']);
  });

  it('stops retrying when the consumer stops, without resolving anything', async () => {
    const f = fakeKafka();
    let running = true;
    const c = alwaysFailing(f, 60_000);
    await c.start();
    const { p, mock } = payload([message(1)], () => running);
    const fed = f.feed(p);
    await new Promise((r) => setImmediate(r));
    running = false;
    const started = Date.now();
    await c.stop(); // wakes the 60 s backoff
    await fed;
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(mock.resolveOffset).not.toHaveBeenCalled();
    expect(mock.commitOffsetsIfNecessary).not.toHaveBeenCalled();
    expect(f.consumer.disconnect).toHaveBeenCalled();
  });

  it('a rebalance seen by the heartbeat after a failure goes to kafkajs (which rejoins), offsets untouched', async () => {
    const f = fakeKafka();
    const c = alwaysFailing(f, 1);
    await c.start();
    const { p, mock } = payload([message(1)]);
    mock.heartbeat.mockRejectedValue(
      Object.assign(new Error('The group is rebalancing'), { type: 'REBALANCE_IN_PROGRESS' }),
    );
    await expect(f.feed(p)).rejects.toThrow('rebalancing');
    expect(mock.resolveOffset).not.toHaveBeenCalled();
  });

  it("rides out a broker's failover on retries (at most 2 s apart, about 20 s in all) instead of crashing and rejoining", () => {
    const f = fakeKafka();
    new BatchConsumer<'t', Topics>(f.kafka, {
      groupId: 'g',
      topic: 't',
      valueClass: Num,
      handler: async () => undefined,
    });
    expect(f.kafka.consumer).toHaveBeenCalledWith(expect.objectContaining({ retry: CONSUMER_RETRY }));
    const { retries = 0, initialRetryTime = 0, maxRetryTime = 0 } = CONSUMER_RETRY;
    const delays = Array.from({ length: retries }, (_, i) => Math.min(maxRetryTime, initialRetryTime * 2 ** i));
    expect(maxRetryTime).toBeLessThanOrEqual(2_000);
    // kafkajs' default (5 retries from 200 ms, doubling) gives up after about 6 s: a failover under load takes 4-8 s.
    expect(delays.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(15_000);
  });
});

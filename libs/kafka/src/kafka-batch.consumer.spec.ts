import { IsInt } from 'class-validator';
import { Logger } from '@nestjs/common';
import { BizException, BaseErrorCode } from '@live/common';
import { fakeBatchPayload, fakeKafka, fakeKafkaMessage } from '@live/testing';
import { BatchConsumer } from './kafka-batch.consumer';
import { textPrefixOf } from './kafka-decode';
import { CONSUMER_RETRY } from './kafka-batch.options';
import { ConsumedBatch } from './kafka-batch.options';

class Num {
  @IsInt()
  n!: number;
}

/** This spec's topic -> message map (the apps use KafkaTopicMessages). */
interface Topics {
  t: Num;
}

const message = (offset: number, value?: string | null) => fakeKafkaMessage(offset, value);
const payload = fakeBatchPayload;

/** A consumer whose handler keeps every batch it is handed. */
function recording(f: ReturnType<typeof fakeKafka>): { c: BatchConsumer<'t', Topics>; seen: ConsumedBatch<Num>[] } {
  const seen: ConsumedBatch<Num>[] = [];
  const c = new BatchConsumer<'t', Topics>(f.kafka, {
    groupId: 'g',
    topic: 't',
    valueClass: Num,
    handler: async (b) => {
      seen.push(b);
    },
  });
  return { c, seen };
}

/** A consumer whose handler waits for `release()` on the batches `held` picks (the others return at once). */
function gated(f: ReturnType<typeof fakeKafka>, held: (b: ConsumedBatch<Num>) => boolean, commitIntervalMs?: number) {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const c = new BatchConsumer<'t', Topics>(f.kafka, {
    groupId: 'g',
    topic: 't',
    valueClass: Num,
    commitIntervalMs,
    handler: async (b) => (held(b) ? gate : undefined),
  });
  return { c, release };
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
  afterEach(() => jest.useRealTimers());

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

  it('judges a long value from its text before parsing it: too wide is undecodable (named), long but flat is decoded', async () => {
    const f = fakeKafka();
    const wide = JSON.stringify(Object.fromEntries(Array.from({ length: 5_000 }, (_, i) => [`f${i}`, i])));
    const deep = '['.repeat(30_000) + ']'.repeat(30_000);
    const padded = `{"n": 14${' '.repeat(2_000)}}`;
    // 65 fields under 1,024 characters but over 1,024 bytes: the bytes decide.
    const wideCjk = JSON.stringify(Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`礼物礼物${i}`, i])));
    expect([wideCjk.length < 1_024, Buffer.byteLength(wideCjk) >= 1_024]).toEqual([true, true]);
    // Larger than any message the broker takes uncompressed (1 MiB): refused before it is made a string.
    const huge = `{"n": 1${' '.repeat(1_048_576)}}`;
    const { p } = payload([
      message(20, wide),
      message(21, deep),
      message(22, padded),
      message(23, wideCjk),
      message(24, huge),
    ]);
    const { c, seen } = recording(f);
    await c.start();
    await f.feed(p);
    const [w, d, ok, cjk, big] = seen.flatMap((b) => b.messages);
    expect(w).toMatchObject({ offset: '20', decodeError: expect.stringMatching(/^Num: .*more than 64 fields/) });
    expect(d).toMatchObject({ offset: '21', decodeError: expect.stringMatching(/^Num: .*nested deeper than 32/) });
    expect(w.rawValue).toHaveLength(2048); // handed over cut, as any undecodable value
    expect(ok).toMatchObject({ offset: '22', value: { n: 14 } });
    expect(ok.decodeError).toBeUndefined();
    expect(cjk).toMatchObject({ offset: '23', decodeError: expect.stringMatching(/^Num: .*more than 64 fields/) });
    expect(big).toMatchObject({ offset: '24', decodeError: 'Num: the message is larger than 1048576 bytes' });
  });

  it('reads a key and an undecodable value from their first bytes only: a buffer read whole would throw past V8 string limit', async () => {
    const f = fakeKafka();
    // A buffer that throws when read whole (as one past V8's string limit does: ERR_STRING_TOO_LONG), not 512 MiB here.
    const unreadable = (bytes: number, fill: string): Buffer => {
      const b = Buffer.alloc(bytes, fill);
      b.toString = () => {
        throw new Error('Cannot create a string longer than 0x1fffffe8 characters');
      };
      return b;
    };
    const m = { ...message(30), key: unreadable(3_000_000, 'k'), value: unreadable(3_000_000, '{') };
    const { c, seen } = recording(f);
    await c.start();
    await f.feed(payload([m, message(31)]).p);
    const [bad, next] = seen.flatMap((b) => b.messages);
    expect(bad).toMatchObject({ offset: '30', decodeError: 'Num: the message is larger than 1048576 bytes' });
    expect(bad.key).toBe('k'.repeat(1_024));
    expect(bad.rawValue).toBe('{'.repeat(2_048));
    expect(next).toMatchObject({ offset: '31', value: { n: 31 }, key: 'k1' });
  });

  it('textPrefixOf: short buffers whole, long ones cut at a character, never a lone surrogate half', () => {
    expect(textPrefixOf(Buffer.from('k1'), 1_024)).toBe('k1');
    expect(textPrefixOf(Buffer.from('礼'.repeat(5_000)), 2_048)).toBe('礼'.repeat(2_048));
    // 4-byte characters are two UTF-16 units: 2,048 units hold 1,024 of them.
    expect(textPrefixOf(Buffer.from('😀'.repeat(5_000)), 2_048)).toBe('😀'.repeat(1_024));
    expect(textPrefixOf(Buffer.from('a' + '😀'.repeat(5_000)), 2_048)).toBe('a' + '😀'.repeat(1_023));
  });

  it('partitions whose batches finish together are committed in one request, each at its own next offset', async () => {
    const f = fakeKafka();
    const { c, release } = gated(f, () => true);
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

  describe('timed commits (commitIntervalMs)', () => {
    /** A consumer committing every 1 s; `partition` sets a batch's partition. */
    async function timed(f: ReturnType<typeof fakeKafka>) {
      const c = new BatchConsumer<'t', Topics>(f.kafka, {
        groupId: 'g',
        topic: 't',
        valueClass: Num,
        commitIntervalMs: 1_000,
        handler: async () => undefined,
      });
      await c.start();
      return c;
    }
    const on = (partition: number, offsets: number[]) => {
      const b = payload(offsets.map((o) => message(o)));
      (b.mock.batch as { partition: number }).partition = partition;
      return b;
    };

    it("turns kafkajs' auto-commit off; a batch returns at once and one request a second commits every partition finished meanwhile", async () => {
      jest.useFakeTimers();
      const f = fakeKafka();
      const c = await timed(f);
      expect(f.consumer.run).toHaveBeenCalledWith(expect.objectContaining({ autoCommit: false }));
      const first = on(2, [4, 5]);
      await f.feed(first.p);
      await f.feed(on(3, [7]).p);
      await f.feed(on(2, [6]).p);
      expect(first.log).toEqual(['resolve 5']);
      expect(f.commits).toEqual([]);
      await jest.advanceTimersByTimeAsync(999);
      expect(f.commits).toEqual([]);
      await jest.advanceTimersByTimeAsync(1);
      expect(f.commits).toEqual([['2@7', '3@8']]);
      expect(f.consumer.commitOffsets.mock.calls[0][0][0]).toEqual({ topic: 't', partition: 2, offset: '7' });
      await jest.advanceTimersByTimeAsync(5_000);
      expect(f.commits).toHaveLength(1); // nothing new finished: no request, no timer
      expect(jest.getTimerCount()).toBe(0);
      await c.stop();
      expect(f.commits).toHaveLength(1);
    });

    it('stop sends the queue before leaving the group; a batch finishing while stopping commits at once', async () => {
      jest.useFakeTimers();
      const f = fakeKafka();
      const order: string[] = [];
      f.consumer.commitOffsets.mockImplementation(async (o) => void order.push(`commit ${o.map((x) => x.offset)}`));
      f.consumer.disconnect.mockImplementation(async () => void order.push('disconnect'));
      const { c, release } = gated(f, (b) => b.partition === 4, 1_000);
      await c.start();
      await f.feed(on(2, [10]).p);
      const late = on(4, [20]);
      const running = f.feed(late.p);
      await c.stop();
      expect(order).toEqual(['commit 11', 'disconnect']);
      release();
      await running;
      expect(late.log).toEqual(['resolve 20', 'commit 21']); // through its own payload: kafkajs has stopped the consumer's
      expect(jest.getTimerCount()).toBe(0);
    });

    it('a failed commit keeps its offsets for the next one, where a later offset of the same partition wins', async () => {
      jest.useFakeTimers();
      const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
      const f = fakeKafka();
      const c = await timed(f);
      f.consumer.commitOffsets.mockRejectedValueOnce(new Error('coordinator not available'));
      await f.feed(on(2, [1]).p);
      await f.feed(on(3, [5]).p);
      await jest.advanceTimersByTimeAsync(1_000);
      expect(warn).toHaveBeenCalledWith(
        expect.stringMatching(/commit \(timer\) of 2 partition\(s\) failed: .*coordinator not available; kept/),
      );
      await f.feed(on(2, [2]).p);
      await jest.advanceTimersByTimeAsync(1_000);
      expect(f.commits).toEqual([['2@3', '3@6']]);
      await c.stop();
      warn.mockRestore();
    });

    it('sends the queue when the group starts to rebalance, and drops what a join gives to another member', async () => {
      jest.useFakeTimers();
      const f = fakeKafka();
      const c = await timed(f);
      await f.feed(on(2, [1]).p);
      f.emit('rebalancing', { memberId: 'm' });
      await jest.advanceTimersByTimeAsync(0);
      expect(f.commits).toEqual([['2@2']]);
      await f.feed(on(2, [2]).p);
      await f.feed(on(3, [8]).p);
      f.emit('join', { memberId: 'm', isLeader: false, memberAssignment: { t: [3, 5] } });
      await jest.advanceTimersByTimeAsync(1_000);
      expect(f.commits).toEqual([['2@2'], ['3@9']]);
      await c.stop();
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
    jest.useFakeTimers();
    const f = fakeKafka();
    let running = true;
    const c = alwaysFailing(f, 60_000);
    await c.start();
    const { p, mock } = payload([message(1)], () => running);
    let settled = false;
    const fed = f.feed(p).then(() => (settled = true));
    await jest.advanceTimersByTimeAsync(0);
    expect(jest.getTimerCount()).toBe(1); // the handler failed: the 60 s backoff is pending
    running = false;
    await c.stop(); // wakes the 60 s backoff
    await jest.advanceTimersByTimeAsync(0); // no (fake) time passes: only the wake-up can settle the batch
    expect(settled).toBe(true);
    expect(jest.getTimerCount()).toBe(0);
    await fed;
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

  describe('poison: a batch failing N times in a row goes one message at a time', () => {
    const outage = () => new BizException(BaseErrorCode.SERVICE_UNAVAILABLE, 'bank: timed out');
    function consumer(f: ReturnType<typeof fakeKafka>, fails: (b: ConsumedBatch<Num>) => Error | undefined) {
      const parked: { offset: string; reason: string }[] = [];
      const calls: string[] = [];
      const c = new BatchConsumer<'t', Topics>(f.kafka, {
        groupId: 'g',
        topic: 't',
        valueClass: Num,
        retryBackoff: { initialMs: 1, maxMs: 1 },
        poison: {
          afterFailures: 3,
          isOutage: (err) => err instanceof BizException && err.code === BaseErrorCode.SERVICE_UNAVAILABLE.code,
          splits: (err) => err instanceof BizException && err.message === 'statement stopped',
          park: async (m, reason) => void parked.push({ offset: m.offset, reason }),
        },
        handler: async (b) => {
          calls.push(`${b.attempt}:${b.messages.map((m) => m.offset).join(',')}`);
          const err = fails(b);
          if (err) throw err;
        },
      });
      return { c, parked, calls };
    }

    it('the poison message is parked with its reason, the others go through, the partition moves on', async () => {
      const f = fakeKafka();
      const poisoned = (b: ConsumedBatch<Num>) => b.messages.some((m) => m.offset === '6');
      const { c, parked, calls } = consumer(f, (b) => (poisoned(b) ? new Error('bank: internal error') : undefined));
      await c.start();
      const { p, log } = payload([message(5), message(6), message(7)]);
      await f.feed(p);
      expect(calls).toEqual(['1:5,6,7', '2:5,6,7', '3:5,6,7', '4:5', '4:6', '4:7']);
      expect(parked).toEqual([
        { offset: '6', reason: 'failed 3 times in its batch, then alone: bank: internal error' },
      ]);
      expect(log).toEqual(['resolve 7', 'commit 8']);
    });

    it('an outage parks nothing: the batch waits for it, alone or whole', async () => {
      const f = fakeKafka();
      let outages = 0;
      const { c, parked, calls } = consumer(f, (b) => {
        if (b.attempt <= 3) return new Error('bank: internal error'); // then one by one...
        if (b.messages[0].offset === '6' && outages < 4) return ((outages += 1), outage()); // ...where the bank goes down
        return undefined;
      });
      await c.start();
      const { p, log } = payload([message(5), message(6), message(7)]);
      await f.feed(p);
      expect(parked).toEqual([]);
      expect(calls.slice(3)).toEqual(['4:5', '4:6', '5:6', '6:6', '7:6', '8:6', '4:7']);
      expect(log).toEqual(['resolve 7', 'commit 8']);
    });

    it('an outage from the start never goes one by one', async () => {
      const f = fakeKafka();
      const { c, parked, calls } = consumer(f, (b) => (b.attempt <= 6 ? outage() : undefined));
      await c.start();
      await f.feed(payload([message(5), message(6)]).p);
      expect(parked).toEqual([]);
      expect(calls).toEqual([1, 2, 3, 4, 5, 6, 7].map((a) => `${a}:5,6`));
    });

    it('a batch the database stops (too big a statement: splits) goes one by one all the same, where it is retried, never parked', async () => {
      const f = fakeKafka();
      const stopped = () => new BizException(BaseErrorCode.SERVICE_UNAVAILABLE, 'statement stopped');
      let alone = 0;
      const { c, parked, calls } = consumer(f, (b) =>
        b.messages.length > 1 || (b.messages[0].offset === '6' && (alone += 1) <= 2) ? stopped() : undefined,
      );
      await c.start();
      const { p, log } = payload([message(5), message(6), message(7)]);
      await f.feed(p);
      expect(parked).toEqual([]);
      expect(calls).toEqual(['1:5,6,7', '2:5,6,7', '3:5,6,7', '4:5', '4:6', '5:6', '6:6', '4:7']);
      expect(log).toEqual(['resolve 7', 'commit 8']);
    });

    it('every message failing alone is taken for an outage nobody recognised: nothing parked, retried whole', async () => {
      const f = fakeKafka();
      let round = 0;
      const { c, parked, calls } = consumer(f, (b) => {
        if (b.messages.length > 1) round += 1;
        return round < 5 ? new Error('database: unknown error') : undefined;
      });
      await c.start();
      await f.feed(payload([message(5), message(6)]).p);
      expect(parked).toEqual([]);
      expect(calls).toEqual(['1:5,6', '2:5,6', '3:5,6', '4:5', '4:6', '4:5,6', '5:5', '5:6', '5:5,6']);
    });

    it('a park that fails (the parked topic unreachable) fails the batch: retried, parked once it works', async () => {
      const f = fakeKafka();
      const { c, parked } = consumer(f, (b) =>
        b.messages.some((m) => m.offset === '6') ? new Error('bad') : undefined,
      );
      const park = (c as unknown as { options: { poison: { park: (m: unknown, r: string) => Promise<void> } } }).options
        .poison;
      const original = park.park;
      let refused = 1;
      park.park = async (m, r) => {
        if (refused-- > 0) throw outage();
        return original(m, r);
      };
      await c.start();
      const { p, log } = payload([message(5), message(6)]);
      await f.feed(p);
      expect(parked.map((x) => x.offset)).toEqual(['6']);
      expect(log).toEqual(['resolve 6', 'commit 7']);
    });
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

describe('BatchConsumer crash lines', () => {
  afterEach(() => jest.restoreAllMocks());

  it("logs kafkajs' restart after a join that met a loading coordinator as a warning; any other crash as an error", async () => {
    const f = fakeKafka();
    const c = new BatchConsumer<'t', Topics>(f.kafka, {
      groupId: 'g',
      topic: 't',
      valueClass: Num,
      handler: async () => undefined,
    });
    await c.start();
    const onCrash = f.consumer.on.mock.calls.find(([event]) => event === 'crash')![1] as (e: unknown) => void;
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const error = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    const loading = Object.assign(
      new Error("The coordinator is loading and hence can't process requests for this group"),
      {
        type: 'GROUP_LOAD_IN_PROGRESS',
      },
    );
    onCrash({ payload: { error: loading, restart: true } });
    onCrash({ payload: { error: loading, restart: false } });
    onCrash({ payload: { error: new Error('boom'), restart: true } });
    expect(warn.mock.calls.map(([m]) => m)).toEqual([
      "g on t: consumer crashed: The coordinator is loading and hence can't process requests for this group; restarting (the group's coordinator was loading it)",
    ]);
    expect(error.mock.calls.map(([m]) => m)).toEqual([
      "g on t: consumer crashed: The coordinator is loading and hence can't process requests for this group; NOT restarting",
      'g on t: consumer crashed: boom; restarting',
    ]);
  });
});

import { BaseErrorCode, BizException } from '@live/common';
import { GIFT_REFUSALS, GiftSettlementItem } from '@live/contracts';
import { KafkaNames } from '@live/kafka';
import { fakeBatchPayload, fakeKafka, fakeKafkaMessage } from '@live/testing';
import { Logger } from '@nestjs/common';
import { PkMove } from '../board/gift-outcome.service';
import { GiftServiceEnv } from '../config/gift-service.env';
import { EndedPk } from '../pk/pk-end';
import { SendGiftConsumer } from './send-gift.consumer';
import { settlePoisoned } from './send-gift.poison';
import { chargeAll, consumed, mq, stubbedPipeline } from './send-gift.spec-data';

/** send_gift's consumer (the real BatchConsumer and pipeline; Kafka, the bank and the rest stubbed). */
function consumerWith(settleBatch: (items: GiftSettlementItem[]) => ReturnType<typeof chargeAll>) {
  const env = {
    GIFT_COALESCE_WINDOW_MS: 0,
    GIFT_CONSUMER_BATCH_SIZE: 500,
    GIFT_CONSUMER_CONCURRENCY: 1,
    GIFT_BATCH_ISOLATE_AFTER: 3,
  } as GiftServiceEnv;
  const stub = stubbedPipeline({ settleBatch, env });
  const f = fakeKafka();
  const consumer = new SendGiftConsumer(f.kafka, new KafkaNames(), stub.env, stub.pipeline);
  return { ...stub, f, consumer };
}

const gifts = (...ids: string[]) => ids.map((id, i) => fakeKafkaMessage(10 + i, JSON.stringify(mq(id, 5)), '1'));

/**
 * Feeds a batch and lets `ms` of fake time pass (the retries' backoffs): 'done' once the consumer let the
 * batch go, 'still retrying' if it had not by then. Fake time passes only as the test says, so a slow
 * machine changes neither answer.
 */
async function feedWithin(c: ReturnType<typeof consumerWith>, ids: string[], ms = 60_000) {
  const { p, log } = fakeBatchPayload(gifts(...ids), () => true, 'send_gift');
  let outcome = 'still retrying';
  void c.f.feed(p).then(() => (outcome = 'done'));
  await jest.advanceTimersByTimeAsync(ms);
  await c.consumer.stop();
  return { outcome, log };
}

describe('send_gift: a poison message is parked, an outage parks nothing', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('a message that makes settlement fail (not an outage) is parked with the reason; the others settle', async () => {
    const c = consumerWith(async (items) => {
      if (items.some((i) => i.requestId === '1:poison')) throw new BizException(BaseErrorCode.SYS_ERROR);
      return chargeAll(items);
    });
    await c.consumer.start();
    const { outcome, log } = await feedWithin(c, ['1:ok-1', '1:poison', '1:ok-2']);
    expect(outcome).toBe('done');
    // Even its refusal fails: the partition moves on, the gift parked whole, its reason saying so.
    expect(c.parked.map((p) => [p.originOffset, p.reason])).toEqual([
      [
        '11',
        'failed 3 times in its batch, then alone: internal error; its refusal could not be recorded either (internal error): undecided, replay it from the parked topic',
      ],
    ]);
    const settledAlone = c.settled.filter((items) => items.length === 1).map(([i]) => i.requestId);
    expect(settledAlone).toEqual(['1:ok-1', '1:poison', '1:ok-2', '1:poison']);
    expect(c.markedPushed).toEqual(new Set(['1:ok-1', '1:ok-2']));
    expect(log).toEqual(['resolve 12', 'commit 13']);
  });

  it('a gift given up on is refused in the ledger (its sender hears 5557) before it is parked, unless already charged', async () => {
    const pushes: { msgId: string; msg: string }[] = [];
    const c = consumerWith(async (items) => {
      // A fault that hits this gift's normal settlement only; its refusal goes through.
      if (items.some((i) => i.requestId.endsWith(':poison') && i.refuseUnlessSettled === undefined))
        throw new BizException(BaseErrorCode.SYS_ERROR);
      return {
        results: items.map((i) =>
          i.refuseUnlessSettled !== undefined
            ? { requestId: i.requestId, status: 'rejected', replayed: false, reason: i.refuseUnlessSettled }
            : { requestId: i.requestId, status: 'charged', replayed: false, balanceAfter: 0 },
        ),
      };
    });
    (
      c.pipeline as unknown as {
        imRouter: { sendToUser: (r: { msgId: string; data: { msg: string } }) => Promise<unknown> };
      }
    ).imRouter.sendToUser = async (r) => (
      pushes.push({ msgId: r.msgId, msg: r.data.msg }),
      { msgId: r.msgId, pushed: 1, offline: [] }
    );
    await c.consumer.start();
    const { outcome, log } = await feedWithin(c, ['1:ok-1', '1:poison', '1:ok-2']);
    expect(outcome).toBe('done');
    expect(c.parked.map((p) => [p.originOffset, p.reason])).toEqual([
      ['11', 'refused in the ledger: failed 3 times in its batch, then alone: internal error'],
    ]);
    // The sender and the ledger get a fixed text; the consumer's reason (an error's text) is for the operator only.
    const refusal = c.settled.flat().find((i) => i.refuseUnlessSettled !== undefined);
    expect(refusal).toMatchObject({ requestId: '1:poison', refuseUnlessSettled: GIFT_REFUSALS.givenUp });
    expect(pushes).toEqual([{ msgId: '1:poison', msg: GIFT_REFUSALS.givenUp }]);
    expect(GIFT_REFUSALS.givenUp).not.toMatch(/internal error|failed|alone/);
    expect(log).toEqual(['resolve 12', 'commit 13']);
  });

  it('a bank outage parks nothing: the batch is retried until the bank is back, then settles whole', async () => {
    let down = 4; // more failures in a row than GIFT_BATCH_ISOLATE_AFTER
    const c = consumerWith(async (items) => {
      if (down > 0) {
        down -= 1;
        throw new BizException(BaseErrorCode.SERVICE_UNAVAILABLE, 'bank.batchConsumeForSendGift: timed out');
      }
      return chargeAll(items);
    });
    await c.consumer.start();
    const { outcome, log } = await feedWithin(c, ['1:a', '1:b', '1:c']);
    expect(outcome).toBe('done');
    expect(c.parked).toEqual([]);
    expect(c.settled.map((items) => items.length)).toEqual([3, 3, 3, 3, 3]);
    expect(c.markedPushed).toEqual(new Set(['1:a', '1:b', '1:c']));
    expect(log).toEqual(['resolve 12', 'commit 13']);
  });
});

describe('send_gift: a poisoned gift charged before is recorded with what its room applied (PK)', () => {
  const charged = async (items: GiftSettlementItem[]) => ({
    results: items.map((i) => ({ requestId: i.requestId, status: 'charged', replayed: true, balanceAfter: 0 })),
  });
  const settleWith = async (applied: { combo: number; pk?: PkMove } | null) => {
    const recorded: unknown[] = [];
    const finished: EndedPk[] = [];
    const gift = { ...mq('1:pk-gift', 60), pkId: 'pk-4-7' };
    const reason = await settlePoisoned(
      {
        bank: { settleBatch: charged } as never,
        imRouter: {} as never,
        records: { recordCharged: async (r: unknown[]) => (recorded.push(...r), r.length) } as never,
        logger: new Logger('poison-spec'),
        outcomes: { appliedOf: async () => applied },
        pk: { finish: async (e: EndedPk) => void finished.push(e) },
      },
      { message: consumed(gift, 20), reason: 'failed alone' },
    );
    return { reason, recorded, finished };
  };

  it('records the combo and the PK step its applied marker holds, and finishes the PK that gift ended', async () => {
    const move: PkMove = {
      pkId: 'pk-4-7',
      step: 6,
      progress: 100,
      seq: 12,
      ended: true,
      anchorId: 3,
      challengerId: 9,
      endsAt: 5_000,
    };
    const { reason, recorded, finished } = await settleWith({ combo: 3, pk: move });
    expect(reason).toBe('charged before, recorded, effect not shown: failed alone');
    expect(recorded).toEqual([
      expect.objectContaining({ requestId: '1:pk-gift', combo: 3, pkId: 'pk-4-7', pkStep: 6 }),
    ]);
    expect(finished).toEqual([
      expect.objectContaining({ roomId: 4, pkId: 'pk-4-7', winnerId: 3, reason: 'bound', progress: 100, seq: 12 }),
    ]);
  });

  it('never applied in its room (no marker): combo 1, step 0, no PK follow-up', async () => {
    const { recorded, finished } = await settleWith(null);
    expect(recorded).toEqual([expect.objectContaining({ combo: 1, pkId: 'pk-4-7', pkStep: 0 })]);
    expect(finished).toEqual([]);
  });
});

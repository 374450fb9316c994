import { BankClient, ImRouterClient } from '@live/common';
import { GiftSettlementItem, NOT_SIGNED_BY_GATEWAY, ParkedMessage, SendGiftMq, SendGiftType } from '@live/contracts';
import { ConsumedBatch, ConsumedMessage, KafkaProducerService } from '@live/kafka';
import { GiftOutcomeService } from '../board/gift-outcome.service';
import { GiftServiceEnv } from '../config/gift-service.env';
import { GiftRecordService } from '../gift-record/gift-record.service';
import { SendGiftPipeline } from './send-gift.pipeline';
import { SendGiftVerifier } from './send-gift.verifier';

function mq(requestId: string, price: number): SendGiftMq {
  return {
    requestId,
    userId: 1,
    giftId: 2,
    price,
    receiverId: 3,
    roomId: 4,
    url: '/x.svga',
    giftName: 'Rose',
    type: SendGiftType.DEFAULT,
    sendTime: Date.now(),
    // The verifier is stubbed here: a signature of the right shape is all the settlement item needs.
    sigKeyId: 'k1',
    sig: 's'.repeat(43),
  };
}

function consumed(value: SendGiftMq, offset: number): ConsumedMessage<SendGiftMq> {
  return { topic: 'send_gift', partition: 0, offset: String(offset), key: '1', timestamp: '0', headers: {}, value };
}

/** The pipeline with every collaborator stubbed; the verifier lets everything through (so the settlement check is what is tested). */
function pipelineWith(disputed: { offset: number; senderReason: string }[] = [], bankReason?: string) {
  const settled: GiftSettlementItem[][] = [];
  const parked: ParkedMessage[] = [];
  const bank = {
    settleBatch: async (items: GiftSettlementItem[]) => {
      settled.push(items);
      return {
        results: items.map((i) => ({
          requestId: i.requestId,
          status: bankReason === undefined ? ('charged' as const) : ('conflict' as const),
          reason: bankReason,
          replayed: false,
          balanceAfter: 0,
        })),
      };
    },
  } as unknown as BankClient;
  const imRouter = {
    sendToRooms: async () => ({ results: [] }),
    sendToUser: async () => ({ msgId: '', pushed: 0, offline: [] }),
  } as unknown as ImRouterClient;
  const producer = {
    send: async (_topic: string, messages: { value: ParkedMessage }[]) =>
      void parked.push(...messages.map((m) => m.value)),
  } as unknown as KafkaProducerService;
  const records = { recordCharged: async (r: unknown[]) => r.length } as unknown as GiftRecordService;
  const outcomes = {
    apply: async (gifts: unknown[]) => gifts.map(() => ({ combo: 1, pushed: false, conflict: false })),
    markPushed: async () => undefined,
  } as unknown as GiftOutcomeService;
  const verifier = {
    check: async (messages: ConsumedMessage<SendGiftMq>[]) => ({
      accepted: messages.filter((m) => !disputed.some((d) => String(d.offset) === m.offset)),
      refused: [],
      disputed: messages
        .map((m) => ({ m, d: disputed.find((d) => String(d.offset) === m.offset) }))
        .filter((x) => x.d)
        .map(({ m, d }) => ({ message: m, reason: 'disputed', senderReason: d!.senderReason })),
    }),
  } as unknown as SendGiftVerifier;
  const env = { GIFT_COMBO_WINDOW_MS: 10_000 } as GiftServiceEnv;
  const pipeline = new SendGiftPipeline(bank, imRouter, producer, records, outcomes, verifier, env);
  return { pipeline, settled, parked };
}

const batchOf = (messages: ConsumedMessage<SendGiftMq>[]): ConsumedBatch<SendGiftMq>[] => [
  { topic: 'send_gift', partition: 0, messages, attempt: 1, heartbeat: async () => undefined },
];

describe('SendGiftPipeline settlement: one bank call, invalid items parked before it', () => {
  it('an item the bank would refuse is parked with the reason; the others are settled in ONE batch call', async () => {
    const { pipeline, settled, parked } = pipelineWith();
    const report = await pipeline.process(
      batchOf([consumed(mq('good-1', 5), 1), consumed(mq('bad-price', 0), 2), consumed(mq('good-2', 7), 3)]),
    );
    expect(settled).toHaveLength(1);
    expect(settled[0].map((i) => i.requestId)).toEqual(['good-1', 'good-2']);
    expect(parked.map((p) => [p.originOffset, p.reason])).toEqual([
      ['2', expect.stringMatching(/^not a valid settlement: GiftSettlementItem: price/)],
    ]);
    expect(report).toMatchObject({ gifts: 3, charged: 2, parked: 1 });
  });

  it('a disputed message whose refusal reason the contract would refuse is parked, not sent', async () => {
    const { pipeline, settled, parked } = pipelineWith([{ offset: 1, senderReason: 'x'.repeat(201) }]);
    await pipeline.process(batchOf([consumed(mq('disputed', 5), 1), consumed(mq('fine', 5), 2)]));
    expect(settled.map((items) => items.map((i) => i.requestId))).toEqual([['fine']]);
    expect(parked.map((p) => p.reason)).toEqual([expect.stringMatching(/refuseUnlessSettled/)]);
  });

  it('signatures this instance accepts and the bank refuses (different keys): the batch fails and is retried, nothing parked', async () => {
    const { pipeline, parked } = pipelineWith([], `${NOT_SIGNED_BY_GATEWAY} (signature under an unknown key id "k1")`);
    await expect(pipeline.process(batchOf([consumed(mq('genuine', 5), 1)]))).rejects.toThrow(
      /GIFT_MSG_VERIFY_KEYS differ/,
    );
    expect(parked).toEqual([]);
  });

  it('a batch where nothing is valid asks the bank nothing', async () => {
    const { pipeline, settled, parked } = pipelineWith();
    await pipeline.process(batchOf([consumed(mq('bad', -1), 1)]));
    expect(settled).toEqual([]);
    expect(parked).toHaveLength(1);
  });
});

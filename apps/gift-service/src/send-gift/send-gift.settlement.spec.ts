import { NOT_SIGNED_BY_GATEWAY } from '@live/contracts';
import { batchOf, consumed, mq, stubbedPipeline } from './send-gift.spec-data';

/** The pipeline with every collaborator stubbed; the bank answers `bankReason` conflicts when given, else charges. */
function pipelineWith(disputed: { offset: number; senderReason: string }[] = [], bankReason?: string) {
  return stubbedPipeline({
    disputed,
    settleBatch:
      bankReason === undefined
        ? undefined
        : async (items) => ({
            results: items.map((i) => ({
              requestId: i.requestId,
              status: 'conflict' as const,
              reason: bankReason,
              replayed: false,
              balanceAfter: 0,
            })),
          }),
  });
}

describe('SendGiftPipeline settlement: one bank call, invalid items parked before it', () => {
  it('an item the bank would refuse is parked with the reason; the others are settled in ONE batch call', async () => {
    const { pipeline, settled, parked } = pipelineWith();
    const report = await pipeline.process(
      batchOf([
        consumed(mq('good-1', 5), 1),
        consumed({ ...mq('bad-key-id', 5), sigKeyId: 'not a key id' }, 2),
        consumed(mq('good-2', 7), 3),
      ]),
    );
    expect(settled).toHaveLength(1);
    expect(settled[0].map((i) => i.requestId)).toEqual(['good-1', 'good-2']);
    expect(parked.map((p) => [p.originOffset, p.reason])).toEqual([
      ['2', expect.stringMatching(/^not a valid settlement: GiftSettlementItem: signed.sigKeyId/)],
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
    await pipeline.process(batchOf([consumed({ ...mq('bad', 5), sig: 's'.repeat(65) }, 1)]));
    expect(settled).toEqual([]);
    expect(parked).toHaveLength(1);
  });

  it('pushed but not recorded (the database failed): the batch fails, and its redelivery records without pushing again', async () => {
    const pushedIds: string[] = [];
    const recorded: unknown[][] = [];
    let failRecords = true;
    const { pipeline } = stubbedPipeline({
      sendToRooms: async (messages) => {
        pushedIds.push(...messages.map((m) => m.msgId ?? ''));
        return { results: messages.map((m) => ({ msgId: m.msgId ?? '', pushed: 1, offline: [] })) };
      },
      recordCharged: async (records) => {
        if (failRecords) throw new Error('database blip');
        recorded.push(records);
        return records.length;
      },
    });
    const batch = batchOf([consumed(mq('shown-once', 5), 1)]);
    await expect(pipeline.process(batch)).rejects.toThrow('database blip');
    failRecords = false;
    await pipeline.process(batchOf([consumed(mq('shown-once', 5), 1)], 2));
    expect(pushedIds).toEqual(['shown-once']);
    expect(recorded.map((r) => r.length)).toEqual([1]);
  });
});

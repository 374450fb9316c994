import { BaseErrorCode } from '@live/common';
import { ImSendToRoomRequest } from '@live/contracts';
import { Logger } from '@nestjs/common';
import { batchOf, consumed, mq, stubbedPipeline } from './send-gift.spec-data';

/** im-router stubbed: `hungFor(msgId)` says how many more pushes of it a node fails. */
function routerFailing(hungFor: Map<string, number>) {
  const pushes: string[] = [];
  const sendToRooms = async (messages: ImSendToRoomRequest[]) => ({
    results: messages.map((m) => {
      pushes.push(m.msgId!);
      const left = hungFor.get(m.msgId!) ?? 0;
      hungFor.set(m.msgId!, left - 1);
      return { msgId: m.msgId!, pushed: 3, offline: [], ...(left > 0 ? { failedNodes: ['im-core-1'] } : {}) };
    }),
  });
  return { pushes, sendToRooms };
}

describe('gift pushes a node failed: not marked, pushed again on redelivery, bounded', () => {
  const batch = () => batchOf([consumed(mq('1:fine', 5), 1), consumed(mq('1:unlucky', 5), 2)]);

  it('a push answered with a failed node is not marked pushed, fails the run (an outage), and is pushed again', async () => {
    const router = routerFailing(new Map([['1:unlucky', 1]]));
    const { pipeline, markedPushed } = stubbedPipeline({ sendToRooms: router.sendToRooms });
    await expect(pipeline.process(batch())).rejects.toMatchObject({
      code: BaseErrorCode.SERVICE_UNAVAILABLE.code,
      message: expect.stringContaining('im-core-1'),
    });
    expect(markedPushed).toEqual(new Set(['1:fine']));
    // The redelivery: the bank answers as before; only the unmarked gift is pushed again, and now it is delivered.
    await pipeline.process(batch());
    expect(router.pushes).toEqual(['1:fine', '1:unlucky', '1:unlucky']);
    expect(markedPushed).toEqual(new Set(['1:fine', '1:unlucky']));
  });

  it('after GIFT_PUSH_MAX_ATTEMPTS deliveries the push is given up: marked, and logged as an error with the request id', async () => {
    const errors = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    const router = routerFailing(new Map([['1:unlucky', 100]]));
    const { pipeline, markedPushed } = stubbedPipeline({
      sendToRooms: router.sendToRooms,
      env: { GIFT_PUSH_MAX_ATTEMPTS: 3 },
    });
    await expect(pipeline.process(batch())).rejects.toThrow(/pushed again/);
    await expect(pipeline.process(batch())).rejects.toThrow(/pushed again/);
    expect(markedPushed.has('1:unlucky')).toBe(false);
    await pipeline.process(batch());
    expect(markedPushed.has('1:unlucky')).toBe(true);
    expect(router.pushes.filter((id) => id === '1:unlucky')).toHaveLength(3);
    expect(errors).toHaveBeenCalledWith(expect.stringMatching(/^gift 1:unlucky: its push failed .* 3 times: given up/));
    errors.mockRestore();
  });
});

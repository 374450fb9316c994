import { BizException, GiftErrorCode } from '@live/common';
import { PkStateReader } from '@live/contracts';
import { GiftSendService } from './gift-send.service';

/**
 * The gateway's PK read (issue 21): a PK room whose PK hash cannot be read is refused (503), never signed
 * without its pkId, and the client's key is released like on the other refusals.
 */
describe('GiftSendService in a PK room', () => {
  const gift = { giftId: 7, giftName: 'Heart', price: 5, svgaUrl: 'u', status: 1 };
  const build = (pkOf: PkStateReader['of']) => {
    const produced: unknown[] = [];
    const released: string[] = [];
    const refused: string[] = [];
    const service = new GiftSendService(
      { config: async () => ({ gift }) } as never,
      { balance: async () => ({ balance: 1_000 }) } as never,
      { send: async (_topic: string, messages: unknown[]) => void produced.push(...messages) } as never,
      { livingRoomCached: async () => ({ anchorId: 100, type: 1 }) } as never,
      {
        giftsAccepted: { inc: () => undefined },
        giftsRefused: { inc: ({ reason }: { reason: string }) => void refused.push(reason) },
      } as never,
      { GATEWAY_GIFT_CACHE_MS: 1_000, GIFT_MSG_SIGNING_KEY_ID: 'k1', GIFT_MSG_SIGNING_KEY: 'x'.repeat(32) } as never,
      { accountOf: async () => undefined } as never,
      {
        claim: async () => 'new',
        checkDeadlineMs: () => 1_500,
        release: async (_user: number, key: string) => void released.push(key),
      } as never,
      { count: async () => null } as never,
      { of: pkOf } as unknown as PkStateReader,
    );
    return { service, produced, released, refused };
  };
  const cmd = { userId: 1, giftId: 7, roomId: 9, receiverId: 100, count: 1, clientRequestId: 'key-1' };

  it('refuses with GIFT_SEND_FAILED (503) when the PK hash cannot be read, releasing the key', async () => {
    const { service, produced, released, refused } = build(async () => {
      throw new Error('ECONNREFUSED');
    });
    const err = await service.send(cmd).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(BizException);
    expect((err as BizException).code).toBe(GiftErrorCode.GIFT_SEND_FAILED.code);
    expect(produced).toEqual([]);
    expect(released).toEqual(['key-1']);
    expect(refused).toEqual(['redis']);
  });

  it('signs the running PK into a gift to the anchor when the hash is read', async () => {
    const running = {
      pkId: 'pk-9-3',
      anchorId: 100,
      challengerId: 200,
      progress: 50,
      seq: 3,
      startedAt: Date.now(),
      endsAt: Date.now() + 60_000,
      endedAt: 0,
      winnerId: null,
      endReason: '',
    };
    const { service, produced } = build(async () => running);
    await service.send(cmd);
    expect(produced).toHaveLength(1);
    expect((produced[0] as { value: { pkId?: string } }).value.pkId).toBe('pk-9-3');
  });
});

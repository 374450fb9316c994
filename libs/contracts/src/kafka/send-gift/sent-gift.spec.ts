import { SendGiftMq, SendGiftType } from './send-gift.value';
import { SentGift, sentGiftOf } from './sent-gift';

describe('sentGiftOf (the one place the send_gift wire names become the internal ones)', () => {
  const mq: SendGiftMq = {
    userId: 11,
    giftId: 2,
    giftName: 'Kiss',
    price: 20,
    receiverId: 12,
    roomId: 13,
    url: 'https://cdn.example/2.svga',
    requestId: '11:a',
    type: SendGiftType.PK,
    sendTime: 5,
    sigKeyId: 'k',
    sig: 's',
  };

  it('renames userId to senderId and url to effectUrl, and carries every other field the hops use', () => {
    const gift: SentGift = {
      requestId: '11:a',
      senderId: 11,
      receiverId: 12,
      roomId: 13,
      giftId: 2,
      giftName: 'Kiss',
      price: 20,
      effectUrl: 'https://cdn.example/2.svga',
      sendTime: 5,
    };
    expect(sentGiftOf(mq)).toStrictEqual(gift);
  });

  it('keeps no wire name and no signature inside', () => {
    for (const wireOnly of ['userId', 'url', 'type', 'sigKeyId', 'sig'])
      expect(sentGiftOf(mq)).not.toHaveProperty(wireOnly);
  });
});

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
      count: 1,
      effectUrl: 'https://cdn.example/2.svga',
      sendTime: 5,
    };
    expect(sentGiftOf(mq)).toStrictEqual(gift);
  });

  it('a count travels as it is; a message without one (an older producer) is one gift', () => {
    expect(sentGiftOf({ ...mq, count: 7 }).count).toBe(7);
    expect(sentGiftOf(mq).count).toBe(1);
  });

  it('keeps no wire name and no signature inside', () => {
    for (const wireOnly of ['userId', 'url', 'type', 'sigKeyId', 'sig'])
      expect(sentGiftOf(mq)).not.toHaveProperty(wireOnly);
  });
});

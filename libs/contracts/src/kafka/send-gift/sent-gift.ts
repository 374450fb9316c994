import { giftCountOf } from './gift-count';
import type { SendGiftMq } from './send-gift.value';

/**
 * One gift as the code names it on every internal hop (pipeline, settlement, room outcome, record, push):
 * one name per concept (README "Glossary"). SendGiftMq keeps the wire names API.md documents (userId, url);
 * sentGiftOf maps them once, where gift-service takes a verified message in.
 */
export interface SentGift {
  requestId: string;
  senderId: number;
  receiverId: number;
  roomId: number;
  giftId: number;
  giftName: string;
  /** The price of one. */
  price: number;
  /** How many of the gift (1..GIFT_COUNT_MAX; a message without one: 1): one charge of price x count. */
  count: number;
  /** The gift's SVGA effect (`url` in SendGiftMq, `svgaUrl` in the 5556 push and the gift panel). */
  effectUrl: string;
  /** When the gateway accepted the gift, epoch milliseconds. */
  sendTime: number;
  /** The PK the gift was sent in (a PK room while a PK ran); absent otherwise. */
  pkId?: string;
}

/** The wire message's fields under their internal names. */
export function sentGiftOf(mq: SendGiftMq): SentGift {
  const { requestId, userId: senderId, receiverId, roomId, giftId, giftName, price, url: effectUrl, sendTime } = mq;
  const count = giftCountOf(mq);
  const gift = { requestId, senderId, receiverId, roomId, giftId, giftName, price, count, effectUrl, sendTime };
  return mq.pkId === undefined ? gift : { ...gift, pkId: mq.pkId };
}

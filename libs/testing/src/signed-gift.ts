import { GiftSettlementItem, orderSignatureOf, SendGiftType, signSendGift } from '@live/contracts';

/**
 * A settlement item as gift-service sends one: signed by "api-gateway" with the development profile's key
 * (GIFT_MSG_SIGNING_KEY_ID / GIFT_MSG_SIGNING_KEY), which bank-service checks before charging.
 */
export function signedSettlementItem(item: Omit<GiftSettlementItem, 'signed'>): GiftSettlementItem {
  const id = process.env.GIFT_MSG_SIGNING_KEY_ID;
  const secret = process.env.GIFT_MSG_SIGNING_KEY;
  if (!id || !secret)
    throw new Error(
      'signedSettlementItem: GIFT_MSG_SIGNING_KEY_ID / GIFT_MSG_SIGNING_KEY not set (development profile)',
    );
  const { requestId, senderId: userId, receiverId, roomId, giftId, price } = item;
  const unsigned = {
    userId,
    giftId,
    giftName: `gift ${giftId}`,
    price,
    receiverId,
    roomId,
    url: '',
    requestId,
    type: SendGiftType.DEFAULT,
    sendTime: 1,
  };
  return { ...item, signed: orderSignatureOf(signSendGift(unsigned, { id, secret })) };
}

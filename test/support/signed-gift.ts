import {
  CatalogueOrderPattern,
  SendGiftMq,
  SendGiftType,
  signCatalogueOrder,
  signSendGift,
  SigningKey,
  UnsignedSendGift,
} from '@live/contracts';
import { uniqueName } from '@live/testing';

/** The signing key api-gateway uses here (the development profile's GIFT_MSG_SIGNING_KEY*). */
export function gatewaySigningKey(): SigningKey {
  const { GIFT_MSG_SIGNING_KEY_ID: id, GIFT_MSG_SIGNING_KEY: secret } = process.env;
  if (!id || !secret)
    throw new Error('GIFT_MSG_SIGNING_KEY_ID / GIFT_MSG_SIGNING_KEY are not set (config/development.env)');
  return { id, secret };
}

/** A send_gift message signed as api-gateway signs it (the same lib, the same key). */
export function signedAsGateway(mq: UnsignedSendGift): SendGiftMq {
  return signSendGift(mq, gatewaySigningKey());
}

/** A change of the gift catalogue signed as api-gateway signs an admin's (the development profile's CATALOGUE_ORDER_SIGNING_KEY*). */
export function catalogueAsGateway<T extends object>(
  pattern: CatalogueOrderPattern,
  change: T,
): T & { authority: string } {
  const { CATALOGUE_ORDER_SIGNING_KEY_ID: id, CATALOGUE_ORDER_SIGNING_KEY: secret } = process.env;
  if (!id || !secret) throw new Error('CATALOGUE_ORDER_SIGNING_KEY_ID / _KEY are not set (config/development.env)');
  return signCatalogueOrder(pattern, { ...change } as T & Record<string, unknown>, { id, secret });
}

/**
 * A signed gift of `[giftId, giftName, price]` (a SEED_GIFTS row) from `sender` to the anchor of `roomId`,
 * sent now, with a fresh request id `<sender>:<unique label>`.
 */
export function signedGift(
  sender: number,
  anchor: number,
  roomId: number,
  label: string,
  [giftId, giftName, price]: [number, string, number],
): SendGiftMq {
  return signedAsGateway({
    userId: sender,
    giftId,
    giftName,
    price,
    receiverId: anchor,
    roomId,
    url: 'https://cdn.example/g.svga',
    requestId: `${sender}:${uniqueName(label)}`,
    type: SendGiftType.DEFAULT,
    sendTime: Date.now(),
  });
}

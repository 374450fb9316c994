import { SendGiftMq, signSendGift, SigningKey, UnsignedSendGift } from '@live/contracts';

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

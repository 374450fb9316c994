import { fingerprintOf } from './canonical';

/** What a gift request id was first used for. The sender is not here: it is part of the (scoped) request id. */
export interface GiftRequestParameters {
  giftId: number;
  price: number;
  roomId: number;
  receiverId: number;
}

/**
 * The fingerprint the ledger keeps with a gift's request id (t_qiyu_currency_trade.fingerprint) and the
 * consumer keeps with its outcome: a request id seen again with another fingerprint is a reused key, never
 * the same gift (charged, recorded, boarded and pushed as such).
 */
export function giftRequestFingerprint(p: GiftRequestParameters): string {
  return fingerprintOf('gift-request/v1', [p.giftId, p.price, p.roomId, p.receiverId]);
}

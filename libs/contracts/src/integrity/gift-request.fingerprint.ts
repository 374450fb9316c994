import { fingerprintOf } from './canonical';

/** What a gift request id was first used for. The sender is not here: it is part of the (scoped) request id. */
export interface GiftRequestParameters {
  giftId: number;
  price: number;
  roomId: number;
  receiverId: number;
  /** How many of the gift; absent: 1. */
  count?: number;
  /** The PK a gift in a PK room was sent in (issue 21); absent on every other gift. */
  pkId?: string;
}

/**
 * The fingerprint the ledger keeps with a gift's request id (t_qiyu_currency_trade.fingerprint) and the
 * consumer keeps with its outcome (and t_gift_record's row gives back): a request id seen again with another
 * fingerprint is a reused key, never the same gift (charged, recorded, boarded and pushed as such).
 */
export function giftRequestFingerprint(p: GiftRequestParameters): string {
  const count = p.count ?? 1;
  // A PK gift: the PK is part of what the request id is for (the same id in another PK: a reuse).
  if (p.pkId !== undefined)
    return fingerprintOf('gift-request/v3', [p.giftId, p.price, p.roomId, p.receiverId, count, p.pkId]);
  // Count 1: the fingerprint written before counts existed (a gift charged then and redelivered now is the
  // same gift); any other count is part of what the request id is for (another count: a reuse, never a charge).
  if (count === 1) return fingerprintOf('gift-request/v1', [p.giftId, p.price, p.roomId, p.receiverId]);
  return fingerprintOf('gift-request/v2', [p.giftId, p.price, p.roomId, p.receiverId, count]);
}

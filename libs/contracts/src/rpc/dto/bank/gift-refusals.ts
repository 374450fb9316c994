/**
 * The words a gift may be refused with on gift-service's say (GiftSettlementItem.refuseUnlessSettled): bank-service
 * keeps them as the refusal (the ledger row's remark, which the sender reads in /bank/trades) and gift-service
 * pushes them in that gift's 5557. Any other text an internal caller sends is kept as REFUSAL_NOT_CHECKED_OUT
 * instead (refusalForSender): holding the RPC key lets a caller refuse a genuine gift it copied from Kafka (nothing
 * moves), not write its own words into that user's ledger.
 */
export const GIFT_REFUSALS = {
  notInCatalogue: 'this gift is not in the catalogue: not charged',
  offSale: 'this gift is no longer on sale: not charged',
  noRoom: 'no such room: not charged',
  pkOfAnotherRoom: "this PK is not this room's: not charged",
  notTheAnchor: "the receiver is not this room's anchor: not charged",
  roomClosed: 'the room has closed: not charged',
  /** A gift the consumer gave up on (poison): its error stays in the parked record and the logs. */
  givenUp: 'this gift could not be processed: not charged',
} as const;

/** The catalogue price changed between the gateway and the settlement. */
export const priceChangedRefusal = (price: number): string =>
  `the gift's price changed to ${price}: not charged, send it again`;

/** What a refusal text not on the list is shown as. */
export const REFUSAL_NOT_CHECKED_OUT = 'this gift no longer checks out: not charged';

const KNOWN = new Set<string>(Object.values(GIFT_REFUSALS));
const PRICE_CHANGED = /^the gift's price changed to [1-9]\d{0,15}: not charged, send it again$/;

/** One of the refusals above (gift-service's own words). */
export function isGiftRefusal(text: string): boolean {
  return KNOWN.has(text) || PRICE_CHANGED.test(text);
}

/** `text` when it is one of the refusals above, REFUSAL_NOT_CHECKED_OUT otherwise. */
export function refusalForSender(text: string): string {
  return isGiftRefusal(text) ? text : REFUSAL_NOT_CHECKED_OUT;
}

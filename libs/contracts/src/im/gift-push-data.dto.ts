/** `data` of a GIFT_SUCCESS (5556) message, pushed to everyone in the room. */
export class GiftEffectData {
  requestId!: string;
  giftId!: number;
  giftName!: string;
  svgaUrl!: string;
  senderId!: number;
  receiverId!: number;
  roomId!: number;
  /** How many of this gift the sender sent in a row (1 for a single gift). */
  combo!: number;
}

/** `data` of a GIFT_FAIL (5557) message, pushed to the sender only. */
export class GiftFailData {
  requestId!: string;
  /** Why the gift was not charged, fit to show the sender. */
  msg!: string;
}

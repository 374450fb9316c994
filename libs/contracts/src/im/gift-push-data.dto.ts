/** `data` of a GIFT_SUCCESS (5556) message, pushed to everyone in the room. */
export class GiftEffectData {
  requestId!: string;
  giftId!: number;
  giftName!: string;
  svgaUrl!: string;
  senderId!: number;
  receiverId!: number;
  roomId!: number;
  /**
   * The sender's streak of sends of this gift in the room (a send of any count is one tap: 1 for the first),
   * within GIFT_COMBO_WINDOW_MS of the previous one.
   */
  combo!: number;
  /** How many of the gift this one send carries (1..999): ONE effect showing the count, charged price x count. */
  count!: number;
}

/** `data` of a GIFT_FAIL (5557) message, pushed to the sender only. */
export class GiftFailData {
  requestId!: string;
  /** Why the gift was not charged, fit to show the sender. */
  msg!: string;
}

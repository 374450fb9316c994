import { GiftOrderKeys } from '@live/common';
import { SendGiftMq } from '@live/contracts';
import { Injectable } from '@nestjs/common';
import { GiftConfigService } from '../gift-config/gift-config.service';
import { RoomAnchors } from './room-anchors';

/** A message that may not be charged, and why (the reason it is parked with). */
export interface Refusal<M> {
  message: M;
  reason: string;
}

/**
 * A genuine (signed) message that no longer checks out: settled only as a replay of an earlier delivery
 * (it was charged before the catalogue changed), otherwise refused with `senderReason`.
 */
export interface Dispute<M> extends Refusal<M> {
  senderReason: string;
}

/**
 * What a send_gift message must prove before anything is charged: a message carries no authority of its
 * own (anything that can write to Kafka can write one).
 *  1. it is signed by api-gateway under a key this instance accepts (GIFT_MSG_VERIFY_KEYS);
 *  2. its price is the catalogue's price of its gift;
 *  3. its receiver is the anchor of its room (api-gateway's t_living_room, never the message's word).
 * Per batch: the catalogue through its caches (few distinct gifts), the rooms in one query at most.
 */
@Injectable()
export class SendGiftVerifier {
  constructor(
    private readonly keys: GiftOrderKeys,
    private readonly giftConfigs: GiftConfigService,
    private readonly rooms: RoomAnchors,
  ) {}

  /**
   * `refused`: not signed as it must be: parked, never settled, nobody told (the sender named may not have
   * sent it). `disputed`: signed, but price, room or receiver do not check out now: never charged, but a
   * redelivery of a gift charged before the catalogue changed must get its first answer, so the bank is
   * asked to settle these only as replays (GiftSettlementItem.refuseUnlessSettled).
   */
  async check<M extends { value: SendGiftMq }>(
    messages: readonly M[],
  ): Promise<{ accepted: M[]; refused: Refusal<M>[]; disputed: Dispute<M>[] }> {
    const refused: Refusal<M>[] = [];
    const signed: M[] = [];
    for (const m of messages) {
      const signature = this.keys.verify(m.value);
      if (signature.ok) signed.push(m);
      else refused.push({ message: m, reason: `not charged: ${signature.reason}` });
    }
    if (signed.length === 0) return { accepted: [], refused, disputed: [] };

    const [prices, anchors] = await Promise.all([
      this.prices(signed.map((m) => m.value.giftId)),
      this.rooms.of(signed.map((m) => m.value.roomId)),
    ]);
    const accepted: M[] = [];
    const disputed: Dispute<M>[] = [];
    for (const m of signed) {
      const found = mismatch(m.value, prices, anchors);
      if (found === null) accepted.push(m);
      else disputed.push({ message: m, reason: `not charged: ${found.reason}`, senderReason: found.senderReason });
    }
    return { accepted, refused, disputed };
  }

  /** giftId -> catalogue price, for the gifts that exist (whatever their status: a gift taken off sale after it was sent is still charged). */
  private async prices(giftIds: number[]): Promise<Map<number, number>> {
    const prices = new Map<number, number>();
    for (const giftId of new Set(giftIds)) {
      const gift = await this.giftConfigs.findAny(giftId);
      if (gift) prices.set(giftId, gift.price);
    }
    return prices;
  }
}

function mismatch(
  mq: SendGiftMq,
  prices: ReadonlyMap<number, number>,
  anchors: ReadonlyMap<number, number>,
): { reason: string; senderReason: string } | null {
  const price = prices.get(mq.giftId);
  if (price === undefined)
    return {
      reason: `gift ${mq.giftId} is not in the catalogue`,
      senderReason: 'this gift is not in the catalogue: not charged',
    };
  if (price !== mq.price) {
    return {
      reason: `price ${mq.price} is not the catalogue price ${price} of gift ${mq.giftId}`,
      senderReason: `the gift's price changed to ${price}: not charged, send it again`,
    };
  }
  const anchorId = anchors.get(mq.roomId);
  if (anchorId === undefined)
    return { reason: `room ${mq.roomId} does not exist`, senderReason: 'no such room: not charged' };
  if (anchorId !== mq.receiverId)
    return {
      reason: `receiver ${mq.receiverId} is not the anchor of room ${mq.roomId}`,
      senderReason: "the receiver is not this room's anchor: not charged",
    };
  return null;
}

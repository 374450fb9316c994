import { GiftOrderKeys } from '@live/common';
import { GIFT_REFUSALS, GiftStatus, priceChangedRefusal, roomOfPkId, SendGiftMq } from '@live/contracts';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
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
 *  2. its gift is on sale and its price is the catalogue's price of that gift, at settlement (as a price change,
 *     taking a gift off sale refuses the sends still in flight: the gateway's gift cache of a few seconds, per
 *     instance, let a disabled gift be sold and charged for up to 5 s: an attacker pass);
 *  3. its receiver is the anchor of its room (api-gateway's t_living_room, never the message's word), or, in a
 *     PK (issue 21), the challenger of the PK the message names: its t_living_pk row is this room's, with this
 *     receiver as challenger, and the gift was sent within the PK's time (+ PK_GRACE_MS); a pkId names its
 *     room (`pk-<roomId>-<seq>`), and one of another room is refused whoever the receiver is;
 *  4. its room had not closed when it was sent (its signed sendTime before the room's close_time): the gateway
 *     checks that the room is live through a cache of a few seconds, per instance, so a send just after a close
 *     can get through it (an attacker pass: charged for up to 5 s after the close). Both times are gateways'
 *     clocks (the closing one's, the accepting one's): the cut is exact within their skew.
 * Per batch: the catalogue through its caches (few distinct gifts), the rooms' anchors in one query at most
 * (anchors never change: held), the rooms that have closed in one query (only closes are held), the PKs
 * in one query only when some receiver is not its room's anchor (never on the normal path).
 */
@Injectable()
export class SendGiftVerifier {
  constructor(
    private readonly keys: GiftOrderKeys,
    private readonly giftConfigs: GiftConfigService,
    private readonly rooms: RoomAnchors,
    @InjectDataSource() private readonly dataSource: DataSource,
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

    const roomIds = signed.map((m) => m.value.roomId);
    const [prices, anchors, closed] = await Promise.all([
      this.prices(signed.map((m) => m.value.giftId)),
      this.rooms.of(roomIds),
      this.rooms.closedAt(roomIds),
    ]);
    const pks = await this.challengedPks(signed.map((m) => m.value).filter((mq) => toChallenger(mq, anchors)));
    const accepted: M[] = [];
    const disputed: Dispute<M>[] = [];
    for (const m of signed) {
      const found = mismatch(m.value, prices, anchors, pks) ?? closedBefore(m.value, closed);
      if (found === null) accepted.push(m);
      else disputed.push({ message: m, reason: `not charged: ${found.reason}`, senderReason: found.senderReason });
    }
    return { accepted, refused, disputed };
  }

  /** pkId -> its t_living_pk facts, for the PKs named by gifts to someone other than the room's anchor (one query). */
  private async challengedPks(messages: SendGiftMq[]): Promise<Map<string, PkFacts>> {
    const ids = [...new Set(messages.map((mq) => mq.pkId!))];
    if (ids.length === 0) return new Map();
    const rows: {
      pk_id: string;
      room_id: string;
      challenger_id: string;
      started_at: Date;
      ends_at: Date;
      ended_at: Date | null;
    }[] = await this.dataSource.query(
      `SELECT pk_id, room_id, challenger_id, started_at, ends_at, ended_at FROM t_living_pk WHERE pk_id IN (${ids.map(() => '?').join(',')})`,
      ids,
    );
    return new Map(
      rows.map((r) => [
        r.pk_id,
        {
          roomId: Number(r.room_id),
          challengerId: Number(r.challenger_id),
          from: new Date(r.started_at).getTime(),
          until: new Date(r.ended_at ?? r.ends_at).getTime(),
        },
      ]),
    );
  }

  /** giftId -> catalogue price and whether it is on sale now, for the gifts that exist. */
  private async prices(giftIds: number[]): Promise<Map<number, CatalogueTerms>> {
    const prices = new Map<number, CatalogueTerms>();
    for (const giftId of new Set(giftIds)) {
      const gift = await this.giftConfigs.findAny(giftId);
      if (gift) prices.set(giftId, { price: gift.price, onSale: gift.status === GiftStatus.ENABLED });
    }
    return prices;
  }
}

/** How late after its PK's end (or time) a gift to the challenger may have been sent: clocks and queues. */
export const PK_GRACE_MS = 5_000;

/** A gift's terms in the catalogue now. */
interface CatalogueTerms {
  price: number;
  onSale: boolean;
}

/** What the verifier needs of a PK (t_living_pk). */
interface PkFacts {
  roomId: number;
  challengerId: number;
  /** started_at .. (ended_at or ends_at), epoch ms. */
  from: number;
  until: number;
}

/** A gift naming a PK of its own room, to someone other than the room's anchor: the challenger, if the PK says so. */
function toChallenger(mq: SendGiftMq, anchors: ReadonlyMap<number, number>): boolean {
  const anchorId = anchors.get(mq.roomId);
  return (
    mq.pkId !== undefined && anchorId !== undefined && anchorId !== mq.receiverId && roomOfPkId(mq.pkId) === mq.roomId
  );
}

function mismatch(
  mq: SendGiftMq,
  prices: ReadonlyMap<number, CatalogueTerms>,
  anchors: ReadonlyMap<number, number>,
  pks: ReadonlyMap<string, PkFacts>,
): { reason: string; senderReason: string } | null {
  const terms = prices.get(mq.giftId);
  if (terms === undefined)
    return {
      reason: `gift ${mq.giftId} is not in the catalogue`,
      senderReason: GIFT_REFUSALS.notInCatalogue,
    };
  if (!terms.onSale)
    return {
      reason: `gift ${mq.giftId} is off sale`,
      senderReason: GIFT_REFUSALS.offSale,
    };
  const price = terms.price;
  if (price !== mq.price) {
    return {
      reason: `price ${mq.price} is not the catalogue price ${price} of gift ${mq.giftId}`,
      senderReason: priceChangedRefusal(price),
    };
  }
  const anchorId = anchors.get(mq.roomId);
  if (anchorId === undefined) return { reason: `room ${mq.roomId} does not exist`, senderReason: GIFT_REFUSALS.noRoom };
  if (mq.pkId !== undefined && roomOfPkId(mq.pkId) !== mq.roomId)
    return {
      reason: `PK ${mq.pkId} is not a PK of room ${mq.roomId}`,
      senderReason: GIFT_REFUSALS.pkOfAnotherRoom,
    };
  if (anchorId !== mq.receiverId && mq.pkId !== undefined) {
    const pk = pks.get(mq.pkId);
    if (
      pk !== undefined &&
      pk.roomId === mq.roomId &&
      pk.challengerId === mq.receiverId &&
      mq.sendTime >= pk.from - PK_GRACE_MS &&
      mq.sendTime <= pk.until + PK_GRACE_MS
    )
      return null;
  }
  if (anchorId !== mq.receiverId)
    return {
      reason: `receiver ${mq.receiverId} is not the anchor of room ${mq.roomId}`,
      senderReason: GIFT_REFUSALS.notTheAnchor,
    };
  return null;
}

/** A gift sent once its room had closed (a close is final: the sendTime is the gateway's, signed). */
function closedBefore(
  mq: SendGiftMq,
  closed: ReadonlyMap<number, number>,
): { reason: string; senderReason: string } | null {
  const closedAt = closed.get(mq.roomId);
  if (closedAt === undefined || mq.sendTime < closedAt) return null;
  return {
    reason: `room ${mq.roomId} closed at ${new Date(closedAt).toISOString()}, before the gift was sent (${new Date(mq.sendTime).toISOString()})`,
    senderReason: GIFT_REFUSALS.roomClosed,
  };
}

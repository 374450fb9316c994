import { Type } from 'class-transformer';
import { IsNotEmpty, IsObject, IsOptional, IsString, Matches, MaxLength, ValidateNested } from 'class-validator';
import { SIGNING_KEY_ID_PATTERN, UnsignedSendGift } from '../../../integrity/send-gift.signature';
import { IsGiftCount } from '../../../kafka/send-gift/gift-count';
import { SendGiftMq, SendGiftType } from '../../../kafka/send-gift/send-gift.value';
import {
  IsBatchOf,
  IsEntityId,
  IsEnumValue,
  IsNonNegativeInt,
  IsOptionalPkId,
  IsPositiveAmount,
  IsRequestId,
} from '../../../validation';

/** The longest signature GiftOrderSignature takes, and refusal reason GiftSettlementItem takes. */
const SIG_MAX_LENGTH = 64;
const REFUSAL_MAX_LENGTH = 200;

/**
 * The rest of the gift order api-gateway signed (send_gift's signature covers every field of the message):
 * with the item's own fields it rebuilds the signed message, so bank-service checks the gateway's signature
 * itself. Holding the internal RPC key is not enough to move money: only a gift the gateway accepted from
 * its sender, at the price it signed, is charged.
 */
export class GiftOrderSignature {
  @IsString()
  @MaxLength(128)
  giftName!: string;

  @IsString()
  @MaxLength(1024)
  effectUrl!: string;

  @IsEnumValue(SendGiftType)
  type!: SendGiftType;

  @IsNonNegativeInt()
  sendTime!: number;

  /** The PK the gift was sent in (signed when present: SendGiftMq.pkId). */
  @IsOptionalPkId()
  pkId?: string;

  @Matches(SIGNING_KEY_ID_PATTERN)
  sigKeyId!: string;

  @IsString()
  @MaxLength(SIG_MAX_LENGTH)
  sig!: string;
}

/** The most gifts one settlement call may carry (one database transaction). */
export const MAX_GIFT_SETTLEMENT_BATCH = 1000;

/**
 * One gift to charge: `price` x `count` coins from `senderId` to `receiverId` (one trade), at most once per
 * `requestId`.
 */
export class GiftSettlementItem {
  @IsRequestId()
  requestId!: string;

  /** The sender, who pays. */
  @IsEntityId()
  senderId!: number;

  /** The anchor, whose earnings receive the coins. */
  @IsEntityId()
  receiverId!: number;

  @IsEntityId()
  roomId!: number;

  @IsEntityId()
  giftId!: number;

  /** The price of one. */
  @IsPositiveAmount()
  price!: number;

  /**
   * How many of the gift (1..GIFT_COUNT_MAX), as the signed message says; absent: 1 (gift-service leaves it
   * out for a single gift, so a bank-service that predates counts takes the batch as before).
   */
  @IsGiftCount()
  count?: number;

  /** api-gateway's signature of this gift (see GiftOrderSignature): an item without a valid one is not charged. */
  @IsObject()
  @ValidateNested()
  @Type(() => GiftOrderSignature)
  signed!: GiftOrderSignature;

  /**
   * Set for a message that is genuine (signed by api-gateway) but no longer checks out against the catalogue
   * or the room (its gift's price changed since it was sent, say): settle it only as a replay, when this
   * request id was settled before (when it did check out); otherwise reject it with this reason and move
   * nothing. The reason is kept only when it is one of GIFT_REFUSALS (gift-refusals.ts: gift-service's words for
   * the sender), any other as REFUSAL_NOT_CHECKED_OUT. A redelivery after a price change so gets the first answer.
   */
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(REFUSAL_MAX_LENGTH)
  refuseUnlessSettled?: string;
}

/**
 * BankRpc.BATCH_CONSUME_FOR_SEND_GIFT: a batch of gifts settled in ONE database transaction, applied in
 * the order given (send them in Kafka order: each sender's gifts are in order within a partition).
 * Either the whole batch is settled and every item has a result, or the call fails and nothing changed
 * (then retry the same batch: that is safe).
 */
export class BatchConsumeForSendGiftRequest {
  @IsBatchOf(GiftSettlementItem, MAX_GIFT_SETTLEMENT_BATCH)
  items!: GiftSettlementItem[];
}

/**
 * - `charged`: the price left the sender's wallet and reached the receiver's earnings (one ledger row).
 * - `rejected`: nothing moved (insufficient balance, no wallet, gift to oneself...); `reason` says why,
 *   in words fit for the sender. A rejection is final and recorded: the same requestId stays rejected.
 * - `conflict`: this requestId was settled before for something else (another gift, price, room, receiver
 *   or sender: the ledger keeps a fingerprint of the first use). Nothing moved and nothing was written;
 *   the item is NOT the gift it names: never record, board or push it as charged.
 */
export type GiftSettlementStatus = 'charged' | 'rejected' | 'conflict';

export class GiftSettlementResult {
  requestId!: string;
  status!: GiftSettlementStatus;
  /** Present when rejected. */
  reason?: string;
  /** The sender's balance after this gift (charged) or when it was refused (rejected), when the sender has a wallet. */
  balanceAfter?: number;
  /**
   * True when this requestId had been settled before (an earlier delivery, or earlier in this batch): the
   * first answer is repeated and nothing moved now. Push the effect again if you like; never count it twice.
   */
  replayed!: boolean;
  /**
   * With a replay of an earlier call: when its first answer was written (ms since the epoch). A replay
   * long after (past the redelivery window) is a message from the past: its effect is not shown again.
   */
  settledAt?: number;
}

export class BatchConsumeForSendGiftResponse {
  /** Exactly one result per request item, in the same order (results[i] answers items[i]). */
  results!: GiftSettlementResult[];
}

/** The reason of a `conflict` answer for an item whose gateway signature bank-service does not accept. */
export const NOT_SIGNED_BY_GATEWAY = 'not charged: not signed by api-gateway';

/** The signed send_gift message a settlement item stands for (to check its signature with verifySendGift). */
export function signedOrderOf(item: GiftSettlementItem): SendGiftMq {
  const { giftName, effectUrl, type, sendTime, sigKeyId, sig, pkId } = item.signed;
  const { requestId, senderId, receiverId, roomId, giftId, price, count } = item;
  return {
    userId: senderId,
    giftId,
    giftName,
    price,
    ...(count === undefined ? {} : { count }),
    receiverId,
    roomId,
    url: effectUrl,
    requestId,
    type,
    sendTime,
    ...(pkId === undefined ? {} : { pkId }),
    sigKeyId,
    sig,
  };
}

/** The item with its signed pkId beside its other parameters: what giftRequestFingerprint takes (a PK gift's). */
export function settlementFingerprintParameters(item: GiftSettlementItem): GiftSettlementItem & { pkId?: string } {
  return item.signed.pkId === undefined ? item : { ...item, pkId: item.signed.pkId };
}

/**
 * Why GiftSettlementItem would refuse an item built from a send_gift message that passed
 * decodeMessage(SendGiftMq), or null: what validatePayload(GiftSettlementItem, item) says for such an item,
 * without class-validator per gift (about 50 µs each; the consumer settles thousands a second). Every
 * field the item shares with the message carries the same constraints in both classes (the spec compares
 * their metadata), so only what the item tightens or adds is checked: the key id's pattern, the
 * signature's length, the refusal reason.
 */
export function settlementItemOfMessageProblem(item: GiftSettlementItem): string | null {
  const problems: string[] = [];
  const { sigKeyId, sig } = item.signed;
  if (!SIGNING_KEY_ID_PATTERN.test(sigKeyId))
    problems.push(`signed.sigKeyId: sigKeyId must match ${SIGNING_KEY_ID_PATTERN} regular expression`);
  if (sig.length > SIG_MAX_LENGTH)
    problems.push(`signed.sig: sig must be shorter than or equal to ${SIG_MAX_LENGTH} characters`);
  const reason = item.refuseUnlessSettled;
  if (reason !== undefined && (reason.length === 0 || reason.length > REFUSAL_MAX_LENGTH))
    problems.push(`refuseUnlessSettled: refuseUnlessSettled must be 1..${REFUSAL_MAX_LENGTH} characters`);
  return problems.length === 0 ? null : `GiftSettlementItem: ${problems.join('; ')}`;
}

/** The signature part of a settlement item, from the signed message (the inverse of signedOrderOf). */
export function orderSignatureOf(mq: SendGiftMq): GiftOrderSignature {
  return {
    giftName: mq.giftName,
    effectUrl: mq.url,
    type: mq.type,
    sendTime: mq.sendTime,
    ...(mq.pkId === undefined ? {} : { pkId: mq.pkId }),
    sigKeyId: mq.sigKeyId ?? '',
    sig: mq.sig ?? '',
  };
}

export type { UnsignedSendGift };

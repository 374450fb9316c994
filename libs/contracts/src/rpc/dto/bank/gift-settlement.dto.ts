import { IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';
import { IsBatchOf, IsEntityId, IsPositiveAmount, IsRequestId } from '../../../validation';

/** The most gifts one settlement call may carry (one database transaction). */
export const MAX_GIFT_SETTLEMENT_BATCH = 1000;

/** One gift to charge: `price` coins from `senderId` to `receiverId`, at most once per `requestId`. */
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

  @IsPositiveAmount()
  price!: number;

  /**
   * Set for a message that is genuine (signed by api-gateway) but no longer checks out against the catalogue
   * or the room (its gift's price changed since it was sent, say): settle it only as a replay, when this
   * request id was settled before (when it did check out); otherwise reject it with this reason (in words
   * fit for the sender) and move nothing. A redelivery after a price change so gets the first answer.
   */
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
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

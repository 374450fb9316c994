import { IsOptional, IsString, MaxLength } from 'class-validator';
import {
  IsEntityId,
  IsEnumValue,
  IsNonNegativeInt,
  IsOptionalPkId,
  IsPositiveAmount,
  IsRequestId,
} from '../../validation';
import { IsGiftCount } from './gift-count';

/** Where a gift was sent from (the original system's SendGiftTypeEnum). */
export enum SendGiftType {
  /** An ordinary live room. */
  DEFAULT = 0,
  /** A PK (anchor versus anchor) room. */
  PK = 1,
}

/**
 * Value of topic `send_gift`: one gift a viewer sent, accepted by api-gateway (gift found, cheap
 * balance pre-check passed), signed by it (sigKeyId, sig) and not yet charged. It carries what the effect
 * needs (giftName, price, url), so gift-service never looks the gift up for its push. Wire names (API.md):
 * `userId` is the sender (senderId inside), `url` the effect (effectUrl inside). Key: sendGiftKey (the sender), so one sender's
 * gifts are settled in the order they were sent.
 */
export class SendGiftMq {
  /** The sender (who pays). */
  @IsEntityId()
  userId!: number;

  @IsEntityId()
  giftId!: number;

  /** The gift's name as the gateway's catalogue had it when it accepted the gift (shown by the effect, 5556). */
  @IsString()
  @MaxLength(128)
  giftName!: string;

  /** Coins, as the gift cost when the gateway accepted it: what will be charged. */
  @IsPositiveAmount()
  price!: number;

  /**
   * How many of the gift (1..GIFT_COUNT_MAX): ONE trade of price x count, ONE effect showing the count.
   * Absent (a message of an older producer): 1. Signed when it is not 1 (signSendGift).
   */
  @IsGiftCount()
  count?: number;

  /** The anchor who receives the gift (and the coins). */
  @IsEntityId()
  receiverId!: number;

  @IsEntityId()
  roomId!: number;

  /** The gift's SVGA effect URL (may be empty for a gift without an effect). */
  @IsString()
  @MaxLength(1024)
  url!: string;

  /** Idempotency key: the client's Idempotency-Key / requestId, else a UUID made by the gateway. Charged at most once. */
  @IsRequestId()
  requestId!: string;

  @IsEnumValue(SendGiftType)
  type!: SendGiftType;

  /**
   * A gift in a PK room while a PK runs (issue 21; `type` PK): the PK it was sent in, `pk-<roomId>-<seq>`. The
   * bar moves only for a charged gift naming the room's running PK. Signed, and part of the request id's
   * fingerprint, when present; absent on every other gift (signed and fingerprinted exactly as before).
   */
  @IsOptionalPkId()
  pkId?: string;

  /** When the gateway accepted the gift, epoch milliseconds. */
  @IsNonNegativeInt()
  sendTime!: number;

  /**
   * The id of the key that signed this message (signSendGift). Optional here so that an unsigned or
   * oddly signed message still decodes and is parked with the precise reason by verifySendGift.
   */
  @IsOptional()
  @IsString()
  @MaxLength(64)
  sigKeyId?: string;

  /** HMAC-SHA256 of the other fields under key `sigKeyId`, base64url: gift-service charges nothing unsigned. */
  @IsOptional()
  @IsString()
  @MaxLength(128)
  sig?: string;
}

import { IsInt, IsOptional, IsString, Min } from 'class-validator';

/**
 * Value of a parking topic (`send_gift.parked`): a consumed message that could not be used, kept as it
 * came (up to 64 KiB of its value) with why (up to 2 KiB) and where from. Key: the original key when it is
 * at most 256 characters long, else none (a send_gift key is a user id; the origin names the message).
 */
export class ParkedMessage {
  /** Why it was parked (decode error, refused by the settlement as invalid...). */
  @IsString()
  reason!: string;

  @IsString()
  originTopic!: string;

  @IsInt()
  @Min(0)
  originPartition!: number;

  @IsString()
  originOffset!: string;

  /** The original value as UTF-8 text (null for a tombstone). */
  @IsOptional()
  @IsString()
  rawValue!: string | null;

  /** When it was parked, epoch milliseconds. */
  @IsInt()
  parkedAt!: number;
}

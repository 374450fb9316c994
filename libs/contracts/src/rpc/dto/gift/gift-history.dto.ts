import { IsInt, Max, Min } from 'class-validator';
import { IsEntityId, IsOptionalCursor } from '../../../validation';

/** A page of gift history holds 1..100 rows. */
export const GIFT_HISTORY_MAX_LIMIT = 100;
/** The page size when the caller gives none. */
export const GIFT_HISTORY_DEFAULT_LIMIT = 20;
/** A cursor as gift-service writes it (base64url, short); anything else is not one of its cursors. */
export const GIFT_HISTORY_CURSOR_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/** What every history request has: where to continue (an opaque cursor from the last page) and how many rows. */
export abstract class GiftHistoryPageRequest {
  /** The `nextCursor` of the previous page; absent: the newest rows. */
  @IsOptionalCursor(GIFT_HISTORY_CURSOR_PATTERN, 'cursor must be a cursor this endpoint gave')
  cursor?: string;

  @IsInt()
  @Min(1)
  @Max(GIFT_HISTORY_MAX_LIMIT)
  limit!: number;
}

/** GiftRpc.HISTORY_SENT / HISTORY_RECEIVED: the gifts a user sent / received, newest first. */
export class GiftHistoryByUserRequest extends GiftHistoryPageRequest {
  @IsEntityId()
  userId!: number;
}

/** GiftRpc.HISTORY_ROOM: the gifts sent in a room, newest first (who may read it is the caller's rule). */
export class GiftHistoryByRoomRequest extends GiftHistoryPageRequest {
  @IsEntityId()
  roomId!: number;
}

/** One charged gift, one row per gift (a t_gift_record row, with the gift's name from the catalogue). */
export class GiftHistoryItemDto {
  requestId!: string;
  giftId!: number;
  giftName!: string;
  /** Coins per gift, as charged (the send cost price x count). */
  price!: number;
  /** How many of the gift the send carried (1..999; gifts recorded before counts: 1). */
  count!: number;
  /** The combo shown with it (5556): the sender's streak of sends of this gift in a row, this one included. */
  combo!: number;
  senderId!: number;
  receiverId!: number;
  roomId!: number;
  /** When the gateway accepted the gift (epoch milliseconds). */
  sendTime!: number;
}

/** One page, newest first; `nextCursor` continues after its last row, null when there is nothing older. */
export class GiftHistoryPage {
  list!: GiftHistoryItemDto[];
  nextCursor!: string | null;
}

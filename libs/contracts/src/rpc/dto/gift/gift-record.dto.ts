import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { IsEntityId } from '../../../validation';
import { Page, PageRequest } from '../common';

/** One charged gift (t_gift_record; one row per requestId). */
export class GiftRecordDto {
  requestId!: string;
  /** The sender. */
  userId!: number;
  receiverId!: number;
  roomId!: number;
  giftId!: number;
  price!: number;
  /** Position in a run of the same gift from the same sender (1 = not a combo). */
  combo!: number;
  /** Epoch milliseconds. */
  sendTime!: number;
}

export type GiftRecordPage = Page<GiftRecordDto>;

/** GiftRpc.RECORDS_BY_ROOM: newest first. */
export class ListRoomGiftRecordsRequest extends PageRequest {
  @IsEntityId()
  roomId!: number;
}

/** GiftRpc.RECORDS_BY_USER: gifts the user sent, newest first. */
export class ListUserGiftRecordsRequest extends PageRequest {
  @IsEntityId()
  userId!: number;
}

export const CONTRIBUTION_BOARD_MAX = 100;

/** GiftRpc.CONTRIBUTION_BOARD: the room's top senders by coins spent. */
export class ContributionBoardRequest {
  @IsEntityId()
  roomId!: number;

  /** Default 10. */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(CONTRIBUTION_BOARD_MAX)
  limit?: number;
}

export class ContributionEntryDto {
  /** 1 = top. */
  rank!: number;
  userId!: number;
  /** Coins the user spent on gifts in this room. */
  score!: number;
}

export class ContributionBoardResponse {
  entries!: ContributionEntryDto[];
}

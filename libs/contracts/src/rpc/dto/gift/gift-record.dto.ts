import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { IsEntityId } from '../../../validation';

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

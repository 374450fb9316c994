import { ToInt } from '@live/common';
import {
  GIFT_HISTORY_CURSOR_PATTERN,
  GIFT_HISTORY_DEFAULT_LIMIT,
  GIFT_HISTORY_MAX_LIMIT,
  IsOptionalCursor,
} from '@live/contracts';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { IdField } from '../common/page.dto';

/** `{ cursor?, limit? }`: where to continue and how many rows (1..100, default 20). */
export class GiftHistoryDto {
  @ApiPropertyOptional({
    description:
      "the previous page's nextCursor (opaque); absent: the newest gifts; null (a last page's nextCursor) is refused",
    pattern: GIFT_HISTORY_CURSOR_PATTERN.source,
    maxLength: 64,
  })
  @IsOptionalCursor(GIFT_HISTORY_CURSOR_PATTERN, 'cursor must be a nextCursor this endpoint gave')
  cursor?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: GIFT_HISTORY_MAX_LIMIT, default: GIFT_HISTORY_DEFAULT_LIMIT })
  @IsOptional()
  @ToInt()
  @IsInt()
  @Min(1)
  @Max(GIFT_HISTORY_MAX_LIMIT)
  limit?: number;
}

/** `{ roomId, cursor?, limit? }`. */
export class RoomGiftHistoryDto extends GiftHistoryDto {
  @ApiProperty({ example: 1 })
  @IdField()
  roomId!: number;
}

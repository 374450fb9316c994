import { ToInt } from '@live/common';
import { GIFT_NAME_MAX_LENGTH, GIFT_SORT_ORDER_MAX, GIFT_URL_MAX_LENGTH, GiftStatus } from '@live/contracts';
import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { IdField, INT_MAX, StringField } from '../common/page.dto';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min, MinLength } from 'class-validator';

/** A client idempotency key (header Idempotency-Key or body requestId). */
export const CLIENT_REQUEST_ID_PATTERN = /^[A-Za-z0-9_\-.]{1,40}$/;
const MAX_PRICE = 1_000_000_000;

export class SendGiftDto {
  @ApiProperty({ example: 1 })
  @IdField(INT_MAX)
  giftId!: number;

  @ApiProperty({ example: 1 })
  @IdField()
  roomId!: number;

  @ApiProperty({ description: 'the anchor of the room' })
  @IdField()
  receiverId!: number;

  @ApiPropertyOptional({ description: 'idempotency key (or header Idempotency-Key): 1-40 of A-Z a-z 0-9 _ - .' })
  @IsOptional()
  @IsString()
  @Matches(CLIENT_REQUEST_ID_PATTERN, { message: 'requestId must be 1-40 characters of A-Z a-z 0-9 _ - .' })
  requestId?: string;
}

export class SendGiftView {
  @ApiProperty({ description: 'the id the outcome (5556 / 5557 over the IM connection) carries' })
  requestId!: string;
}

export class GiftPanelItemView {
  @ApiProperty() giftId!: number;
  @ApiProperty() giftName!: string;
  @ApiProperty() price!: number;
  @ApiProperty() coverImgUrl!: string;
  @ApiProperty() svgaUrl!: string;
}

export class BoardDto {
  @ApiProperty()
  @IdField()
  roomId!: number;

  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 10 })
  @IsOptional()
  @ToInt()
  @IsInt()
  @Min(1)
  @Max(100)
  limit?: number;
}

export class InsertGiftDto {
  @ApiProperty({ maxLength: GIFT_NAME_MAX_LENGTH })
  @IsString()
  @MinLength(1)
  @MaxLength(GIFT_NAME_MAX_LENGTH)
  giftName!: string;

  @ApiProperty({ minimum: 1 })
  @ToInt()
  @IsInt()
  @Min(1)
  @Max(MAX_PRICE)
  price!: number;

  @ApiPropertyOptional({ enum: [0, 1] })
  @IsOptional()
  @ToInt()
  @IsIn([GiftStatus.DISABLED, GiftStatus.ENABLED])
  status?: GiftStatus;

  @StringField(GIFT_URL_MAX_LENGTH)
  coverImgUrl!: string;

  @StringField(GIFT_URL_MAX_LENGTH)
  svgaUrl!: string;

  @ApiPropertyOptional()
  @IsOptional()
  @ToInt()
  @IsInt()
  @Min(0)
  @Max(GIFT_SORT_ORDER_MAX)
  sortOrder?: number;
}

/** The fields given change; the others stay. */
export class UpdateGiftDto extends PartialType(InsertGiftDto) {
  @ApiProperty()
  @IdField(INT_MAX)
  giftId!: number;
}

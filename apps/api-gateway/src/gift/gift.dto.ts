import { ToInt } from '@live/common';
import { GIFT_NAME_MAX_LENGTH, GIFT_SORT_ORDER_MAX, GIFT_URL_MAX_LENGTH, GiftStatus } from '@live/contracts';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min, MinLength } from 'class-validator';

/** A client idempotency key (header Idempotency-Key or body requestId). */
export const CLIENT_REQUEST_ID_PATTERN = /^[A-Za-z0-9_\-.]{1,40}$/;
const MAX_ID = Number.MAX_SAFE_INTEGER;
const MAX_PRICE = 1_000_000_000;

export class SendGiftDto {
  @ApiProperty({ example: 1 })
  @ToInt()
  @IsInt()
  @Min(1)
  @Max(2_147_483_647)
  giftId!: number;

  @ApiProperty({ example: 1 })
  @ToInt()
  @IsInt()
  @Min(1)
  @Max(MAX_ID)
  roomId!: number;

  @ApiProperty({ description: 'the anchor of the room' })
  @ToInt()
  @IsInt()
  @Min(1)
  @Max(MAX_ID)
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
  @ToInt()
  @IsInt()
  @Min(1)
  @Max(MAX_ID)
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

  @ApiProperty({ maxLength: GIFT_URL_MAX_LENGTH })
  @IsString()
  @MaxLength(GIFT_URL_MAX_LENGTH)
  coverImgUrl!: string;

  @ApiProperty({ maxLength: GIFT_URL_MAX_LENGTH })
  @IsString()
  @MaxLength(GIFT_URL_MAX_LENGTH)
  svgaUrl!: string;

  @ApiPropertyOptional()
  @IsOptional()
  @ToInt()
  @IsInt()
  @Min(0)
  @Max(GIFT_SORT_ORDER_MAX)
  sortOrder?: number;
}

export class UpdateGiftDto {
  @ApiProperty()
  @ToInt()
  @IsInt()
  @Min(1)
  @Max(2_147_483_647)
  giftId!: number;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(GIFT_NAME_MAX_LENGTH)
  giftName?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @ToInt()
  @IsInt()
  @Min(1)
  @Max(MAX_PRICE)
  price?: number;

  @ApiPropertyOptional({ enum: [0, 1] })
  @IsOptional()
  @ToInt()
  @IsIn([GiftStatus.DISABLED, GiftStatus.ENABLED])
  status?: GiftStatus;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(GIFT_URL_MAX_LENGTH)
  coverImgUrl?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(GIFT_URL_MAX_LENGTH)
  svgaUrl?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @ToInt()
  @IsInt()
  @Min(0)
  @Max(GIFT_SORT_ORDER_MAX)
  sortOrder?: number;
}

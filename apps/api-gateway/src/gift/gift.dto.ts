import { ToInt } from '@live/common';
import {
  ASSET_URL_PATTERN,
  ASSET_URL_RULE,
  GIFT_COUNT_MAX,
  GIFT_NAME_MAX_LENGTH,
  GIFT_SORT_ORDER_MAX,
  GIFT_URL_MAX_LENGTH,
  GiftStatus,
  IsAssetUrl,
  IsShownText,
  SHOWN_TEXT_RULES,
} from '@live/contracts';
import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { CLIENT_REQUEST_ID_PATTERN } from '../common/idempotency-key';
import { IdField, INT_MAX } from '../common/page.dto';
import { IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';

const MAX_PRICE = 1_000_000_000;

/**
 * POST /gift/send's body (and /bench/*'s): checked by Fastify's compiled validator (@RouteSchema, the hot
 * path), not by class-validator; the digits of a form field become integers first (digitStringsToIntegers).
 */
export const SEND_GIFT_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['giftId', 'roomId', 'receiverId'],
  properties: {
    giftId: { type: 'integer', minimum: 1, maximum: INT_MAX },
    roomId: { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER },
    receiverId: {
      type: 'integer',
      minimum: 1,
      maximum: Number.MAX_SAFE_INTEGER,
      description: 'the anchor of the room',
    },
    count: {
      type: 'integer',
      minimum: 1,
      maximum: GIFT_COUNT_MAX,
      default: 1,
      description: 'how many of the gift: ONE trade of price x count, ONE effect (5556) showing the count',
    },
    requestId: {
      type: 'string',
      pattern: CLIENT_REQUEST_ID_PATTERN.source,
      description: 'idempotency key (or header Idempotency-Key): 1-40 of A-Z a-z 0-9 _ - .',
    },
  },
} as const;

/** The body SEND_GIFT_SCHEMA lets through. */
export interface SendGiftBody {
  giftId: number;
  roomId: number;
  receiverId: number;
  /** Absent: 1 (the schema fills in no default). */
  count?: number;
  requestId?: string;
}

/** SEND_GIFT_SCHEMA in the OpenAPI document (the schema is the one source of its fields and limits). */
export class SendGiftDto implements SendGiftBody {
  @ApiProperty({ ...SEND_GIFT_SCHEMA.properties.giftId, example: 1 })
  giftId!: number;

  @ApiProperty({ ...SEND_GIFT_SCHEMA.properties.roomId, example: 1 })
  roomId!: number;

  @ApiProperty(SEND_GIFT_SCHEMA.properties.receiverId)
  receiverId!: number;

  @ApiPropertyOptional({ ...SEND_GIFT_SCHEMA.properties.count, example: 1 })
  count?: number;

  @ApiPropertyOptional(SEND_GIFT_SCHEMA.properties.requestId)
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

/** A gift's picture (cover, animation): its documented and checked rule, written once for both fields. */
const AssetUrlField = (): PropertyDecorator =>
  applyDecorators(
    ApiProperty({
      maxLength: GIFT_URL_MAX_LENGTH,
      pattern: ASSET_URL_PATTERN.source,
      description: `${ASSET_URL_RULE}; empty: none`,
    }),
    IsAssetUrl(GIFT_URL_MAX_LENGTH),
  );

export class InsertGiftDto {
  @ApiProperty({
    maxLength: GIFT_NAME_MAX_LENGTH,
    description: `shown to every viewer: once trimmed, ${SHOWN_TEXT_RULES}`,
  })
  @IsShownText(GIFT_NAME_MAX_LENGTH)
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

  @AssetUrlField()
  coverImgUrl!: string;

  @AssetUrlField()
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

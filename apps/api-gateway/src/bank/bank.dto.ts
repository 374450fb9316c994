import { ToInt } from '@live/common';
import { EarningsResponse, ORDER_ID_PATTERN, PayChannel, PaySource } from '@live/contracts';
import { EnumField, IdField, MatchingField } from '../common/page.dto';
import { ApiProperty } from '@nestjs/swagger';
import { IsInt, IsString, Max, MaxLength, Min, MinLength } from 'class-validator';

export class ProductsDto {
  @ApiProperty({ description: 'product type (0: coins)', example: 0 })
  @ToInt()
  @IsInt()
  @Min(0)
  @Max(1_000)
  type!: number;
}

export class PayProductDto {
  @ApiProperty()
  @IdField()
  productId!: number;

  @EnumField(PaySource)
  paySource!: PaySource;

  @EnumField(PayChannel)
  payChannel!: PayChannel;
}

export class OrderIdDto {
  @MatchingField(ORDER_ID_PATTERN, 'orderId must be 1-64 characters of A-Z a-z 0-9 _ -')
  orderId!: string;
}

export class PayNotifyDto extends OrderIdDto {
  @ApiProperty({ description: 'HMAC-SHA256 of the provider over the order' })
  @IsString()
  @MinLength(1)
  @MaxLength(256)
  signature!: string;
}

/** The `data` of `/bank/earnings` (OpenAPI). */
export class EarningsView implements EarningsResponse {
  @ApiProperty({ description: 'coins received as an anchor, not yet withdrawn: withdrawable + pending' })
  earnings!: number;
  @ApiProperty({ description: 'earnings older than EARNINGS_HOLD_DAYS days: can be withdrawn' })
  withdrawable!: number;
  @ApiProperty({ description: 'earnings of the last EARNINGS_HOLD_DAYS days: held, not withdrawable yet' })
  pending!: number;
  @ApiProperty({ description: 'received since midnight (the database clock)' })
  today!: number;
  @ApiProperty({ description: 'received in the last 7 days (7 × 24 hours)' })
  last7Days!: number;
  @ApiProperty({ description: 'received, all time' })
  total!: number;
}

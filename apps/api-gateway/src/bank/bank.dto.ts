import { ToInt } from '@live/common';
import { ORDER_ID_PATTERN, PayChannel, PaySource } from '@live/contracts';
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

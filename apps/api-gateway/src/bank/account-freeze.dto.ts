import { ACCOUNT_STATUS_REASON_MAX_LENGTH, AccountStatusResponse } from '@live/contracts';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { IdField } from '../common/page.dto';

export class UnfreezeAccountDto {
  @ApiProperty({ description: 'the user whose wallet changes' })
  @IdField()
  userId!: number;

  @ApiPropertyOptional({ description: 'why (recorded with the admin)', maxLength: ACCOUNT_STATUS_REASON_MAX_LENGTH })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(ACCOUNT_STATUS_REASON_MAX_LENGTH)
  @Matches(/\S/, { message: 'reason must not be blank' })
  reason?: string;
}

export class FreezeAccountDto {
  @ApiProperty({ description: 'the user whose wallet is frozen' })
  @IdField()
  userId!: number;

  @ApiProperty({ description: 'why (recorded with the admin)', maxLength: ACCOUNT_STATUS_REASON_MAX_LENGTH })
  @IsString()
  @MinLength(1)
  @MaxLength(ACCOUNT_STATUS_REASON_MAX_LENGTH)
  @Matches(/\S/, { message: 'reason must not be blank' })
  reason!: string;
}

/** The `data` of `/bank/admin/freeze` and `/bank/admin/unfreeze` (OpenAPI). */
export class AccountStatusView implements AccountStatusResponse {
  @ApiProperty() userId!: number;
  @ApiProperty({ enum: ['frozen', 'active'] }) status!: 'frozen' | 'active';
}

import { ACCOUNT_STATUS_REASON_MAX_LENGTH, AccountStatusResponse, IsAccountStatusReason } from '@live/contracts';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional } from 'class-validator';
import { IdField } from '../common/page.dto';

export class UnfreezeAccountDto {
  @ApiProperty({ description: 'the user whose wallet changes' })
  @IdField()
  userId!: number;

  @ApiPropertyOptional({ description: 'why (recorded with the admin)', maxLength: ACCOUNT_STATUS_REASON_MAX_LENGTH })
  @IsOptional()
  @IsAccountStatusReason()
  reason?: string;
}

export class FreezeAccountDto {
  @ApiProperty({ description: 'the user whose wallet is frozen' })
  @IdField()
  userId!: number;

  @ApiProperty({ description: 'why (recorded with the admin)', maxLength: ACCOUNT_STATUS_REASON_MAX_LENGTH })
  @IsAccountStatusReason()
  reason!: string;
}

/** The `data` of `/bank/admin/freeze` and `/bank/admin/unfreeze` (OpenAPI). */
export class AccountStatusView implements AccountStatusResponse {
  @ApiProperty() userId!: number;
  @ApiProperty({ enum: ['frozen', 'active'] }) status!: 'frozen' | 'active';
}

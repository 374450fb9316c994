import { ToInt } from '@live/common';
import {
  IsOptionalCursor,
  IsWithdrawalRejectReason,
  WITHDRAWAL_CURSOR_PATTERN,
  WITHDRAWAL_PAGE_DEFAULT_LIMIT,
  WITHDRAWAL_PAGE_MAX_LIMIT,
  WITHDRAWAL_REASON_MAX_LENGTH,
  WithdrawalDto,
  WithdrawalPage,
  WithdrawalStatusName,
} from '@live/contracts';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { IdField } from '../common/page.dto';

/** `{ amount }` of `/bank/withdraw` (the Idempotency-Key header is required). */
export class WithdrawDto {
  @ApiProperty({ description: 'coins of withdrawable earnings (at least BANK_WITHDRAW_MIN)', example: 1000 })
  @IdField()
  amount!: number;
}

/** `{ cursor?, limit? }` of `/bank/withdrawals`. */
export class WithdrawalsDto {
  @ApiPropertyOptional({
    description:
      "the previous page's nextCursor (opaque); absent: the newest orders; null (a last page's nextCursor) is refused",
    pattern: WITHDRAWAL_CURSOR_PATTERN.source,
    maxLength: 64,
  })
  @IsOptionalCursor(WITHDRAWAL_CURSOR_PATTERN, 'cursor must be a nextCursor this endpoint gave')
  cursor?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: WITHDRAWAL_PAGE_MAX_LIMIT, default: WITHDRAWAL_PAGE_DEFAULT_LIMIT })
  @IsOptional()
  @ToInt()
  @IsInt()
  @Min(1)
  @Max(WITHDRAWAL_PAGE_MAX_LIMIT)
  limit?: number;
}

/** `{ withdrawalId }` of the admin routes. */
export class WithdrawalIdDto {
  @ApiProperty({ example: 1 })
  @IdField()
  withdrawalId!: number;
}

/** `{ withdrawalId, reason }` of `/bank/admin/withdrawal/reject`. */
export class RejectWithdrawalDto extends WithdrawalIdDto {
  @ApiProperty({
    description:
      'why (shown to the user; not blank: something visible once whitespace and invisible characters are left out; no lone surrogate or noncharacter)',
    maxLength: WITHDRAWAL_REASON_MAX_LENGTH,
  })
  @IsWithdrawalRejectReason()
  reason!: string;
}

const STATUSES: WithdrawalStatusName[] = ['requested', 'approved', 'paid', 'rejected'];

/** A withdrawal order (OpenAPI). */
export class WithdrawalView implements WithdrawalDto {
  @ApiProperty() withdrawalId!: number;
  @ApiProperty() userId!: number;
  @ApiProperty({ description: 'coins taken off earnings: fee + net' }) amount!: number;
  @ApiProperty({ description: "the platform's cut: floor(amount × BANK_WITHDRAW_FEE_BPS / 10000)" }) fee!: number;
  @ApiProperty({ description: 'paid out: amount - fee' }) net!: number;
  @ApiProperty({ enum: STATUSES, description: 'requested -> approved -> paid; requested | approved -> rejected' })
  status!: WithdrawalStatusName;
  @ApiProperty({ type: String, nullable: true, description: 'why it was rejected; null otherwise' })
  reason!: string | null;
  @ApiProperty({ description: 'epoch ms' }) createTime!: number;
  @ApiProperty({ description: 'epoch ms' }) updateTime!: number;
}

export class WithdrawalPageView implements WithdrawalPage {
  @ApiProperty({ type: [WithdrawalView], description: 'newest first' }) list!: WithdrawalView[];
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'the cursor of the next (older) page; null: this is the last page',
  })
  nextCursor!: string | null;
}

import { IsInt, Max, Min } from 'class-validator';
import { IsEntityId, IsOptionalCursor, IsPositiveAmount, IsReasonText, IsRequestId } from '../../../validation';
import { BankOrderRequest } from './bank-order.dto';

/** A page of withdrawal orders holds 1..100 rows (20 when the caller gives none). */
export const WITHDRAWAL_PAGE_MAX_LIMIT = 100;
export const WITHDRAWAL_PAGE_DEFAULT_LIMIT = 20;
/** A cursor as bank-service writes it (base64url, short). */
export const WITHDRAWAL_CURSOR_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
/** The longest rejection reason. */
export const WITHDRAWAL_REASON_MAX_LENGTH = 255;

export type WithdrawalStatusName = 'requested' | 'approved' | 'paid' | 'rejected';

/** BankRpc.CREATE_WITHDRAWAL: `amount` of the caller's withdrawable earnings out, once per (user, requestId). Gateway-signed. */
export class CreateWithdrawalRequest extends BankOrderRequest {
  @IsEntityId()
  userId!: number;

  /** The client's Idempotency-Key: the same key and amount answer the same order. */
  @IsRequestId()
  requestId!: string;

  @IsPositiveAmount()
  amount!: number;
}

/** BankRpc.LIST_WITHDRAWALS: the user's orders, newest first, keyset paged. */
export class ListWithdrawalsRequest {
  @IsEntityId()
  userId!: number;

  @IsOptionalCursor(WITHDRAWAL_CURSOR_PATTERN, 'cursor must be a cursor this endpoint gave')
  cursor?: string;

  @IsInt()
  @Min(1)
  @Max(WITHDRAWAL_PAGE_MAX_LIMIT)
  limit!: number;
}

/** BankRpc.APPROVE_WITHDRAWAL / MARK_WITHDRAWAL_PAID (admins: the gateway checks, and signs the order). */
export class WithdrawalIdRequest extends BankOrderRequest {
  @IsEntityId()
  withdrawalId!: number;

  /** The admin asking (from the token; logged with the review). */
  @IsEntityId()
  adminId!: number;
}

/** Why a withdrawal is rejected: 1..255 characters, not blank. */
export function IsWithdrawalRejectReason(): PropertyDecorator {
  return IsReasonText(WITHDRAWAL_REASON_MAX_LENGTH);
}

/** BankRpc.REJECT_WITHDRAWAL: the amount goes back to the user's earnings. */
export class RejectWithdrawalRequest extends WithdrawalIdRequest {
  @IsWithdrawalRejectReason()
  reason!: string;
}

/** One withdrawal order. amount = fee (the platform's cut) + net (paid out). */
export class WithdrawalDto {
  withdrawalId!: number;
  userId!: number;
  amount!: number;
  fee!: number;
  net!: number;
  status!: WithdrawalStatusName;
  /** Why it was rejected; null otherwise. */
  reason!: string | null;
  /** Epoch milliseconds. */
  createTime!: number;
  updateTime!: number;
}

/** One page, newest first; `nextCursor` null on the last page. */
export class WithdrawalPage {
  list!: WithdrawalDto[];
  nextCursor!: string | null;
}

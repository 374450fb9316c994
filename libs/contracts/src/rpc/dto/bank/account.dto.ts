import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { IsEntityId, IsPositiveAmount, IsRequestId } from '../../../validation';

/** BankRpc.CREATE_ACCOUNT */
export class CreateAccountRequest {
  @IsEntityId()
  userId!: number;
}

export class AccountResponse {
  userId!: number;
  balance!: number;
}

/** BankRpc.GET_BALANCE */
export class GetBalanceRequest {
  @IsEntityId()
  userId!: number;
}

export class BalanceResponse {
  /** Coins; 0 for a user without a wallet. */
  balance!: number;
}

/**
 * A credit (BankRpc.INCR) or a debit (BankRpc.DECR) of `num` coins with its ledger row. Applied once per
 * requestId: a repeated request gets the first answer with `replayed: true`. A debit never takes a
 * balance below zero (it is refused with an insufficient-balance error instead).
 */
export class BalanceChangeRequest {
  @IsEntityId()
  userId!: number;

  /** Always positive: the pattern says which way the coins go. */
  @IsPositiveAmount()
  num!: number;

  @IsRequestId()
  requestId!: string;

  /** The ledger's trade type (bank-service's TradeType); the bank picks its default per pattern when absent. */
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(1000)
  type?: number;
}

export class IncrBalanceRequest extends BalanceChangeRequest {}
export class DecrBalanceRequest extends BalanceChangeRequest {}

export class BalanceChangeResponse {
  balance!: number;
  /** True when this requestId was applied before: nothing changed now. */
  replayed!: boolean;
}

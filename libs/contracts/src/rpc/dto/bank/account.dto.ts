import { IsEntityId } from '../../../validation';

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
  /**
   * The spending safeguards, for the gateway's pre-check when the balance cache misses (never shown to
   * clients: `/bank/balance` answers the balance only). Absent from an older bank-service.
   */
  frozen?: boolean;
  /** Coins spent on gifts today (UTC). */
  spentToday?: number;
  /** BANK_DAILY_SPEND_CAP (0: none). */
  dailySpendCap?: number;
}

/** BankRpc.GET_EARNINGS */
export class GetEarningsRequest {
  @IsEntityId()
  userId!: number;
}

/**
 * A receiver's gift earnings (coins). `earnings` = `withdrawable` + `pending`: pending is what was credited
 * within the last EARNINGS_HOLD_DAYS days (held), withdrawable the rest. `today` (since the database's
 * midnight), `last7Days` (the last 7 × 24 hours) and `total` sum the gift credits of the ledger.
 */
export class EarningsResponse {
  earnings!: number;
  withdrawable!: number;
  pending!: number;
  today!: number;
  last7Days!: number;
  total!: number;
}

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
}

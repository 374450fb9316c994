import { IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { IsEntityId } from '../../../validation';

/** The longest reason a freeze or an unfreeze records (t_account_status_log.reason). */
export const ACCOUNT_STATUS_REASON_MAX_LENGTH = 200;

/** BankRpc.FREEZE_ACCOUNT and BankRpc.UNFREEZE_ACCOUNT: the wallet, the admin who asked (from the token) and why. */
export class SetAccountStatusRequest {
  @IsEntityId()
  userId!: number;

  @IsEntityId()
  adminId!: number;

  @IsString()
  @MinLength(1)
  @MaxLength(ACCOUNT_STATUS_REASON_MAX_LENGTH)
  @Matches(/\S/, { message: 'reason must not be blank' })
  reason!: string;
}

export class AccountStatusResponse {
  userId!: number;
  status!: 'frozen' | 'active';
}

import { IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { IsEntityId } from '../../../validation';

/** The longest reason a freeze or an unfreeze records (t_account_status_log.reason). */
export const ACCOUNT_STATUS_REASON_MAX_LENGTH = 200;

/** Why a wallet is frozen or unfrozen: 1..200 characters, not blank. */
export function IsAccountStatusReason(): PropertyDecorator {
  const rules = [
    IsString(),
    MinLength(1),
    MaxLength(ACCOUNT_STATUS_REASON_MAX_LENGTH),
    Matches(/\S/, { message: 'reason must not be blank' }),
  ];
  return (target, key) => rules.forEach((rule) => rule(target, key));
}

/** BankRpc.FREEZE_ACCOUNT and BankRpc.UNFREEZE_ACCOUNT: the wallet, the admin who asked (from the token) and why. */
export class SetAccountStatusRequest {
  @IsEntityId()
  userId!: number;

  @IsEntityId()
  adminId!: number;

  @IsAccountStatusReason()
  reason!: string;
}

export class AccountStatusResponse {
  userId!: number;
  status!: 'frozen' | 'active';
}

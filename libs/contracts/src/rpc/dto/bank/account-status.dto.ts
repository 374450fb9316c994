import { IsEntityId, IsReasonText } from '../../../validation';
import { BankOrderRequest } from './bank-order.dto';

/** The longest reason a freeze or an unfreeze records (t_account_status_log.reason). */
export const ACCOUNT_STATUS_REASON_MAX_LENGTH = 200;

/** Why a wallet is frozen or unfrozen: 1..200 characters, not blank. */
export function IsAccountStatusReason(): PropertyDecorator {
  return IsReasonText(ACCOUNT_STATUS_REASON_MAX_LENGTH);
}

/** BankRpc.FREEZE_ACCOUNT and BankRpc.UNFREEZE_ACCOUNT: the wallet, the admin who asked (from the token) and why. Gateway-signed. */
export class SetAccountStatusRequest extends BankOrderRequest {
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

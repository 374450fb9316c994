import { BankClient } from '@live/common';
import {
  AccountStatusResponse,
  BankOrderPattern,
  BankRpc,
  CreatePayOrderRequest,
  CreatePayOrderResponse,
  CreateWithdrawalRequest,
  RefundOrderRequest,
  RefundOrderResponse,
  RejectWithdrawalRequest,
  SetAccountStatusRequest,
  signBankOrder,
  SigningKey,
  Unsigned,
  WithdrawalDto,
  WithdrawalIdRequest,
} from '@live/contracts';
import { Injectable } from '@nestjs/common';
import { GatewayEnv } from '../config/api-gateway.env';

/**
 * The bank-service calls that move money or a wallet's rights on a user's or an admin's word, signed by this
 * gateway (BANK_ORDER_SIGNING_KEY; signBankOrder) after it authenticated that user or admin: bank-service
 * carries out none of them without the signature (BANK_ORDER_PATTERNS, checked with BANK_ORDER_VERIFY_KEYS,
 * which no other service holds), so the internal RPC key, which every service holds, does not let another
 * service (gift-service, im-core, im-router) or a leaked key withdraw, review, refund, freeze or unfreeze, or make
 * recharge orders in another user's name.
 */
@Injectable()
export class BankOrders {
  private readonly key: SigningKey;

  constructor(
    private readonly bank: BankClient,
    env: GatewayEnv,
  ) {
    this.key = { id: env.BANK_ORDER_SIGNING_KEY_ID, secret: env.BANK_ORDER_SIGNING_KEY };
  }

  createPayOrder(order: Unsigned<CreatePayOrderRequest>): Promise<CreatePayOrderResponse> {
    return this.bank.createPayOrder(this.sign(BankRpc.CREATE_PAY_ORDER, order));
  }

  createWithdrawal(order: Unsigned<CreateWithdrawalRequest>): Promise<WithdrawalDto> {
    return this.bank.createWithdrawal(this.sign(BankRpc.CREATE_WITHDRAWAL, order));
  }

  approveWithdrawal(order: Unsigned<WithdrawalIdRequest>): Promise<WithdrawalDto> {
    return this.bank.approveWithdrawal(this.sign(BankRpc.APPROVE_WITHDRAWAL, order));
  }

  rejectWithdrawal(order: Unsigned<RejectWithdrawalRequest>): Promise<WithdrawalDto> {
    return this.bank.rejectWithdrawal(this.sign(BankRpc.REJECT_WITHDRAWAL, order));
  }

  markWithdrawalPaid(order: Unsigned<WithdrawalIdRequest>): Promise<WithdrawalDto> {
    return this.bank.markWithdrawalPaid(this.sign(BankRpc.MARK_WITHDRAWAL_PAID, order));
  }

  refundOrder(order: Unsigned<RefundOrderRequest>): Promise<RefundOrderResponse> {
    return this.bank.refundOrder(this.sign(BankRpc.REFUND_ORDER, order));
  }

  freezeAccount(order: Unsigned<SetAccountStatusRequest>): Promise<AccountStatusResponse> {
    return this.bank.freezeAccount(this.sign(BankRpc.FREEZE_ACCOUNT, order));
  }

  unfreezeAccount(order: Unsigned<SetAccountStatusRequest>): Promise<AccountStatusResponse> {
    return this.bank.unfreezeAccount(this.sign(BankRpc.UNFREEZE_ACCOUNT, order));
  }

  private sign<T extends object>(pattern: BankOrderPattern, order: T): T & { authority: string } {
    return signBankOrder(pattern, order as T & Record<string, unknown>, this.key);
  }
}

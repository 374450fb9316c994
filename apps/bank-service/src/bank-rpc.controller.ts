import {
  AccountResponse,
  AccountStatusResponse,
  BalanceResponse,
  BankOrderPattern,
  BankRpc,
  BatchConsumeForSendGiftRequest,
  BatchConsumeForSendGiftResponse,
  CreateAccountRequest,
  CreatePayOrderRequest,
  CreatePayOrderResponse,
  CreateWithdrawalRequest,
  DevPayRequest,
  EarningsResponse,
  GetBalanceRequest,
  GetEarningsRequest,
  ListPayProductsRequest,
  ListPayProductsResponse,
  ListTradesRequest,
  ListWithdrawalsRequest,
  PayNotifyRequest,
  PayNotifyResponse,
  SetAccountStatusRequest,
  RejectWithdrawalRequest,
  RefundOrderRequest,
  RefundOrderResponse,
  TradePage,
  WithdrawalDto,
  WithdrawalIdRequest,
  WithdrawalPage,
} from '@live/contracts';
import { BankOrderKeys } from '@live/common';
import { SignedOrderReplays } from '@live/redis';
import { Controller, Logger } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { CurrencyAccountService } from './account/currency-account.service';
import { AccountStatus } from './account/entities/currency-account.entity';
import { TradeDirection } from './account/entities/currency-trade.entity';
import { PayOrderService } from './recharge/pay-order.service';
import { PayProductService } from './recharge/pay-product.service';
import { RechargeRefundService } from './recharge/recharge-refund.service';
import { SignedGiftSettlement } from './settlement/signed-gift-settlement';
import { WithdrawalService } from './withdrawal/withdrawal.service';

/**
 * bank-service's TCP RPC surface: maps each message to one service call (validation by the global pipe).
 * Manual credits and debits (CurrencyAccountService.adjust) are deliberately not on it.
 */
@Controller()
export class BankRpcController {
  private readonly logger = new Logger(BankRpcController.name);

  constructor(
    private readonly accounts: CurrencyAccountService,
    private readonly signedSettlement: SignedGiftSettlement,
    private readonly products: PayProductService,
    private readonly orders: PayOrderService,
    private readonly withdrawals: WithdrawalService,
    private readonly refunds: RechargeRefundService,
    private readonly keys: BankOrderKeys,
    private readonly replays: SignedOrderReplays,
  ) {}

  /**
   * The order, if api-gateway signed it (BANK_ORDER_PATTERNS: the calls that move money or a wallet's rights
   * on a user's or an admin's word); else FORBIDDEN, nothing done, and a warning: the internal RPC key, which
   * every service holds, is not enough to withdraw, review, refund, freeze or unfreeze. A replay of a signature is
   * refused where the pattern is not idempotent by its own key (SignedOrderReplays).
   */
  private authorized<T extends { authority: string }>(
    pattern: BankOrderPattern,
    order: T,
  ): Promise<Omit<T, 'authority'>> {
    return this.replays.required(this.keys, pattern, order, (why) =>
      this.logger.warn(`${pattern} refused, nothing done: ${why}`),
    );
  }

  @MessagePattern({ cmd: BankRpc.CREATE_ACCOUNT })
  createAccount(@Payload() req: CreateAccountRequest): Promise<AccountResponse> {
    return this.accounts.create(req.userId);
  }

  @MessagePattern({ cmd: BankRpc.GET_BALANCE })
  async getBalance(@Payload() req: GetBalanceRequest): Promise<BalanceResponse> {
    const { balance, frozen, spentToday, dailySpendCap } = await this.accounts.getBalance(req.userId);
    return { balance, frozen, spentToday, dailySpendCap };
  }

  @MessagePattern({ cmd: BankRpc.GET_EARNINGS })
  getEarnings(@Payload() req: GetEarningsRequest): Promise<EarningsResponse> {
    return this.accounts.getEarnings(req.userId);
  }

  @MessagePattern({ cmd: BankRpc.LIST_TRADES })
  async listTrades(@Payload() req: ListTradesRequest): Promise<TradePage> {
    const page = await this.accounts.listTrades(req.userId, req.page, req.pageSize);
    return {
      hasNext: page.hasNext,
      list: page.list.map((t) => ({
        ...t,
        direction: t.direction === TradeDirection.CREDIT ? 'credit' : 'debit',
        createTime: new Date(t.createTime).getTime(),
      })),
    };
  }

  @MessagePattern({ cmd: BankRpc.BATCH_CONSUME_FOR_SEND_GIFT })
  async batchConsumeForSendGift(
    @Payload() req: BatchConsumeForSendGiftRequest,
  ): Promise<BatchConsumeForSendGiftResponse> {
    return { results: await this.signedSettlement.settle(req.items) };
  }

  @MessagePattern({ cmd: BankRpc.LIST_PRODUCTS })
  async listProducts(@Payload() req: ListPayProductsRequest): Promise<ListPayProductsResponse> {
    return { products: await this.products.list(req.type) };
  }

  @MessagePattern({ cmd: BankRpc.CREATE_PAY_ORDER })
  async createPayOrder(@Payload() req: CreatePayOrderRequest): Promise<CreatePayOrderResponse> {
    return this.orders.create(await this.authorized(BankRpc.CREATE_PAY_ORDER, req));
  }

  @MessagePattern({ cmd: BankRpc.PAY_NOTIFY })
  payNotify(@Payload() req: PayNotifyRequest): Promise<PayNotifyResponse> {
    return this.orders.notify(req.orderId, req.signature);
  }

  @MessagePattern({ cmd: BankRpc.DEV_PAY })
  devPay(@Payload() req: DevPayRequest): Promise<PayNotifyResponse> {
    return this.orders.devPay(req.orderId, req.userId);
  }

  @MessagePattern({ cmd: BankRpc.FREEZE_ACCOUNT })
  async freezeAccount(@Payload() req: SetAccountStatusRequest): Promise<AccountStatusResponse> {
    return this.accounts.setStatus({
      ...(await this.authorized(BankRpc.FREEZE_ACCOUNT, req)),
      status: AccountStatus.FROZEN,
    });
  }

  @MessagePattern({ cmd: BankRpc.UNFREEZE_ACCOUNT })
  async unfreezeAccount(@Payload() req: SetAccountStatusRequest): Promise<AccountStatusResponse> {
    return this.accounts.setStatus({
      ...(await this.authorized(BankRpc.UNFREEZE_ACCOUNT, req)),
      status: AccountStatus.ACTIVE,
    });
  }

  @MessagePattern({ cmd: BankRpc.CREATE_WITHDRAWAL })
  async createWithdrawal(@Payload() req: CreateWithdrawalRequest): Promise<WithdrawalDto> {
    return this.withdrawals.create(await this.authorized(BankRpc.CREATE_WITHDRAWAL, req));
  }

  @MessagePattern({ cmd: BankRpc.LIST_WITHDRAWALS })
  listWithdrawals(@Payload() req: ListWithdrawalsRequest): Promise<WithdrawalPage> {
    return this.withdrawals.list(req);
  }

  @MessagePattern({ cmd: BankRpc.APPROVE_WITHDRAWAL })
  async approveWithdrawal(@Payload() req: WithdrawalIdRequest): Promise<WithdrawalDto> {
    return this.withdrawals.approve(await this.authorized(BankRpc.APPROVE_WITHDRAWAL, req));
  }

  @MessagePattern({ cmd: BankRpc.REJECT_WITHDRAWAL })
  async rejectWithdrawal(@Payload() req: RejectWithdrawalRequest): Promise<WithdrawalDto> {
    return this.withdrawals.reject(await this.authorized(BankRpc.REJECT_WITHDRAWAL, req));
  }

  @MessagePattern({ cmd: BankRpc.MARK_WITHDRAWAL_PAID })
  async markWithdrawalPaid(@Payload() req: WithdrawalIdRequest): Promise<WithdrawalDto> {
    return this.withdrawals.markPaid(await this.authorized(BankRpc.MARK_WITHDRAWAL_PAID, req));
  }

  @MessagePattern({ cmd: BankRpc.REFUND_ORDER })
  async refundOrder(@Payload() req: RefundOrderRequest): Promise<RefundOrderResponse> {
    const { orderId, adminId } = await this.authorized(BankRpc.REFUND_ORDER, req);
    return this.refunds.refund(orderId, adminId);
  }
}

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
   * every service holds, is not enough to withdraw, review, refund, freeze or unfreeze. Carried out once per
   * signature: a copy is answered the first's outcome (SignedOrderReplays).
   */
  private authorized<T extends { authority: string }, R>(
    pattern: BankOrderPattern,
    order: T,
    work: (unsigned: Omit<T, 'authority'>) => Promise<R>,
  ): Promise<R> {
    const refused = (why: string): void => this.logger.warn(`${pattern} refused, nothing done: ${why}`);
    return this.replays.carryOut(this.keys, pattern, order, refused, work);
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
  createPayOrder(@Payload() req: CreatePayOrderRequest): Promise<CreatePayOrderResponse> {
    return this.authorized(BankRpc.CREATE_PAY_ORDER, req, (order) => this.orders.create(order));
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
  freezeAccount(@Payload() req: SetAccountStatusRequest): Promise<AccountStatusResponse> {
    return this.authorized(BankRpc.FREEZE_ACCOUNT, req, (order) =>
      this.accounts.setStatus({ ...order, status: AccountStatus.FROZEN }),
    );
  }

  @MessagePattern({ cmd: BankRpc.UNFREEZE_ACCOUNT })
  unfreezeAccount(@Payload() req: SetAccountStatusRequest): Promise<AccountStatusResponse> {
    return this.authorized(BankRpc.UNFREEZE_ACCOUNT, req, (order) =>
      this.accounts.setStatus({ ...order, status: AccountStatus.ACTIVE }),
    );
  }

  @MessagePattern({ cmd: BankRpc.CREATE_WITHDRAWAL })
  createWithdrawal(@Payload() req: CreateWithdrawalRequest): Promise<WithdrawalDto> {
    return this.authorized(BankRpc.CREATE_WITHDRAWAL, req, (order) => this.withdrawals.create(order));
  }

  @MessagePattern({ cmd: BankRpc.LIST_WITHDRAWALS })
  listWithdrawals(@Payload() req: ListWithdrawalsRequest): Promise<WithdrawalPage> {
    return this.withdrawals.list(req);
  }

  @MessagePattern({ cmd: BankRpc.APPROVE_WITHDRAWAL })
  approveWithdrawal(@Payload() req: WithdrawalIdRequest): Promise<WithdrawalDto> {
    return this.authorized(BankRpc.APPROVE_WITHDRAWAL, req, (order) => this.withdrawals.approve(order));
  }

  @MessagePattern({ cmd: BankRpc.REJECT_WITHDRAWAL })
  rejectWithdrawal(@Payload() req: RejectWithdrawalRequest): Promise<WithdrawalDto> {
    return this.authorized(BankRpc.REJECT_WITHDRAWAL, req, (order) => this.withdrawals.reject(order));
  }

  @MessagePattern({ cmd: BankRpc.MARK_WITHDRAWAL_PAID })
  markWithdrawalPaid(@Payload() req: WithdrawalIdRequest): Promise<WithdrawalDto> {
    return this.authorized(BankRpc.MARK_WITHDRAWAL_PAID, req, (order) => this.withdrawals.markPaid(order));
  }

  @MessagePattern({ cmd: BankRpc.REFUND_ORDER })
  refundOrder(@Payload() req: RefundOrderRequest): Promise<RefundOrderResponse> {
    return this.authorized(BankRpc.REFUND_ORDER, req, ({ orderId, adminId }) => this.refunds.refund(orderId, adminId));
  }
}

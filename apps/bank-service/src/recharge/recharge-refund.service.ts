import { BankErrorCode, BizException, ErrorAssert } from '@live/common';
import { RefundOrderResponse } from '@live/contracts';
import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { BalanceCacheService, CachedBalance, cachedBalanceOf } from '../account/balance-cache.service';
import { CurrencyAccountRepository } from '../account/currency-account.repository';
import { CurrencyAccountService } from '../account/currency-account.service';
import { CurrencyTradeRepository } from '../account/currency-trade.repository';
import { TradeDirection, TradeStatus, TradeType } from '../account/entities/currency-trade.entity';
import { withTransactionRetry } from '../account/transaction-retry';
import { PayOrderStatus } from './entities/pay-order.entity';
import { statusName } from './pay-order-status';
import { PayOrderRepository } from './pay-order.repository';

/** The ledger's request id of an order's refund: one per order (UNIQUE (request_id, direction)). */
export const refundRequestId = (orderId: string): string => `refund:${orderId}`;

/** The coins a refund of `coins` cannot take from a wallet holding `balance` (0: the wallet holds them all). */
export function refundShortfall(balance: number, coins: number): number {
  return Math.max(0, coins - balance);
}

interface RefundOutcome {
  userId: number;
  coinNum: number;
  /** The wallet after the clawback (as the balance cache takes it); null when the order was refunded before. */
  moved: CachedBalance | null;
}

/**
 * Admin refund of a paid recharge order. In one transaction, the order then its user's wallet are locked
 * (the payment callback's order: order, then account); if the wallet still holds the order's coins they
 * leave it (a RECHARGE_REFUND debit row under `refund:<orderId>`, the balance and total_recharged down by
 * them) and the order becomes REFUNDED. If it does not (the coins were spent on gifts), the refund is
 * refused with REFUND_COINS_SPENT naming what is missing and nothing moves: coins given as gifts are the
 * anchors' earnings and are not taken back from them; an admin may freeze the account instead. Once per
 * order: a refunded order answers again with `refunded: false`; an order that is not paid, ORDER_NOT_REFUNDABLE.
 */
@Injectable()
export class RechargeRefundService {
  private readonly logger = new Logger(RechargeRefundService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly orders: PayOrderRepository,
    private readonly accounts: CurrencyAccountRepository,
    private readonly trades: CurrencyTradeRepository,
    private readonly balanceCache: BalanceCacheService,
    private readonly accountService: CurrencyAccountService,
  ) {}

  async refund(orderId: string, adminId: number): Promise<RefundOrderResponse> {
    const outcome = await withTransactionRetry(this.dataSource, 'recharge refund', (em) =>
      this.refundInTransaction(em, orderId, adminId),
    );
    const { userId, coinNum, moved } = outcome;
    if (!moved) {
      await this.accountService.refreshCache(userId);
      this.logger.log(`order ${orderId}: refund asked again by admin ${adminId}, already refunded: nothing moved`);
      return { orderId, status: 'refunded', userId, coinNum, refunded: false, balance: null };
    }
    await this.balanceCache.refreshMany([moved]);
    this.logger.log(`order ${orderId}: refunded by admin ${adminId}, ${coinNum} coins taken back from user ${userId}`);
    return { orderId, status: 'refunded', userId, coinNum, refunded: true, balance: moved.balance };
  }

  private async refundInTransaction(em: EntityManager, orderId: string, adminId: number): Promise<RefundOutcome> {
    const order = await this.orders.lock(em, orderId);
    ErrorAssert.isNotNull(order, BankErrorCode.ORDER_NOT_FOUND);
    const { userId, coinNum } = order;
    if (order.status === PayOrderStatus.REFUNDED) return { userId, coinNum, moved: null };
    ErrorAssert.isTrue(
      order.status === PayOrderStatus.PAID,
      BankErrorCode.ORDER_NOT_REFUNDABLE,
      `order ${orderId} is ${statusName(order.status)}: only a paid order can be refunded`,
    );
    const [account] = await this.accounts.lock(em, [userId]);
    ErrorAssert.isNotNull(account, BankErrorCode.ACCOUNT_NOT_FOUND, `user ${userId} has no wallet`);
    const missing = refundShortfall(account.currentBalance, coinNum);
    if (missing > 0) {
      this.logger.warn(
        `order ${orderId}: refund by admin ${adminId} refused, user ${userId} holds ${account.currentBalance} of its ${coinNum} coins`,
      );
      throw new BizException(
        BankErrorCode.REFUND_COINS_SPENT,
        `the wallet holds ${account.currentBalance} of the order's ${coinNum} coins: ${missing} missing; nothing was refunded (the account may be frozen instead)`,
      );
    }
    const after = account.currentBalance - coinNum;
    await this.accounts.applyRefund(em, userId, coinNum, after);
    await this.trades.insert(em, [
      {
        requestId: refundRequestId(orderId),
        userId,
        direction: TradeDirection.DEBIT,
        counterpartyId: null,
        num: -coinNum,
        balanceAfter: after,
        type: TradeType.RECHARGE_REFUND,
        status: TradeStatus.SUCCESS,
        remark: `refund of order ${orderId} by admin ${adminId}`,
        fingerprint: null,
      },
    ]);
    await this.orders.markRefunded(em, orderId);
    return { userId, coinNum, moved: cachedBalanceOf({ ...account, version: account.version + 1 }, after) };
  }
}

import { BankErrorCode, BizException, ErrorAssert, GatewayErrorCode } from '@live/common';
import {
  CreateWithdrawalRequest,
  ListWithdrawalsRequest,
  RejectWithdrawalRequest,
  Unsigned,
  WithdrawalIdRequest,
  WithdrawalDto,
  WithdrawalPage,
} from '@live/contracts';
import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { CurrencyAccountRepository } from '../account/currency-account.repository';
import { splitEarnings } from '../account/currency-account.service';
import { CurrencyTradeRepository } from '../account/currency-trade.repository';
import { AccountStatus } from '../account/entities/currency-account.entity';
import { TradeDirection, TradeStatus, TradeType } from '../account/entities/currency-trade.entity';
import { withTransactionRetry } from '../account/transaction-retry';
import { BankServiceEnv } from '../config/bank-service.env';
import { WithdrawalOrder, WithdrawalOrderRepository } from './withdrawal-order.repository';
import {
  APPROVE,
  decodeWithdrawalCursor,
  encodeWithdrawalCursor,
  MARK_PAID,
  REJECT,
  WITHDRAWAL_STATUS_NAMES,
  WithdrawalTransition,
  withdrawalSplit,
} from './withdrawal-rules';

/** The ledger's request id of an order's rows: its WITHDRAW debit and (rejected) its WITHDRAW_REVERSAL credit. */
export const withdrawalTradeId = (orderId: number): string => `wd:${orderId}`;

/**
 * Withdrawals of an anchor's gift earnings. A request takes the amount off `earnings` at once, in ONE
 * transaction that locks the account row (two concurrent requests of the whole withdrawable amount: the
 * second finds it gone), with a TradeType.WITHDRAW debit row; fee = floor(amount × BANK_WITHDRAW_FEE_BPS /
 * 10000) is the platform's cut, net the payout. Admins approve, reject (the amount back to earnings, a
 * WITHDRAW_REVERSAL credit row) or mark paid (nothing moves: it left already), each transition once
 * (a conditional UPDATE); a repeat of a transition already made answers the order, any other move is
 * WITHDRAWAL_STATUS_INVALID (409).
 */
@Injectable()
export class WithdrawalService {
  private readonly logger = new Logger(WithdrawalService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly accounts: CurrencyAccountRepository,
    private readonly trades: CurrencyTradeRepository,
    private readonly orders: WithdrawalOrderRepository,
    private readonly env: BankServiceEnv,
  ) {}

  /** Once per (user, requestId): the same key and amount answer the first order, another amount is 409. */
  async create(req: Unsigned<CreateWithdrawalRequest>): Promise<WithdrawalDto> {
    const { userId, requestId, amount } = req;
    const { order, made } = await withTransactionRetry(this.dataSource, 'withdrawal', async (em) => {
      const account = await this.accounts.lockEarnings(em, userId);
      ErrorAssert.isNotNull(account, BankErrorCode.ACCOUNT_NOT_FOUND, `user ${userId} has no wallet`);
      const prior = await this.orders.findByRequest(em, userId, requestId);
      if (prior) {
        if (prior.amount !== amount) throw new BizException(GatewayErrorCode.IDEMPOTENCY_KEY_REUSED);
        return { order: prior, made: false };
      }
      ErrorAssert.isTrue(account.status === AccountStatus.ACTIVE, BankErrorCode.ACCOUNT_FROZEN);
      const min = this.env.BANK_WITHDRAW_MIN;
      ErrorAssert.isTrue(amount >= min, BankErrorCode.WITHDRAW_BELOW_MINIMUM, `the smallest withdrawal is ${min}`);
      // The locked row's earnings and the window's credits only (not the all-time totals /bank/earnings shows).
      const held = await this.trades.held(userId, this.env.EARNINGS_HOLD_DAYS, em);
      const { withdrawable } = splitEarnings({ earnings: account.earnings, held });
      ErrorAssert.isTrue(
        amount <= withdrawable,
        BankErrorCode.WITHDRAW_OVER_WITHDRAWABLE,
        `${amount} is more than the ${withdrawable} withdrawable now`,
      );
      const id = await this.orders.insert(em, {
        userId,
        requestId,
        amount,
        ...withdrawalSplit(amount, this.env.BANK_WITHDRAW_FEE_BPS),
      });
      await this.moveEarnings(em, id, userId, -amount, TradeType.WITHDRAW);
      return { order: this.found(await this.orders.find(id, em), id), made: true };
    });
    if (made)
      this.logger.log(
        `withdrawal ${order.id} of user ${userId}: requested ${amount} (fee ${order.fee}, net ${order.net})`,
      );
    return toDto(order);
  }

  async list(req: ListWithdrawalsRequest): Promise<WithdrawalPage> {
    const beforeId = req.cursor === undefined ? null : decodeWithdrawalCursor(req.cursor);
    const rows = await this.orders.listByUser(req.userId, beforeId, req.limit + 1);
    const list = rows.slice(0, req.limit);
    const more = rows.length > req.limit;
    return { list: list.map(toDto), nextCursor: more ? encodeWithdrawalCursor(list[list.length - 1].id) : null };
  }

  /** Refused (ACCOUNT_FROZEN, nothing moved) while the user's account is frozen. */
  approve({ withdrawalId, adminId }: Unsigned<WithdrawalIdRequest>): Promise<WithdrawalDto> {
    return this.move(withdrawalId, adminId, APPROVE, null, (em, order) => this.assertActive(em, order, APPROVE));
  }

  /** Refused (ACCOUNT_FROZEN, nothing moved) while the user's account is frozen: a freeze stops the payout. */
  markPaid({ withdrawalId, adminId }: Unsigned<WithdrawalIdRequest>): Promise<WithdrawalDto> {
    return this.move(withdrawalId, adminId, MARK_PAID, null, (em, order) => this.assertActive(em, order, MARK_PAID));
  }

  /** The amount back to the user's earnings with the reversal row, in the transaction that rejects the order. */
  reject(req: Unsigned<RejectWithdrawalRequest>): Promise<WithdrawalDto> {
    return this.move(req.withdrawalId, req.adminId, REJECT, req.reason, async (em, order) => {
      await this.moveEarnings(em, order.id, order.userId, order.amount, TradeType.WITHDRAW_REVERSAL);
    });
  }

  private async move(
    id: number,
    adminId: number,
    t: WithdrawalTransition,
    reason: string | null = null,
    effect?: (em: EntityManager, order: WithdrawalOrder) => Promise<void>,
  ): Promise<WithdrawalDto> {
    const order = await withTransactionRetry(this.dataSource, `withdrawal ${t.name}`, async (em) => {
      if (await this.orders.transition(em, id, t.from, t.to, reason)) {
        const moved = this.found(await this.orders.find(id, em), id);
        await effect?.(em, moved);
        this.logger.log(`withdrawal ${id} of user ${moved.userId}: ${t.name} (${moved.amount}) by admin ${adminId}`);
        return moved;
      }
      const current = this.found(await this.orders.find(id, em), id);
      if (current.status === t.to) return current; // a repeat of the transition: answered with the order
      throw new BizException(
        BankErrorCode.WITHDRAWAL_STATUS_INVALID,
        `withdrawal ${id} is ${WITHDRAWAL_STATUS_NAMES[current.status]}: cannot ${t.name}`,
      );
    });
    return toDto(order);
  }

  /**
   * The order's account, locked after the order row (the lock order of every move: order, then account, as
   * reject's reversal takes them), must be ACTIVE: a freeze holds the orders already requested too. Throwing
   * rolls the transition back.
   */
  private async assertActive(em: EntityManager, order: WithdrawalOrder, t: WithdrawalTransition): Promise<void> {
    const account = await this.accounts.lockEarnings(em, order.userId);
    if (account?.status === AccountStatus.ACTIVE) return;
    this.logger.warn(`withdrawal ${order.id} of user ${order.userId}: ${t.name} refused, the account is frozen`);
    throw new BizException(
      BankErrorCode.ACCOUNT_FROZEN,
      `the account of user ${order.userId} is frozen: withdrawal ${order.id} cannot ${t.name}`,
    );
  }

  /** Earnings of the (locked) account moved by `delta`, with its ledger row under the order's trade id. */
  private async moveEarnings(
    em: EntityManager,
    orderId: number,
    userId: number,
    delta: number,
    type: TradeType.WITHDRAW | TradeType.WITHDRAW_REVERSAL,
  ): Promise<void> {
    const after = await this.accounts.moveEarnings(em, userId, delta);
    await this.trades.insert(em, [
      {
        requestId: withdrawalTradeId(orderId),
        userId,
        direction: delta < 0 ? TradeDirection.DEBIT : TradeDirection.CREDIT,
        counterpartyId: null,
        num: delta,
        balanceAfter: after,
        type,
        status: TradeStatus.SUCCESS,
        remark: null,
        fingerprint: null,
      },
    ]);
  }

  private found(order: WithdrawalOrder | undefined, id: number): WithdrawalOrder {
    ErrorAssert.isNotNull(order, BankErrorCode.WITHDRAWAL_NOT_FOUND, `withdrawal ${id} not found`);
    return order;
  }
}

function toDto(o: WithdrawalOrder): WithdrawalDto {
  return {
    withdrawalId: o.id,
    userId: o.userId,
    amount: o.amount,
    fee: o.fee,
    net: o.net,
    status: WITHDRAWAL_STATUS_NAMES[o.status],
    reason: o.reason,
    createTime: new Date(o.createTime).getTime(),
    updateTime: new Date(o.updateTime).getTime(),
  };
}

import { BankErrorCode, BaseErrorCode, BizException, ErrorAssert } from '@live/common';
import { EarningsResponse } from '@live/contracts';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { BalanceCacheService } from './balance-cache.service';
import { CurrencyAccountRepository } from './currency-account.repository';
import { CurrencyTradeRepository, EarningsTotals, TradeListItem } from './currency-trade.repository';
import { TradeDirection, TradeStatus, TradeType } from './entities/currency-trade.entity';
import { BankServiceEnv } from '../config/bank-service.env';
import { withTransactionRetry } from './transaction-retry';

interface AdjustCommand {
  userId: number;
  /** Positive: coins in (credit); negative: coins out (debit). */
  num: number;
  requestId: string;
  type: TradeType;
  /** Open the wallet if the user has none (a recharge); otherwise an unknown user is an error. */
  createIfMissing?: boolean;
}

interface AdjustResult {
  balance: number;
  replayed: boolean;
}

@Injectable()
export class CurrencyAccountService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly accounts: CurrencyAccountRepository,
    private readonly trades: CurrencyTradeRepository,
    private readonly balanceCache: BalanceCacheService,
    private readonly env: BankServiceEnv,
  ) {}

  /** Idempotent: opening an existing wallet changes nothing. */
  async create(userId: number): Promise<{ userId: number; balance: number }> {
    assertUserId(userId);
    await this.accounts.open([userId]);
    const { balance } = await this.loadBalance(userId);
    return { userId, balance: balance ?? 0 };
  }

  /** Cached read; `exists: false` for a user who never had a wallet. */
  async getBalance(userId: number): Promise<{ balance: number; exists: boolean }> {
    assertUserId(userId);
    const cached = await this.balanceCache.get(userId).catch(() => undefined);
    if (typeof cached === 'number') return { balance: cached, exists: true };
    if (cached === null) return { balance: 0, exists: false };
    const { balance } = await this.loadBalance(userId);
    return { balance: balance ?? 0, exists: balance !== null };
  }

  /** A credit or a debit with its ledger row, once per request id (a replay returns the first answer). */
  async adjust(command: AdjustCommand): Promise<AdjustResult> {
    const result = await withTransactionRetry(this.dataSource, 'balance adjustment', (em) =>
      this.adjustInTransaction(em, command),
    );
    await this.balanceCache.refreshMany([{ userId: command.userId, balance: result.balance, version: result.version }]);
    return { balance: result.balance, replayed: result.replayed };
  }

  /** The same inside a caller's transaction (the payment callback credits in the transaction that marks the order paid). */
  async adjustInTransaction(em: EntityManager, command: AdjustCommand): Promise<AdjustResult & { version: number }> {
    const { userId, num, requestId, type } = command;
    assertUserId(userId);
    ErrorAssert.isTrue(
      Number.isSafeInteger(num) && num !== 0,
      BaseErrorCode.PARAM_ERROR,
      'num must be a non-zero integer',
    );
    ErrorAssert.isNotBlank(requestId, BaseErrorCode.PARAM_ERROR, 'requestId is required');

    if (command.createIfMissing) await this.accounts.open([userId], em);
    const [account] = await this.accounts.lock(em, [userId]);
    ErrorAssert.isNotNull(account, BankErrorCode.ACCOUNT_NOT_FOUND, `user ${userId} has no wallet`);
    const balance = account.currentBalance;
    const version = account.version;

    const priors = await this.trades.findByRequestIds(em, [requestId]);
    const [prior] = priors;
    if (prior) {
      // The same adjustment is one row of this user, kind and amount (a gift's request id has two rows: never this).
      const same = priors.length === 1 && prior.userId === userId && prior.num === num && prior.type === type;
      ErrorAssert.isTrue(
        same,
        BaseErrorCode.PARAM_ERROR,
        `requestId ${requestId} was already used for another operation`,
      );
      return { balance: prior.balanceAfter, replayed: true, version };
    }
    if (balance + num < 0) {
      throw new BizException(BankErrorCode.INSUFFICIENT_BALANCE, `insufficient balance: ${balance} < ${-num}`);
    }
    const after = balance + num;
    await this.accounts.applyAdjustment(em, userId, num, after);
    await this.trades.insert(em, [
      {
        requestId,
        userId,
        direction: num > 0 ? TradeDirection.CREDIT : TradeDirection.DEBIT,
        counterpartyId: null,
        num,
        balanceAfter: after,
        type,
        status: TradeStatus.SUCCESS,
        remark: null,
        fingerprint: null,
      },
    ]);
    return { balance: after, replayed: false, version: version + 1 };
  }

  /** The caller's ledger, newest first. */
  async listTrades(
    userId: number,
    page: number,
    pageSize: number,
  ): Promise<{ list: TradeListItem[]; hasNext: boolean }> {
    assertUserId(userId);
    ErrorAssert.isTrue(
      Number.isSafeInteger(page) && page >= 1,
      BaseErrorCode.PARAM_ERROR,
      'page must be an integer >= 1',
    );
    ErrorAssert.isTrue(
      Number.isSafeInteger(pageSize) && pageSize >= 1 && pageSize <= 100,
      BaseErrorCode.PARAM_ERROR,
      'pageSize must be 1..100',
    );
    const rows = await this.trades.listByUser(userId, pageSize + 1, (page - 1) * pageSize);
    return { list: rows.slice(0, pageSize), hasNext: rows.length > pageSize };
  }

  /**
   * The caller's gift earnings: the balance, what is held (credited within the last EARNINGS_HOLD_DAYS
   * days: pending, never more than the balance) and what is not (withdrawable), and the credits of today,
   * the last 7 days and all time. One consistent read.
   */
  async getEarnings(userId: number): Promise<EarningsResponse> {
    assertUserId(userId);
    const t = await this.trades.earnings(userId, this.env.EARNINGS_HOLD_DAYS);
    return {
      earnings: t.earnings,
      ...splitEarnings(t),
      today: t.today,
      last7Days: t.last7Days,
      total: t.total,
    };
  }

  private async loadBalance(userId: number): Promise<{ balance: number | null }> {
    const account = await this.accounts.find(userId);
    if (!account) {
      await this.balanceCache.markNoAccount(userId).catch(() => undefined);
      return { balance: null };
    }
    await this.balanceCache.refreshMany([{ userId, balance: account.currentBalance, version: account.version }]);
    return { balance: account.currentBalance };
  }
}

/** Earnings held (credited within the hold, never more than the earnings: pending) and the rest (withdrawable). */
export function splitEarnings(t: Pick<EarningsTotals, 'earnings' | 'held'>): { withdrawable: number; pending: number } {
  const pending = Math.min(t.held, t.earnings);
  return { withdrawable: t.earnings - pending, pending };
}

export function assertUserId(userId: number): void {
  ErrorAssert.isTrue(
    Number.isSafeInteger(userId) && userId > 0,
    BaseErrorCode.PARAM_ERROR,
    'userId must be a positive integer',
  );
}

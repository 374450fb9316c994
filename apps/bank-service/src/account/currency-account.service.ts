import { BankErrorCode, BaseErrorCode, BizException, describeError, ErrorAssert } from '@live/common';
import { CachedAccount, EarningsResponse, MAX_PAGE_DEPTH, pageOf, spentOnDay } from '@live/contracts';
import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { BalanceCacheService, CachedBalance, cachedBalanceOf } from './balance-cache.service';
import { CurrencyAccountRepository } from './currency-account.repository';
import { CurrencyTradeRepository, EarningsTotals, TradeListItem } from './currency-trade.repository';
import { AccountStatus } from './entities/currency-account.entity';
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

/** A wallet's state for the gateway's pre-check (BalanceResponse): spending counted for today (UTC). */
interface WalletState {
  balance: number;
  exists: boolean;
  frozen: boolean;
  spentToday: number;
  dailySpendCap: number;
}

interface SetStatusCommand {
  userId: number;
  status: AccountStatus;
  adminId: number;
  reason: string;
}

@Injectable()
export class CurrencyAccountService {
  private readonly logger = new Logger(CurrencyAccountService.name);

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
    return { userId, balance: (await this.loadBalance(userId))?.balance ?? 0 };
  }

  /**
   * Cached read; `exists: false` for a user who never had a wallet. With the spending safeguards: frozen,
   * what was spent today (UTC, by this process's clock against the cached day) and the cap.
   */
  async getBalance(userId: number): Promise<WalletState> {
    assertUserId(userId);
    const cached = await this.balanceCache.get(userId).catch(() => undefined);
    const dailySpendCap = this.env.BANK_DAILY_SPEND_CAP;
    if (cached === null) return { balance: 0, exists: false, frozen: false, spentToday: 0, dailySpendCap };
    const account = cached ?? (await this.loadBalance(userId));
    if (!account) return { balance: 0, exists: false, frozen: false, spentToday: 0, dailySpendCap };
    const today = new Date().toISOString().slice(0, 10);
    const spentToday = spentOnDay(today, account.spentDay, account.spentToday);
    return { balance: account.balance, exists: true, frozen: account.frozen, spentToday, dailySpendCap };
  }

  /** Refuses (ACCOUNT_FROZEN) when the user's wallet is frozen (no wallet: not frozen). A plain read, not locked. */
  async assertNotFrozen(userId: number): Promise<void> {
    const account = await this.accounts.find(userId);
    if (account?.status === AccountStatus.FROZEN)
      throw new BizException(BankErrorCode.ACCOUNT_FROZEN, `the account of user ${userId} is frozen`);
  }

  /**
   * Freezes or unfreezes a wallet (opened first if the user has none, so a freeze also holds for a wallet
   * the user has not used yet), with who asked and why in t_account_status_log; the balance cache gets the
   * flag at once (the gateway refuses a frozen sender before Kafka; the settlement refuses one anyway).
   */
  async setStatus(command: SetStatusCommand): Promise<{ userId: number; status: 'frozen' | 'active' }> {
    const { userId, status, adminId, reason } = command;
    assertUserId(userId);
    await this.accounts.open([userId]);
    const { account, before } = await withTransactionRetry(this.dataSource, 'account status', async (em) => {
      const [locked] = await this.accounts.lock(em, [userId]);
      ErrorAssert.isNotNull(locked, BankErrorCode.ACCOUNT_NOT_FOUND, `user ${userId} has no wallet`);
      await this.accounts.setStatus(em, userId, status, { adminId, reason });
      return { account: { ...locked, status, version: locked.version + 1 }, before: locked.status };
    });
    await this.balanceCache.refreshMany([cachedBalanceOf(account)]);
    const name = status === AccountStatus.FROZEN ? 'frozen' : 'active';
    this.logger.warn(
      `account of user ${userId} ${status === AccountStatus.FROZEN ? 'frozen' : 'unfrozen'} by admin ${adminId}` +
        `${before === status ? ' (it already was)' : ''}: ${reason}`,
    );
    return { userId, status: name };
  }

  /** A credit or a debit with its ledger row, once per request id (a replay returns the first answer). */
  async adjust(command: AdjustCommand): Promise<AdjustResult> {
    const result = await withTransactionRetry(this.dataSource, 'balance adjustment', (em) =>
      this.adjustInTransaction(em, command),
    );
    await this.balanceCache.refreshMany([result.cached]);
    return { balance: result.balance, replayed: result.replayed };
  }

  /**
   * The same inside a caller's transaction (the payment callback credits in the transaction that marks the
   * order paid). `cached`: the wallet as the transaction leaves it, for the balance cache after the commit;
   * `frozen`: the wallet is frozen (a credit still lands: money paid is never lost).
   */
  async adjustInTransaction(
    em: EntityManager,
    command: AdjustCommand,
  ): Promise<AdjustResult & { version: number; cached: CachedBalance; frozen: boolean }> {
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
    const frozen = account.status === AccountStatus.FROZEN;

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
      return { balance: prior.balanceAfter, replayed: true, version, cached: cachedBalanceOf(account), frozen };
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
    return {
      balance: after,
      replayed: false,
      version: version + 1,
      cached: cachedBalanceOf({ ...account, version: version + 1 }, after),
      frozen,
    };
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
    ErrorAssert.isTrue(
      page * pageSize <= MAX_PAGE_DEPTH,
      BaseErrorCode.PARAM_ERROR,
      `page x pageSize must be at most ${MAX_PAGE_DEPTH}: paging reads no deeper than that`,
    );
    const rows = await this.trades.listByUser(userId, pageSize + 1, (page - 1) * pageSize);
    return pageOf(rows, page, pageSize);
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

  /**
   * The wallet's cache entry rewritten from the database (a plain read; the entry's version keeps a newer
   * one). For a call that finds its work already done (a repeated payment callback, a refund asked again):
   * the call that did it may have died between its commit and its cache refresh, leaving the gateway an
   * older figure (a paid recharge not there, refunded coins still there) until the entry expires.
   */
  async refreshCache(userId: number): Promise<void> {
    // Best effort: the answer of the call stands; the entry expires with its TTL otherwise.
    await this.loadBalance(userId).catch((err: unknown) => {
      this.logger.warn(`user ${userId}: wallet not read again for its cache entry: ${describeError(err)}`);
    });
  }

  /** The wallet from the database (and into the cache), or undefined (a no-account marker cached). */
  private async loadBalance(userId: number): Promise<CachedAccount | undefined> {
    const account = await this.accounts.find(userId);
    if (!account) {
      await this.balanceCache.markNoAccount(userId).catch(() => undefined);
      return undefined;
    }
    await this.balanceCache.refreshMany([cachedBalanceOf(account)]);
    return {
      balance: account.currentBalance,
      frozen: account.status === AccountStatus.FROZEN,
      spentDay: account.spentDay,
      spentToday: account.spentToday,
      dailySpendCap: this.env.BANK_DAILY_SPEND_CAP,
    };
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

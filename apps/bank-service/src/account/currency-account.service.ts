import { BankErrorCode, BaseErrorCode, BizException, ErrorAssert } from '@live/common';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { BalanceCacheService } from './balance-cache.service';
import { TradeStatus, TradeType } from './entities/currency-trade.entity';
import { withTransactionRetry } from './transaction-retry';

export interface AdjustCommand {
  userId: number;
  /** Positive: coins in (credit); negative: coins out (debit). */
  num: number;
  requestId: string;
  type: TradeType;
  /** Open the wallet if the user has none (a recharge); otherwise an unknown user is an error. */
  createIfMissing?: boolean;
}

export interface AdjustResult {
  balance: number;
  replayed: boolean;
}

export interface TradeView {
  id: number;
  requestId: string;
  num: number;
  balanceAfter: number;
  type: number;
  status: number;
  counterpartyId: number | null;
  remark: string | null;
  createTime: Date;
}

interface AccountRow {
  current_balance: string | number;
  version: string | number;
}

@Injectable()
export class CurrencyAccountService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly balanceCache: BalanceCacheService,
  ) {}

  /** Idempotent: opening an existing wallet changes nothing. */
  async create(userId: number): Promise<{ userId: number; balance: number }> {
    assertUserId(userId);
    await this.dataSource.query(
      'INSERT INTO t_qiyu_currency_account (user_id) VALUES (?) ON DUPLICATE KEY UPDATE user_id = user_id',
      [userId],
    );
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
    const result = await withTransactionRetry(this.dataSource, 'balance adjustment', (em) => this.adjustInTransaction(em, command));
    await this.balanceCache.refreshMany([{ userId: command.userId, balance: result.balance, version: result.version }]);
    return { balance: result.balance, replayed: result.replayed };
  }

  /** The same inside a caller's transaction (the payment callback credits in the transaction that marks the order paid). */
  async adjustInTransaction(em: EntityManager, command: AdjustCommand): Promise<AdjustResult & { version: number }> {
    const { userId, num, requestId, type } = command;
    assertUserId(userId);
    ErrorAssert.isTrue(Number.isSafeInteger(num) && num !== 0, BaseErrorCode.PARAM_ERROR, 'num must be a non-zero integer');
    ErrorAssert.isNotBlank(requestId, BaseErrorCode.PARAM_ERROR, 'requestId is required');

    if (command.createIfMissing) {
      await em.query('INSERT INTO t_qiyu_currency_account (user_id) VALUES (?) ON DUPLICATE KEY UPDATE user_id = user_id', [userId]);
    }
    const [account]: AccountRow[] = await em.query(
      'SELECT current_balance, version FROM t_qiyu_currency_account WHERE user_id = ? FOR UPDATE',
      [userId],
    );
    ErrorAssert.isNotNull(account, BankErrorCode.ACCOUNT_NOT_FOUND, `user ${userId} has no wallet`);
    const balance = Number(account.current_balance);
    const version = Number(account.version);

    const [prior]: { user_id: string | number; balance_after: string | number; num: string | number }[] = await em.query(
      'SELECT user_id, balance_after, num FROM t_qiyu_currency_trade WHERE request_id = ?',
      [requestId],
    );
    if (prior) {
      const same = Number(prior.user_id) === userId && Number(prior.num) === num;
      ErrorAssert.isTrue(same, BaseErrorCode.PARAM_ERROR, `requestId ${requestId} was already used for another operation`);
      return { balance: Number(prior.balance_after), replayed: true, version };
    }
    if (balance + num < 0) {
      throw new BizException(BankErrorCode.INSUFFICIENT_BALANCE, `insufficient balance: ${balance} < ${-num}`);
    }
    const after = balance + num;
    await em.query(
      `UPDATE t_qiyu_currency_account
       SET current_balance = ?, total_recharged = total_recharged + ?, total_spent = total_spent + ?, version = version + 1
       WHERE user_id = ?`,
      [after, num > 0 ? num : 0, num < 0 ? -num : 0, userId],
    );
    await em.query(
      `INSERT INTO t_qiyu_currency_trade (request_id, user_id, counterparty_id, num, balance_after, type, status)
       VALUES (?, ?, NULL, ?, ?, ?, ?)`,
      [requestId, userId, num, after, type, TradeStatus.SUCCESS],
    );
    return { balance: after, replayed: false, version: version + 1 };
  }

  /** The caller's ledger, newest first. */
  async listTrades(userId: number, page: number, pageSize: number): Promise<{ list: TradeView[]; hasNext: boolean }> {
    assertUserId(userId);
    ErrorAssert.isTrue(Number.isSafeInteger(page) && page >= 1, BaseErrorCode.PARAM_ERROR, 'page must be an integer >= 1');
    ErrorAssert.isTrue(Number.isSafeInteger(pageSize) && pageSize >= 1 && pageSize <= 100, BaseErrorCode.PARAM_ERROR, 'pageSize must be 1..100');
    const rows: Record<string, unknown>[] = await this.dataSource.query(
      `SELECT id, request_id, num, balance_after, type, status, counterparty_id, remark, create_time
       FROM t_qiyu_currency_trade WHERE user_id = ? ORDER BY id DESC LIMIT ? OFFSET ?`,
      [userId, pageSize + 1, (page - 1) * pageSize],
    );
    const list = rows.slice(0, pageSize).map((r) => ({
      id: Number(r.id),
      requestId: String(r.request_id),
      num: Number(r.num),
      balanceAfter: Number(r.balance_after),
      type: Number(r.type),
      status: Number(r.status),
      counterpartyId: r.counterparty_id === null ? null : Number(r.counterparty_id),
      remark: (r.remark as string | null) ?? null,
      createTime: r.create_time as Date,
    }));
    return { list, hasNext: rows.length > pageSize };
  }

  private async loadBalance(userId: number): Promise<{ balance: number | null }> {
    const [row]: AccountRow[] = await this.dataSource.query(
      'SELECT current_balance, version FROM t_qiyu_currency_account WHERE user_id = ?',
      [userId],
    );
    if (!row) {
      await this.balanceCache.markNoAccount(userId).catch(() => undefined);
      return { balance: null };
    }
    const balance = Number(row.current_balance);
    await this.balanceCache.refreshMany([{ userId, balance, version: Number(row.version) }]);
    return { balance };
  }
}

function assertUserId(userId: number): void {
  ErrorAssert.isTrue(Number.isSafeInteger(userId) && userId > 0, BaseErrorCode.PARAM_ERROR, 'userId must be a positive integer');
}

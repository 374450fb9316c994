import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { CurrencyAccountEntity } from './entities/currency-account.entity';

/** An account's balance, earnings and version (a row of t_qiyu_currency_account, as CurrencyAccountEntity names it). */
type AccountBalance = Pick<CurrencyAccountEntity, 'userId' | 'currentBalance' | 'earnings' | 'version'>;

interface AccountRow {
  user_id: string | number;
  current_balance: string | number;
  earnings: string | number;
  version: string | number;
}

const toBalance = (row: AccountRow): AccountBalance => ({
  userId: Number(row.user_id),
  currentBalance: Number(row.current_balance),
  earnings: Number(row.earnings),
  version: Number(row.version),
});

/** The queries on t_qiyu_currency_account (wallets). `em`: the caller's transaction. */
@Injectable()
export class CurrencyAccountRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Opens the wallets that do not exist yet (an existing one is left as it is). */
  async open(userIds: readonly number[], em: EntityManager = this.dataSource.manager): Promise<void> {
    await em.query(
      `INSERT INTO t_qiyu_currency_account (user_id) VALUES ${userIds.map(() => '(?)').join(',')} ON DUPLICATE KEY UPDATE user_id = user_id`,
      [...userIds],
    );
  }

  /**
   * Opens, in its own statement (autocommit, never inside a settlement transaction), the wallets of these
   * users that do not exist yet, in user id order: a plain read finds the missing ones, open() creates
   * them (a concurrent run creating the same wallet is no error). A settlement then locks every
   * account it touches in one ordered SELECT ... FOR UPDATE and holds no other account lock.
   */
  async openMissing(userIds: readonly number[]): Promise<void> {
    if (userIds.length === 0) return;
    const rows: { user_id: string | number }[] = await this.dataSource.query(
      `SELECT user_id FROM t_qiyu_currency_account WHERE user_id IN (${userIds.map(() => '?').join(',')})`,
      [...userIds],
    );
    const existing = new Set(rows.map((r) => Number(r.user_id)));
    const missing = [...new Set(userIds)].filter((id) => !existing.has(id)).sort((a, b) => a - b);
    if (missing.length > 0) await this.open(missing);
  }

  async find(userId: number): Promise<AccountBalance | undefined> {
    const [row]: AccountRow[] = await this.dataSource.query(
      'SELECT user_id, current_balance, earnings, version FROM t_qiyu_currency_account WHERE user_id = ?',
      [userId],
    );
    return row ? toBalance(row) : undefined;
  }

  /** The accounts, locked (FOR UPDATE) in user id order: two transactions never wait on each other in a cycle. */
  async lock(em: EntityManager, userIds: readonly number[]): Promise<AccountBalance[]> {
    const sorted = [...userIds].sort((a, b) => a - b);
    const rows: AccountRow[] = await em.query(
      `SELECT user_id, current_balance, earnings, version FROM t_qiyu_currency_account
       WHERE user_id IN (${sorted.map(() => '?').join(',')}) ORDER BY user_id FOR UPDATE`,
      sorted,
    );
    return rows.map(toBalance);
  }

  /** The account's earnings and status, locked (FOR UPDATE) until the transaction ends; undefined without one. */
  async lockEarnings(
    em: EntityManager,
    userId: number,
  ): Promise<Pick<CurrencyAccountEntity, 'earnings' | 'status'> | undefined> {
    const [row]: { earnings: string | number; status: string | number }[] = await em.query(
      'SELECT earnings, status FROM t_qiyu_currency_account WHERE user_id = ? FOR UPDATE',
      [userId],
    );
    return row ? { earnings: Number(row.earnings), status: Number(row.status) } : undefined;
  }

  /** Earnings moved by `delta` (a withdrawal out: negative; its reversal: positive); the earnings after it. */
  async moveEarnings(em: EntityManager, userId: number, delta: number): Promise<number> {
    await em.query('UPDATE t_qiyu_currency_account SET earnings = earnings + ? WHERE user_id = ?', [delta, userId]);
    const [row]: { earnings: string | number }[] = await em.query(
      'SELECT earnings FROM t_qiyu_currency_account WHERE user_id = ?',
      [userId],
    );
    return Number(row.earnings);
  }

  /** One credit (num > 0) or debit (num < 0) leaving `after`. */
  async applyAdjustment(em: EntityManager, userId: number, num: number, after: number): Promise<void> {
    await em.query(
      `UPDATE t_qiyu_currency_account
       SET current_balance = ?, total_recharged = total_recharged + ?, total_spent = total_spent + ?, version = version + 1
       WHERE user_id = ?`,
      [after, num > 0 ? num : 0, num < 0 ? -num : 0, userId],
    );
  }

  /**
   * A refunded recharge's coins out of the wallet, leaving `after`: total_recharged goes down by them too
   * (it counts recharges net of refunds, so balances + earnings + ... = sum(total_recharged) still holds).
   */
  async applyRefund(em: EntityManager, userId: number, coins: number, after: number): Promise<void> {
    await em.query(
      `UPDATE t_qiyu_currency_account
       SET current_balance = ?, total_recharged = total_recharged - ?, version = version + 1
       WHERE user_id = ?`,
      [after, coins, userId],
    );
  }

  /** Senders' new balances and what each spent, one statement. */
  async applySpending(
    em: EntityManager,
    balances: ReadonlyMap<number, number>,
    spent: ReadonlyMap<number, number>,
  ): Promise<void> {
    const ids = [...balances.keys()];
    await em.query(
      `UPDATE t_qiyu_currency_account
       SET current_balance = CASE user_id ${ids.map(() => 'WHEN ? THEN ?').join(' ')} END,
           total_spent = total_spent + CASE user_id ${ids.map(() => 'WHEN ? THEN ?').join(' ')} END,
           version = version + 1
       WHERE user_id IN (${ids.map(() => '?').join(',')})`,
      [...ids.flatMap((id) => [id, balances.get(id)]), ...ids.flatMap((id) => [id, spent.get(id)]), ...ids],
    );
  }

  /** Receivers' earnings, one statement. */
  async addEarnings(em: EntityManager, earnings: ReadonlyMap<number, number>): Promise<void> {
    const ids = [...earnings.keys()];
    await em.query(
      `UPDATE t_qiyu_currency_account
       SET earnings = earnings + CASE user_id ${ids.map(() => 'WHEN ? THEN ?').join(' ')} END
       WHERE user_id IN (${ids.map(() => '?').join(',')})`,
      [...ids.flatMap((id) => [id, earnings.get(id)]), ...ids],
    );
  }
}

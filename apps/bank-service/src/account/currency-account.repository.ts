import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AccountStatus, CurrencyAccountEntity } from './entities/currency-account.entity';

/**
 * An account's balance, earnings, version, status and today's spending (a row of t_qiyu_currency_account,
 * as CurrencyAccountEntity names it).
 */
export type AccountBalance = Pick<
  CurrencyAccountEntity,
  'userId' | 'currentBalance' | 'earnings' | 'version' | 'status' | 'spentToday' | 'spentDay'
>;

const ACCOUNT_COLUMNS = `user_id, current_balance, earnings, version, status, spent_today,
  DATE_FORMAT(spent_day, '%Y-%m-%d') AS spent_day, DATE_FORMAT(UTC_DATE(), '%Y-%m-%d') AS utc_today`;

interface AccountRow {
  user_id: string | number;
  current_balance: string | number;
  earnings: string | number;
  version: string | number;
  status: string | number;
  spent_today: string | number;
  spent_day: string | null;
  utc_today: string;
}

const toBalance = (row: AccountRow): AccountBalance => ({
  userId: Number(row.user_id),
  currentBalance: Number(row.current_balance),
  earnings: Number(row.earnings),
  version: Number(row.version),
  status: Number(row.status) as AccountStatus,
  spentToday: Number(row.spent_today),
  spentDay: row.spent_day,
});

/** Today's UTC date ('YYYY-MM-DD') by this process's clock: only when the database named none (no row read). */
const utcToday = (): string => new Date().toISOString().slice(0, 10);

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
      `SELECT ${ACCOUNT_COLUMNS} FROM t_qiyu_currency_account WHERE user_id = ?`,
      [userId],
    );
    return row ? toBalance(row) : undefined;
  }

  /** The accounts, locked (FOR UPDATE) in user id order: two transactions never wait on each other in a cycle. */
  async lock(em: EntityManager, userIds: readonly number[]): Promise<AccountBalance[]> {
    return (await this.lockWithToday(em, userIds)).accounts;
  }

  /**
   * The same, with today's UTC date by the database's clock ('YYYY-MM-DD': the day the settlement counts
   * spending on, one clock for every bank-service instance). The statement reads the clock when it STARTS,
   * not when it gets its locks: one that started at 23:59:59.99 and waited for a row that a settlement of
   * 00:00:00.01 charged would take that row's new day for another day, count its spending as nothing and
   * write its own day back (a second cap in the day, and the first day's spending forgotten). So today is
   * the later of the clock and the latest spent_day among the locked rows: a row counted on a later day
   * proves that day has begun.
   */
  async lockWithToday(
    em: EntityManager,
    userIds: readonly number[],
  ): Promise<{ accounts: AccountBalance[]; today: string }> {
    const sorted = [...userIds].sort((a, b) => a - b);
    const rows: AccountRow[] = await em.query(
      `SELECT ${ACCOUNT_COLUMNS} FROM t_qiyu_currency_account
       WHERE user_id IN (${sorted.map(() => '?').join(',')}) ORDER BY user_id FOR UPDATE`,
      sorted,
    );
    const accounts = rows.map(toBalance);
    const clock = rows[0]?.utc_today ?? utcToday();
    const today = accounts.reduce((day, a) => (a.spentDay !== null && a.spentDay > day ? a.spentDay : day), clock);
    return { accounts, today };
  }

  /**
   * The database's clock as it spells it ('YYYY-MM-DD hh:mm:ss.ffffff', NOW(3)): read by the settlement once it
   * holds its locks, the time its rows are written at and the hour its credits are added to (a clock read by
   * the lock statement is the time it STARTED, up to the lock wait before another run that took the same
   * accounts first).
   */
  async clock(em: EntityManager): Promise<string> {
    const [row]: { now: string }[] = await em.query("SELECT DATE_FORMAT(NOW(3), '%Y-%m-%d %H:%i:%s.%f') AS now");
    return row.now;
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

  /**
   * Senders' new balances, what each spent, and what each has spent on `today` after it (spent_today,
   * spent_day = today), one statement: the rows joined to a derived table of the figures, one lookup per
   * row (a CASE per column would compare every row with every sender: 500 senders, 3 x 250,000 compares).
   * Every sender in `balances` must be in `spent` and `spentToday`.
   */
  async applySpending(
    em: EntityManager,
    balances: ReadonlyMap<number, number>,
    spent: ReadonlyMap<number, number>,
    spentToday: ReadonlyMap<number, number>,
    today: string,
  ): Promise<void> {
    const ids = [...balances.keys()];
    const rows = ids.map((_, i) =>
      i === 0 ? 'SELECT ? AS user_id, ? AS balance, ? AS spent, ? AS spent_today' : 'SELECT ?, ?, ?, ?',
    );
    await em.query(
      `UPDATE t_qiyu_currency_account a JOIN (${rows.join(' UNION ALL ')}) v ON a.user_id = v.user_id
       SET a.current_balance = v.balance, a.total_spent = a.total_spent + v.spent,
           a.spent_today = v.spent_today, a.spent_day = ?, a.version = a.version + 1`,
      [...ids.flatMap((id) => [id, balances.get(id), spent.get(id), spentToday.get(id)]), today],
    );
  }

  /**
   * Sets a locked account's status (a freeze or an unfreeze; the version moves, so the balance cache takes
   * the new flag) and writes who did it and why to t_account_status_log, in the caller's transaction.
   */
  async setStatus(
    em: EntityManager,
    userId: number,
    status: AccountStatus,
    audit: { adminId: number; reason: string },
  ): Promise<void> {
    await em.query('UPDATE t_qiyu_currency_account SET status = ?, version = version + 1 WHERE user_id = ?', [
      status,
      userId,
    ]);
    await em.query('INSERT INTO t_account_status_log (user_id, status, admin_id, reason) VALUES (?, ?, ?, ?)', [
      userId,
      status,
      audit.adminId,
      audit.reason,
    ]);
  }

  /**
   * Receivers' gift credits: to their earnings and to their all-time total (`total_earned`, what /bank/earnings
   * reads instead of summing the ledger), the same delta each, in one statement; and to their earnings of the
   * hour `hourStart` ('YYYY-MM-DD hh:00:00', the hour of the credit rows' create_time), in a second one
   * (t_qiyu_earnings_hour, what /bank/earnings' windows and a withdrawal's hold sum). The caller holds the
   * receivers' account locks, so no two transactions add to one user's hours at once.
   */
  async addEarnings(em: EntityManager, earnings: ReadonlyMap<number, number>, hourStart: string): Promise<void> {
    const ids = [...earnings.keys()].sort((a, b) => a - b);
    const delta = `CASE user_id ${ids.map(() => 'WHEN ? THEN ?').join(' ')} END`;
    const deltaParams = ids.flatMap((id) => [id, earnings.get(id)]);
    await em.query(
      `UPDATE t_qiyu_currency_account SET earnings = earnings + ${delta}, total_earned = total_earned + ${delta}
       WHERE user_id IN (${ids.map(() => '?').join(',')})`,
      [...deltaParams, ...deltaParams, ...ids],
    );
    await em.query(
      `INSERT INTO t_qiyu_earnings_hour (user_id, hour_start, amount) VALUES ${ids.map(() => '(?, ?, ?)').join(',')}
       ON DUPLICATE KEY UPDATE amount = amount + VALUES(amount)`,
      ids.flatMap((id) => [id, hourStart, earnings.get(id)]),
    );
  }
}

import { sqlHourStart } from '@live/database';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { CurrencyTradeEntity, TradeDirection, TradeStatus, TradeType } from './entities/currency-trade.entity';

/** A ledger row as the services read it (CurrencyTradeEntity's names). */
export type TradeRecord = Pick<
  CurrencyTradeEntity,
  'requestId' | 'userId' | 'direction' | 'num' | 'type' | 'status' | 'balanceAfter' | 'remark' | 'fingerprint'
> & {
  /** When the row was written (ms since the epoch, by the database's clock). */
  settledAt: number;
};

/**
 * A row to write: counterparty, remark and fingerprint may be null. `createTime`: when it was written, as the
 * database's clock spelled it ('YYYY-MM-DD hh:mm:ss.ffffff', DATE_FORMAT of NOW(3)); the insert's NOW(3) when
 * absent. The settlement gives its credits the time its hourly earnings are counted under (t_qiyu_earnings_hour).
 */
export type NewTrade = Pick<
  CurrencyTradeEntity,
  | 'requestId'
  | 'userId'
  | 'direction'
  | 'counterpartyId'
  | 'num'
  | 'balanceAfter'
  | 'type'
  | 'status'
  | 'remark'
  | 'fingerprint'
> & { createTime?: string };

export type TradeListItem = Pick<
  CurrencyTradeEntity,
  | 'id'
  | 'requestId'
  | 'direction'
  | 'num'
  | 'balanceAfter'
  | 'type'
  | 'status'
  | 'counterpartyId'
  | 'remark'
  | 'createTime'
>;

/** A receiver's gift earnings: the balance, and the credit rows summed over windows of the database's clock. */
export interface EarningsTotals {
  /** The account's earnings column (0 without an account). */
  earnings: number;
  /** Credited since the database's midnight. */
  today: number;
  /** Credited in the last 7 × 24 hours. */
  last7Days: number;
  /** Every gift credit. */
  total: number;
  /** Credited within the hold (the last `holdDays` × 24 hours; 0 when holdDays is 0). */
  held: number;
}

/**
 * An SQL expression: the gift credits of user `u.id` since `b` (an SQL datetime expression; `u` the query's
 * one-row table of its arguments). The hours that start at or after b, from t_qiyu_earnings_hour, and the
 * credit rows from b to the end of the hour b falls in (none when b starts an hour: that hour is a row of the
 * first part), a range of idx_trade_earnings. At most 24 rows a day and one hour's credits, whatever the week
 * held. Charged credits only (status 1), as the hours count them (the settlement writes no other gift credit).
 */
const creditedSince = (b: string): string =>
  `(COALESCE((SELECT SUM(amount) FROM t_qiyu_earnings_hour WHERE user_id = u.id AND hour_start >= ${b}), 0)
    + COALESCE((SELECT SUM(num) FROM t_qiyu_currency_trade
                WHERE user_id = u.id AND direction = ${TradeDirection.CREDIT} AND type = ${TradeType.GIFT}
                  AND status = ${TradeStatus.SUCCESS} AND create_time >= ${b} AND create_time < ${sqlHourStart(b)} + INTERVAL 1 HOUR
                  AND ${sqlHourStart(b)} < ${b}), 0))`;

/** The one-row table `u` of a window read's arguments: the user, the instant (now, unless given), the hold. */
const args = '(SELECT ? AS id, CAST(IFNULL(?, NOW(3)) AS DATETIME(3)) AS now, ? AS hold)';

/** Rows per INSERT statement of a batch. */
const INSERT_CHUNK = 500;

/**
 * The queries on t_qiyu_currency_trade (the ledger: one row per request id and direction; a charged gift is
 * a debit and a credit under one request id). `em`: the caller's transaction.
 */
@Injectable()
export class CurrencyTradeRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** The ledger rows of these request ids (absent ids are not in the answer). */
  async findByRequestIds(em: EntityManager, requestIds: readonly string[]): Promise<TradeRecord[]> {
    const rows: Record<string, unknown>[] = await em.query(
      `SELECT request_id, user_id, direction, num, type, status, balance_after, remark, fingerprint,
              FLOOR(UNIX_TIMESTAMP(create_time) * 1000) AS settled_at FROM t_qiyu_currency_trade
       WHERE request_id IN (${requestIds.map(() => '?').join(',')})`,
      [...requestIds],
    );
    return rows.map((r) => ({
      requestId: String(r.request_id),
      userId: Number(r.user_id),
      direction: Number(r.direction) as TradeDirection,
      num: Number(r.num),
      type: Number(r.type) as TradeType,
      status: Number(r.status) as TradeStatus,
      balanceAfter: Number(r.balance_after),
      remark: (r.remark as string | null) ?? null,
      fingerprint: (r.fingerprint as string | null) ?? null,
      settledAt: Number(r.settled_at),
    }));
  }

  /** Writes the rows, INSERT_CHUNK per statement (UNIQUE (request_id, direction): a row already there fails the transaction). */
  async insert(em: EntityManager, trades: readonly NewTrade[]): Promise<void> {
    for (let i = 0; i < trades.length; i += INSERT_CHUNK) {
      const chunk = trades.slice(i, i + INSERT_CHUNK);
      await em.query(
        `INSERT INTO t_qiyu_currency_trade (request_id, user_id, direction, counterparty_id, num, balance_after, type, status, remark, fingerprint, create_time)
         VALUES ${chunk.map(() => '(?,?,?,?,?,?,?,?,?,?,IFNULL(?, NOW(3)))').join(',')}`,
        chunk.flatMap((t) => [
          t.requestId,
          t.userId,
          t.direction,
          t.counterpartyId,
          t.num,
          t.balanceAfter,
          t.type,
          t.status,
          t.remark,
          t.fingerprint,
          t.createTime ?? null,
        ]),
      );
    }
  }

  /** A user's rows, newest first. */
  async listByUser(userId: number, limit: number, offset: number): Promise<TradeListItem[]> {
    const rows: Record<string, unknown>[] = await this.dataSource.query(
      `SELECT id, request_id, direction, num, balance_after, type, status, counterparty_id, remark, create_time
       FROM t_qiyu_currency_trade WHERE user_id = ? ORDER BY id DESC LIMIT ? OFFSET ?`,
      [userId, limit, offset],
    );
    return rows.map((r) => ({
      id: Number(r.id),
      requestId: String(r.request_id),
      direction: Number(r.direction) as TradeDirection,
      num: Number(r.num),
      balanceAfter: Number(r.balance_after),
      type: Number(r.type) as TradeType,
      status: Number(r.status) as TradeStatus,
      counterpartyId: r.counterparty_id === null ? null : Number(r.counterparty_id),
      remark: (r.remark as string | null) ?? null,
      createTime: r.create_time as Date,
    }));
  }

  /**
   * A receiver's earnings and its gift credits over time, in ONE statement (one consistent read): the all-time
   * total is the account's `total_earned`, the windows (today, the last 7 days, the hold) are summed from
   * t_qiyu_earnings_hour (both kept by the settlement with the credits) and the credit rows of the hour a window
   * starts in (creditedSince), so the read grows with neither the anchor's history nor its week. Windows by the
   * database's clock, as the rows' create_time (`at`: another instant, 'YYYY-MM-DD hh:mm:ss.fff', for the tests
   * of the windows' edges).
   */
  async earnings(
    userId: number,
    holdDays: number,
    em: EntityManager = this.dataSource.manager,
    at?: string,
  ): Promise<EarningsTotals> {
    const [row]: Record<string, unknown>[] = await em.query(
      `SELECT a.earnings, a.total_earned AS total,
              (SELECT SUM(amount) FROM t_qiyu_earnings_hour WHERE user_id = u.id AND hour_start >= DATE(u.now)) AS today,
              ${creditedSince('u.now - INTERVAL 7 DAY')} AS last7,
              IF(u.hold > 0, ${creditedSince('u.now - INTERVAL u.hold DAY')}, 0) AS held
       FROM ${args} u
       LEFT JOIN t_qiyu_currency_account a ON a.user_id = u.id`,
      [userId, at ?? null, holdDays],
    );
    const n = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));
    return {
      earnings: n(row?.earnings),
      today: n(row?.today),
      last7Days: n(row?.last7),
      total: n(row?.total),
      held: n(row?.held),
    };
  }

  /**
   * The gift credits of the last `holdDays` (held: not withdrawable yet), as `earnings` sums them (creditedSince).
   * A withdrawal reads this while it holds the account's lock (settlements crediting the user wait on it), so its
   * cost must grow with neither the ledger nor the hold's credits.
   */
  async held(userId: number, holdDays: number, em: EntityManager, at?: string): Promise<number> {
    if (holdDays <= 0) return 0;
    const [row]: Record<string, unknown>[] = await em.query(
      `SELECT ${creditedSince('u.now - INTERVAL u.hold DAY')} AS held FROM ${args} u`,
      [userId, at ?? null, holdDays],
    );
    return row?.held === null || row?.held === undefined ? 0 : Number(row.held);
  }
}

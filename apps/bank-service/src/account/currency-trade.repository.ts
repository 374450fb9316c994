import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { CurrencyTradeEntity, TradeStatus, TradeType } from './entities/currency-trade.entity';

/** A ledger row as the services read it (CurrencyTradeEntity's names). */
type TradeRecord = Pick<
  CurrencyTradeEntity,
  'requestId' | 'userId' | 'num' | 'type' | 'status' | 'balanceAfter' | 'remark' | 'fingerprint'
> & {
  /** When the row was written (ms since the epoch, by the database's clock). */
  settledAt: number;
};

/** A row to write: counterparty, remark and fingerprint may be null. */
type NewTrade = Pick<
  CurrencyTradeEntity,
  'requestId' | 'userId' | 'counterpartyId' | 'num' | 'balanceAfter' | 'type' | 'status' | 'remark' | 'fingerprint'
>;

export type TradeListItem = Pick<
  CurrencyTradeEntity,
  'id' | 'requestId' | 'num' | 'balanceAfter' | 'type' | 'status' | 'counterpartyId' | 'remark' | 'createTime'
>;

/** Rows per INSERT statement of a batch. */
const INSERT_CHUNK = 500;

/** The queries on t_qiyu_currency_trade (the ledger: one row per request id). `em`: the caller's transaction. */
@Injectable()
export class CurrencyTradeRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** The ledger rows of these request ids (absent ids are not in the answer). */
  async findByRequestIds(em: EntityManager, requestIds: readonly string[]): Promise<TradeRecord[]> {
    const rows: Record<string, unknown>[] = await em.query(
      `SELECT request_id, user_id, num, type, status, balance_after, remark, fingerprint,
              FLOOR(UNIX_TIMESTAMP(create_time) * 1000) AS settled_at FROM t_qiyu_currency_trade
       WHERE request_id IN (${requestIds.map(() => '?').join(',')})`,
      [...requestIds],
    );
    return rows.map((r) => ({
      requestId: String(r.request_id),
      userId: Number(r.user_id),
      num: Number(r.num),
      type: Number(r.type) as TradeType,
      status: Number(r.status) as TradeStatus,
      balanceAfter: Number(r.balance_after),
      remark: (r.remark as string | null) ?? null,
      fingerprint: (r.fingerprint as string | null) ?? null,
      settledAt: Number(r.settled_at),
    }));
  }

  /** Writes the rows, INSERT_CHUNK per statement (UNIQUE request_id: a row already there fails the transaction). */
  async insert(em: EntityManager, trades: readonly NewTrade[]): Promise<void> {
    for (let i = 0; i < trades.length; i += INSERT_CHUNK) {
      const chunk = trades.slice(i, i + INSERT_CHUNK);
      await em.query(
        `INSERT INTO t_qiyu_currency_trade (request_id, user_id, counterparty_id, num, balance_after, type, status, remark, fingerprint)
         VALUES ${chunk.map(() => '(?,?,?,?,?,?,?,?,?)').join(',')}`,
        chunk.flatMap((t) => [
          t.requestId,
          t.userId,
          t.counterpartyId,
          t.num,
          t.balanceAfter,
          t.type,
          t.status,
          t.remark,
          t.fingerprint,
        ]),
      );
    }
  }

  /** A user's rows, newest first. */
  async listByUser(userId: number, limit: number, offset: number): Promise<TradeListItem[]> {
    const rows: Record<string, unknown>[] = await this.dataSource.query(
      `SELECT id, request_id, num, balance_after, type, status, counterparty_id, remark, create_time
       FROM t_qiyu_currency_trade WHERE user_id = ? ORDER BY id DESC LIMIT ? OFFSET ?`,
      [userId, limit, offset],
    );
    return rows.map((r) => ({
      id: Number(r.id),
      requestId: String(r.request_id),
      num: Number(r.num),
      balanceAfter: Number(r.balance_after),
      type: Number(r.type) as TradeType,
      status: Number(r.status) as TradeStatus,
      counterpartyId: r.counterparty_id === null ? null : Number(r.counterparty_id),
      remark: (r.remark as string | null) ?? null,
      createTime: r.create_time as Date,
    }));
  }
}

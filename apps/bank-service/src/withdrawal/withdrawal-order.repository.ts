import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { WithdrawalOrderEntity, WithdrawalStatus } from './entities/withdrawal-order.entity';

/** A withdrawal order as the services read it (WithdrawalOrderEntity's names). */
export type WithdrawalOrder = Pick<
  WithdrawalOrderEntity,
  'id' | 'userId' | 'requestId' | 'amount' | 'fee' | 'net' | 'status' | 'reason' | 'createTime' | 'updateTime'
>;

export type NewWithdrawalOrder = Pick<WithdrawalOrderEntity, 'userId' | 'requestId' | 'amount' | 'fee' | 'net'>;

const COLUMNS = 'id, user_id, request_id, amount, fee, net, status, reason, create_time, update_time';

const toOrder = (r: Record<string, unknown>): WithdrawalOrder => ({
  id: Number(r.id),
  userId: Number(r.user_id),
  requestId: String(r.request_id),
  amount: Number(r.amount),
  fee: Number(r.fee),
  net: Number(r.net),
  status: Number(r.status) as WithdrawalStatus,
  reason: (r.reason as string | null) ?? null,
  createTime: r.create_time as Date,
  updateTime: r.update_time as Date,
});

/** The queries on t_withdrawal_order (bank-service owns it). `em`: the caller's transaction. */
@Injectable()
export class WithdrawalOrderRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async findByRequest(em: EntityManager, userId: number, requestId: string): Promise<WithdrawalOrder | undefined> {
    const [row]: Record<string, unknown>[] = await em.query(
      `SELECT ${COLUMNS} FROM t_withdrawal_order WHERE user_id = ? AND request_id = ?`,
      [userId, requestId],
    );
    return row ? toOrder(row) : undefined;
  }

  async find(id: number, em: EntityManager = this.dataSource.manager): Promise<WithdrawalOrder | undefined> {
    const [row]: Record<string, unknown>[] = await em.query(`SELECT ${COLUMNS} FROM t_withdrawal_order WHERE id = ?`, [
      id,
    ]);
    return row ? toOrder(row) : undefined;
  }

  /** A new order, status requested; its id. */
  async insert(em: EntityManager, order: NewWithdrawalOrder): Promise<number> {
    const result: { insertId: number | string } = await em.query(
      'INSERT INTO t_withdrawal_order (user_id, request_id, amount, fee, net, status) VALUES (?, ?, ?, ?, ?, ?)',
      [order.userId, order.requestId, order.amount, order.fee, order.net, WithdrawalStatus.REQUESTED],
    );
    return Number(result.insertId);
  }

  /**
   * `from` -> `to` in one conditional UPDATE (WHERE status IN from): true when this call moved the order,
   * false when it was not in `from` (another call moved it first, or it never was). Inside a transaction the
   * row stays locked until the end, so a concurrent transition waits and then finds it moved.
   */
  async transition(
    em: EntityManager,
    id: number,
    from: readonly WithdrawalStatus[],
    to: WithdrawalStatus,
    reason: string | null = null,
  ): Promise<boolean> {
    const result: { affectedRows: number } = await em.query(
      `UPDATE t_withdrawal_order SET status = ?, reason = COALESCE(?, reason)
       WHERE id = ? AND status IN (${from.map(() => '?').join(',')})`,
      [to, reason, id, ...from],
    );
    return result.affectedRows === 1;
  }

  /** A user's orders older (smaller id) than `beforeId`, newest first (idx_withdrawal_user (user_id, id)). */
  async listByUser(userId: number, beforeId: number | null, limit: number): Promise<WithdrawalOrder[]> {
    const rows: Record<string, unknown>[] = await this.dataSource.query(
      `SELECT ${COLUMNS} FROM t_withdrawal_order WHERE user_id = ?${beforeId === null ? '' : ' AND id < ?'}
       ORDER BY id DESC LIMIT ?`,
      beforeId === null ? [userId, limit] : [userId, beforeId, limit],
    );
    return rows.map(toOrder);
  }
}

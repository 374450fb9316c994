import { BaseErrorCode, BizException } from '@live/common';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, QueryRunner } from 'typeorm';
import { PayOrderEntity, PayOrderStatus } from './entities/pay-order.entity';
import { UNPAID_STATUSES } from './pay-order-status';

/** What the payment flow reads of an order (PayOrderEntity's names), and its age by the database's clock. */
export type PayOrderState = Pick<
  PayOrderEntity,
  'orderId' | 'userId' | 'status' | 'coinNum' | 'productId' | 'source' | 'payChannel'
> & {
  /** Milliseconds since the order was made (the database's clock, as create_time). */
  ageMs: number;
};

type NewPayOrder = Pick<
  PayOrderEntity,
  'orderId' | 'productId' | 'userId' | 'source' | 'payChannel' | 'status' | 'price' | 'coinNum' | 'requestKey'
>;

interface OrderRow {
  order_id: string;
  user_id: string | number;
  status: number;
  coin_num: string | number;
  product_id: string | number;
  source: string | number;
  pay_channel: string | number;
  age_ms: string | number;
}

const COLUMNS = `order_id, user_id, status, coin_num, product_id, source, pay_channel,
  TIMESTAMPDIFF(MICROSECOND, create_time, NOW(3)) DIV 1000 AS age_ms`;

const toState = (row: OrderRow): PayOrderState => ({
  orderId: row.order_id,
  userId: Number(row.user_id),
  status: Number(row.status) as PayOrderStatus,
  coinNum: Number(row.coin_num),
  productId: Number(row.product_id),
  source: Number(row.source),
  payChannel: Number(row.pay_channel),
  ageMs: Number(row.age_ms),
});

const UNPAID = UNPAID_STATUSES.join(',');

/** Where a statement runs: the pool, or one connection (a transaction's, or one holding a lock). */
export type Queryable = Pick<DataSource, 'query'>;

/** How long a call waits for its user's order lock (GET_LOCK) before it is answered 503. */
const ORDER_LOCK_WAIT_S = 5;

/** The queries on t_pay_order. `em`: the caller's transaction. */
@Injectable()
export class PayOrderRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Runs `work` on one connection holding the user's order lock (MariaDB GET_LOCK, named after the user and this
   * database; released at the end, or by the server if the connection dies): counting the user's open orders
   * and inserting one are one step for concurrent calls of every bank-service instance. Not got within
   * ORDER_LOCK_WAIT_S: SERVICE_UNAVAILABLE (try again).
   */
  async withUserLock<T>(userId: number, work: (db: QueryRunner) => Promise<T>): Promise<T> {
    const name = `pay-order:${userId}:${String(this.dataSource.options.database)}`.slice(0, 64);
    const runner = this.dataSource.createQueryRunner();
    try {
      const [{ got }]: { got: number | string | null }[] = await runner.query('SELECT GET_LOCK(?, ?) AS got', [
        name,
        ORDER_LOCK_WAIT_S,
      ]);
      if (Number(got) !== 1) throw new BizException(BaseErrorCode.SERVICE_UNAVAILABLE, 'order lock busy, try again');
      try {
        return await work(runner);
      } finally {
        await runner.query('SELECT RELEASE_LOCK(?)', [name]);
      }
    } finally {
      await runner.release();
    }
  }

  /** A new order (UNIQUE (user_id, request_key): a second order under one key fails with ER_DUP_ENTRY). */
  async insert(order: NewPayOrder, db: Queryable = this.dataSource): Promise<void> {
    await db.query(
      `INSERT INTO t_pay_order (order_id, product_id, user_id, source, pay_channel, status, price, coin_num, request_key)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        order.orderId,
        order.productId,
        order.userId,
        order.source,
        order.payChannel,
        order.status,
        order.price,
        order.coinNum,
        order.requestKey,
      ],
    );
  }

  /**
   * The user's orders still unpaid (waiting or paying) and made less than `ttlMinutes` ago, and the age in
   * seconds of the oldest of them (the database's clock); idx_pay_order_user_open.
   */
  async countOpen(db: Queryable, userId: number, ttlMinutes: number): Promise<{ open: number; oldestS: number }> {
    const [row]: { n: string | number; oldest_s: string | number | null }[] = await db.query(
      `SELECT COUNT(*) AS n, MAX(TIMESTAMPDIFF(SECOND, create_time, NOW(3))) AS oldest_s FROM t_pay_order
       WHERE user_id = ? AND status IN (${UNPAID}) AND create_time >= NOW(3) - INTERVAL ? MINUTE`,
      [userId, ttlMinutes],
    );
    return { open: Number(row?.n ?? 0), oldestS: Number(row?.oldest_s ?? 0) };
  }

  async find(orderId: string): Promise<PayOrderState | undefined> {
    const [row]: OrderRow[] = await this.dataSource.query(`SELECT ${COLUMNS} FROM t_pay_order WHERE order_id = ?`, [
      orderId,
    ]);
    return row ? toState(row) : undefined;
  }

  /** The order a user made under an Idempotency-Key (uk_pay_order_request). */
  async findByRequestKey(
    userId: number,
    requestKey: string,
    db: Queryable = this.dataSource,
  ): Promise<PayOrderState | undefined> {
    const [row]: OrderRow[] = await db.query(
      `SELECT ${COLUMNS} FROM t_pay_order WHERE user_id = ? AND request_key = ?`,
      [userId, requestKey],
    );
    return row ? toState(row) : undefined;
  }

  /** The order, locked (FOR UPDATE) until the transaction ends. */
  async lock(em: EntityManager, orderId: string): Promise<PayOrderState | undefined> {
    const [row]: OrderRow[] = await em.query(`SELECT ${COLUMNS} FROM t_pay_order WHERE order_id = ? FOR UPDATE`, [
      orderId,
    ]);
    return row ? toState(row) : undefined;
  }

  async markPaid(em: EntityManager, orderId: string): Promise<void> {
    await this.setStatus(em, orderId, PayOrderStatus.PAID, ', pay_time = CURRENT_TIMESTAMP(3)');
  }

  async markRefunded(em: EntityManager, orderId: string): Promise<void> {
    await this.setStatus(em, orderId, PayOrderStatus.REFUNDED);
  }

  /** WAITING -> PAYING; an order in any other status is left as it is. */
  async markPayingIfWaiting(orderId: string): Promise<void> {
    await this.dataSource.query('UPDATE t_pay_order SET status = ? WHERE order_id = ? AND status = ?', [
      PayOrderStatus.PAYING,
      orderId,
      PayOrderStatus.WAITING,
    ]);
  }

  /**
   * At most `limit` orders still unpaid (waiting or paying) and made more than `ttlMinutes` ago (the
   * database's clock) become EXPIRED, in one conditional statement (a range on idx_pay_order_status_time).
   * Safe with several instances and against a callback in flight: a row a callback holds (FOR UPDATE) is
   * waited for and then re-read, so a paid order is never expired; each order is counted by one instance.
   */
  async expireOverdue(ttlMinutes: number, limit: number): Promise<number> {
    const result: { affectedRows?: number } = await this.dataSource.query(
      `UPDATE t_pay_order SET status = ?
       WHERE status IN (${UNPAID}) AND create_time < NOW(3) - INTERVAL ? MINUTE LIMIT ?`,
      [PayOrderStatus.EXPIRED, ttlMinutes, limit],
    );
    return result.affectedRows ?? 0;
  }

  private async setStatus(em: EntityManager, orderId: string, status: PayOrderStatus, extra = ''): Promise<void> {
    await em.query(`UPDATE t_pay_order SET status = ?${extra} WHERE order_id = ?`, [status, orderId]);
  }
}

import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { PayOrderEntity, PayOrderStatus } from './entities/pay-order.entity';

/** What the payment flow reads of an order (PayOrderEntity's names). */
type PayOrderState = Pick<PayOrderEntity, 'orderId' | 'userId' | 'status' | 'coinNum'>;

type NewPayOrder = Pick<
  PayOrderEntity,
  'orderId' | 'productId' | 'userId' | 'source' | 'payChannel' | 'status' | 'price' | 'coinNum'
>;

interface OrderRow {
  order_id: string;
  user_id: string | number;
  status: number;
  coin_num: string | number;
}

const toState = (row: OrderRow): PayOrderState => ({
  orderId: row.order_id,
  userId: Number(row.user_id),
  status: row.status as PayOrderStatus,
  coinNum: Number(row.coin_num),
});

/** The queries on t_pay_order. `em`: the caller's transaction. */
@Injectable()
export class PayOrderRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async insert(order: NewPayOrder): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO t_pay_order (order_id, product_id, user_id, source, pay_channel, status, price, coin_num)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        order.orderId,
        order.productId,
        order.userId,
        order.source,
        order.payChannel,
        order.status,
        order.price,
        order.coinNum,
      ],
    );
  }

  async find(orderId: string): Promise<PayOrderState | undefined> {
    const [row]: OrderRow[] = await this.dataSource.query(
      'SELECT order_id, user_id, status, coin_num FROM t_pay_order WHERE order_id = ?',
      [orderId],
    );
    return row ? toState(row) : undefined;
  }

  /** The order, locked (FOR UPDATE) until the transaction ends. */
  async lock(em: EntityManager, orderId: string): Promise<PayOrderState | undefined> {
    const [row]: OrderRow[] = await em.query(
      'SELECT order_id, user_id, status, coin_num FROM t_pay_order WHERE order_id = ? FOR UPDATE',
      [orderId],
    );
    return row ? toState(row) : undefined;
  }

  async markPaid(em: EntityManager, orderId: string): Promise<void> {
    await em.query('UPDATE t_pay_order SET status = ?, pay_time = CURRENT_TIMESTAMP(3) WHERE order_id = ?', [
      PayOrderStatus.PAID,
      orderId,
    ]);
  }

  /** WAITING -> PAYING; an order in any other status is left as it is. */
  async markPayingIfWaiting(orderId: string): Promise<void> {
    await this.dataSource.query('UPDATE t_pay_order SET status = ? WHERE order_id = ? AND status = ?', [
      PayOrderStatus.PAYING,
      orderId,
      PayOrderStatus.WAITING,
    ]);
  }
}

import { BigIntColumn, BigIntPrimaryColumn, TimestampedEntity } from '@live/database';
import { Column, Entity, Index } from 'typeorm';

export enum PayOrderStatus {
  WAITING = 0,
  PAYING = 1,
  PAID = 2,
  INVALID = 3,
  /** Still unpaid BANK_ORDER_TTL_MINUTES after it was made: a later callback is refused. */
  EXPIRED = 4,
  /** Paid, then refunded by an admin: its coins were clawed back from the wallet. */
  REFUNDED = 5,
}

@Entity('t_pay_order')
@Index('uk_pay_order', ['orderId'], { unique: true })
@Index('idx_pay_order_user', ['userId', 'id'])
@Index('uk_pay_order_request', ['userId', 'requestKey'], { unique: true })
@Index('idx_pay_order_status_time', ['status', 'createTime'])
@Index('idx_pay_order_user_open', ['userId', 'status', 'createTime'])
export class PayOrderEntity extends TimestampedEntity {
  @BigIntPrimaryColumn()
  id!: number;

  @Column({ name: 'order_id', type: 'varchar', length: 64 })
  orderId!: string;

  @Column({ name: 'product_id', type: 'int' })
  productId!: number;

  @BigIntColumn({ name: 'user_id' })
  userId!: number;

  @Column({ type: 'tinyint' })
  source!: number;

  @Column({ name: 'pay_channel', type: 'tinyint' })
  payChannel!: number;

  @Column({ type: 'tinyint', default: PayOrderStatus.WAITING })
  status!: PayOrderStatus;

  /** Snapshot of the product's price (cents) when the order was made. */
  @BigIntColumn()
  price!: number;

  /** Snapshot of the product's coins when the order was made. */
  @BigIntColumn({ name: 'coin_num' })
  coinNum!: number;

  /** The client's Idempotency-Key of /bank/payProduct (null: none given); UNIQUE per user. */
  @Column({ name: 'request_key', type: 'varchar', length: 64, nullable: true, default: null })
  requestKey!: string | null;

  @Column({ name: 'pay_time', type: 'datetime', precision: 3, nullable: true, default: null })
  payTime!: Date | null;
}

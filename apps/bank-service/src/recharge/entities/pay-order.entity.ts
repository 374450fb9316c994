import { BigIntColumn, BigIntPrimaryColumn, TimestampedEntity } from '@live/database';
import { Column, Entity, Index } from 'typeorm';

export enum PayOrderStatus {
  WAITING = 0,
  PAYING = 1,
  PAID = 2,
  INVALID = 3,
}

@Entity('t_pay_order')
@Index('uk_pay_order', ['orderId'], { unique: true })
@Index('idx_pay_order_user', ['userId', 'id'])
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

  @Column({ name: 'pay_time', type: 'datetime', precision: 3, nullable: true, default: null })
  payTime!: Date | null;
}

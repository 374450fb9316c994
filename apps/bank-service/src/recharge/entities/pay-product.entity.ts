import { BigIntColumn } from '@live/database';
import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

@Entity('t_pay_product')
export class PayProductEntity {
  @PrimaryGeneratedColumn({ type: 'int' })
  id!: number;

  @Column({ type: 'varchar', length: 64 })
  name!: string;

  /** In cents. */
  @BigIntColumn()
  price!: number;

  @BigIntColumn({ name: 'coin_num' })
  coinNum!: number;

  @Column({ type: 'tinyint', default: 0 })
  type!: number;

  @Column({ name: 'valid_status', type: 'tinyint', default: 1 })
  validStatus!: number;

  @Column({ name: 'sort_order', type: 'int', default: 0 })
  sortOrder!: number;

  @Column({ name: 'create_time', type: 'datetime', precision: 3, default: () => 'CURRENT_TIMESTAMP(3)' })
  createTime!: Date;

  @Column({ name: 'update_time', type: 'datetime', precision: 3, default: () => 'CURRENT_TIMESTAMP(3)', onUpdate: 'CURRENT_TIMESTAMP(3)' })
  updateTime!: Date;
}

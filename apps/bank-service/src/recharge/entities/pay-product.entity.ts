import { BigIntColumn, TimestampedEntity } from '@live/database';
import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

@Entity('t_pay_product')
export class PayProductEntity extends TimestampedEntity {
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
}

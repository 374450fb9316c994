import { bigintTransformer } from '@live/database';
import { Check, Column, Entity, PrimaryColumn } from 'typeorm';

@Entity('t_qiyu_currency_account')
@Check('ck_account_balance', 'current_balance >= 0')
@Check('ck_account_earnings', 'earnings >= 0')
export class CurrencyAccountEntity {
  @PrimaryColumn({ name: 'user_id', type: 'bigint', transformer: bigintTransformer })
  userId!: number;

  @Column({ name: 'current_balance', type: 'bigint', default: 0, transformer: bigintTransformer })
  currentBalance!: number;

  /** Coins received as gifts (the anchor's income side of each gift). */
  @Column({ type: 'bigint', default: 0, transformer: bigintTransformer })
  earnings!: number;

  @Column({ name: 'total_recharged', type: 'bigint', default: 0, transformer: bigintTransformer })
  totalRecharged!: number;

  @Column({ name: 'total_spent', type: 'bigint', default: 0, transformer: bigintTransformer })
  totalSpent!: number;

  /** Incremented on every balance change: the Redis cache never replaces a newer value with an older one. */
  @Column({ type: 'bigint', default: 0, transformer: bigintTransformer })
  version!: number;

  @Column({ type: 'tinyint', default: 1 })
  status!: number;

  @Column({ name: 'create_time', type: 'datetime', precision: 3, default: () => 'CURRENT_TIMESTAMP(3)' })
  createTime!: Date;

  @Column({ name: 'update_time', type: 'datetime', precision: 3, default: () => 'CURRENT_TIMESTAMP(3)', onUpdate: 'CURRENT_TIMESTAMP(3)' })
  updateTime!: Date;
}

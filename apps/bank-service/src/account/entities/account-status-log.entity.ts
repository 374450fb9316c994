import { BigIntColumn, BigIntPrimaryColumn, CreateTimeColumn } from '@live/database';
import { Column, Entity, Index } from 'typeorm';
import { AccountStatus } from './currency-account.entity';

/** One freeze or unfreeze of a wallet: who asked (an admin's user id), whom, why, and the status set. */
@Entity('t_account_status_log')
@Index('idx_account_status_log_user', ['userId', 'id'])
export class AccountStatusLogEntity {
  @BigIntPrimaryColumn()
  id!: number;

  @BigIntColumn({ name: 'user_id' })
  userId!: number;

  @Column({ type: 'tinyint' })
  status!: AccountStatus;

  @BigIntColumn({ name: 'admin_id' })
  adminId!: number;

  @Column({ type: 'varchar', length: 200 })
  reason!: string;

  @CreateTimeColumn()
  createTime!: Date;
}

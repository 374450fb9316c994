import { BigIntColumn, BigIntPrimaryColumn, TimestampedEntity } from '@live/database';
import { Check, Column, Entity, Index } from 'typeorm';

/** requested -> approved -> paid; requested | approved -> rejected (the amount back to earnings). */
export enum WithdrawalStatus {
  REQUESTED = 0,
  APPROVED = 1,
  PAID = 2,
  REJECTED = 3,
}

/**
 * A withdrawal order: `amount` left the anchor's earnings when it was requested (a TradeType.WITHDRAW
 * row); `fee` is the platform's cut, `net` what is paid out. One order per (user, Idempotency-Key).
 */
@Entity('t_withdrawal_order')
@Index('uk_withdrawal_request', ['userId', 'requestId'], { unique: true })
@Index('idx_withdrawal_user', ['userId', 'id'])
@Check('ck_withdrawal_amounts', 'amount > 0 AND fee >= 0 AND net >= 0 AND fee + net = amount')
export class WithdrawalOrderEntity extends TimestampedEntity {
  @BigIntPrimaryColumn()
  id!: number;

  @BigIntColumn({ name: 'user_id' })
  userId!: number;

  /** The client's Idempotency-Key. */
  @Column({ name: 'request_id', type: 'varchar', length: 64 })
  requestId!: string;

  @BigIntColumn()
  amount!: number;

  @BigIntColumn()
  fee!: number;

  @BigIntColumn()
  net!: number;

  @Column({ type: 'tinyint', default: WithdrawalStatus.REQUESTED })
  status!: WithdrawalStatus;

  /** Why it was rejected. */
  @Column({ type: 'varchar', length: 255, nullable: true, default: null })
  reason!: string | null;
}

import { BigIntColumn, BigIntPrimaryColumn, TimestampedEntity } from '@live/database';
import { Check, Column, Entity } from 'typeorm';

/** An account's `status`: a frozen account cannot send gifts, recharge or withdraw. */
export enum AccountStatus {
  FROZEN = 0,
  ACTIVE = 1,
}

@Entity('t_qiyu_currency_account')
@Check('ck_account_balance', 'current_balance >= 0')
@Check('ck_account_earnings', 'earnings >= 0')
export class CurrencyAccountEntity extends TimestampedEntity {
  @BigIntPrimaryColumn({ name: 'user_id', generated: false })
  userId!: number;

  @BigIntColumn({ name: 'current_balance', default: 0 })
  currentBalance!: number;

  /** Coins received as gifts (the anchor's income side of each gift). */
  @BigIntColumn({ default: 0 })
  earnings!: number;

  @BigIntColumn({ name: 'total_recharged', default: 0 })
  totalRecharged!: number;

  @BigIntColumn({ name: 'total_spent', default: 0 })
  totalSpent!: number;

  /** Every coin ever received as gifts (the sum of the gift credit rows), kept with `earnings` by the settlement. */
  @BigIntColumn({ name: 'total_earned', default: 0 })
  totalEarned!: number;

  /** Coins spent on gifts on `spentDay` (a UTC day); BANK_DAILY_SPEND_CAP is checked against it at settlement. */
  @BigIntColumn({ name: 'spent_today', default: 0 })
  spentToday!: number;

  /** The UTC day `spentToday` counts ('YYYY-MM-DD'); null before the first gift. Another day: nothing spent yet today. */
  @Column({ name: 'spent_day', type: 'date', nullable: true, default: null })
  spentDay!: string | null;

  /** Incremented on every balance change: the Redis cache never replaces a newer value with an older one. */
  @BigIntColumn({ default: 0 })
  version!: number;

  @Column({ type: 'tinyint', default: AccountStatus.ACTIVE })
  status!: AccountStatus;
}

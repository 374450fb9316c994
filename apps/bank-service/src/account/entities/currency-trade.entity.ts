import { BigIntColumn, BigIntPrimaryColumn, CreateTimeColumn } from '@live/database';
import { Column, Entity, Index } from 'typeorm';

export enum TradeType {
  RECHARGE = 1,
  GIFT = 2,
  MANUAL_CREDIT = 3,
  MANUAL_DEBIT = 4,
  /** Earnings out to a withdrawal order (its amount: the payout plus the platform's cut). */
  WITHDRAW = 5,
  /** A rejected withdrawal's amount back to earnings. */
  WITHDRAW_REVERSAL = 6,
  /** A paid recharge order refunded: its coins clawed back from the wallet. */
  RECHARGE_REFUND = 7,
}

/** Which side of the user's account a row is on (a gift is a transfer: the sender's debit, the receiver's credit). */
export enum TradeDirection {
  /** Coins out of the user's wallet (a gift sent, a manual debit; a refused gift, num 0), or earnings to a withdrawal. */
  DEBIT = 1,
  /** Coins in: to the wallet (a recharge, a manual credit) or to earnings (a gift's receiver, a rejected withdrawal). */
  CREDIT = 2,
}

export enum TradeStatus {
  /** A gift refused (e.g. insufficient balance): num 0, kept so a redelivery gets the same answer. */
  REJECTED = 0,
  SUCCESS = 1,
}

/**
 * The ledger: at most one row per request id and direction (UNIQUE), never two charges for one request. A
 * charged gift is two rows under its request id: the sender's debit and the receiver's credit to earnings.
 */
@Entity('t_qiyu_currency_trade')
@Index('uk_trade_request_direction', ['requestId', 'direction'], { unique: true })
@Index('idx_trade_user', ['userId', 'id'])
@Index('idx_trade_counterparty', ['counterpartyId', 'id'])
@Index('idx_trade_earnings', ['userId', 'direction', 'type', 'createTime', 'num'])
export class CurrencyTradeEntity {
  @BigIntPrimaryColumn()
  id!: number;

  @Column({ name: 'request_id', type: 'varchar', length: 64 })
  requestId!: string;

  @BigIntColumn({ name: 'user_id' })
  userId!: number;

  @Column({ type: 'tinyint' })
  direction!: TradeDirection;

  /** The other side of a gift: the receiver on the debit row, the sender on the credit row; null otherwise. */
  @BigIntColumn({ name: 'counterparty_id', nullable: true })
  counterpartyId!: number | null;

  /** Signed: negative = coins out (debits), positive = coins in (credits); 0 for a refused gift. */
  @BigIntColumn()
  num!: number;

  /** The wallet's balance after the row; on a gift's credit row and a withdrawal's rows, the earnings after it. */
  @BigIntColumn({ name: 'balance_after' })
  balanceAfter!: number;

  @Column({ type: 'tinyint' })
  type!: TradeType;

  @Column({ type: 'tinyint', default: TradeStatus.SUCCESS })
  status!: TradeStatus;

  @Column({ type: 'varchar', length: 255, nullable: true, default: null })
  remark!: string | null;

  /** Gifts: what the request id was for (giftRequestFingerprint). A reused id with another one is refused. */
  @Column({ type: 'char', length: 64, nullable: true, default: null })
  fingerprint!: string | null;

  @CreateTimeColumn()
  createTime!: Date;
}

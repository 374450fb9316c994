import { BigIntColumn, BigIntPrimaryColumn, CreateTimeColumn } from '@live/database';
import { Column, Entity, Index } from 'typeorm';

export enum TradeType {
  RECHARGE = 1,
  GIFT = 2,
  MANUAL_CREDIT = 3,
  MANUAL_DEBIT = 4,
}

export enum TradeStatus {
  /** A gift refused (e.g. insufficient balance): num 0, kept so a redelivery gets the same answer. */
  REJECTED = 0,
  SUCCESS = 1,
}

/** The ledger: one row per request id (UNIQUE), never two charges for one request. */
@Entity('t_qiyu_currency_trade')
@Index('uk_trade_request', ['requestId'], { unique: true })
@Index('idx_trade_user', ['userId', 'id'])
@Index('idx_trade_counterparty', ['counterpartyId', 'id'])
export class CurrencyTradeEntity {
  @BigIntPrimaryColumn()
  id!: number;

  @Column({ name: 'request_id', type: 'varchar', length: 64 })
  requestId!: string;

  @BigIntColumn({ name: 'user_id' })
  userId!: number;

  @BigIntColumn({ name: 'counterparty_id', nullable: true })
  counterpartyId!: number | null;

  /** Signed: negative = coins out. */
  @BigIntColumn()
  num!: number;

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

import { bigintTransformer } from '@live/database';
import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

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
  @PrimaryColumn({ type: 'bigint', generated: 'increment', transformer: bigintTransformer })
  id!: number;

  @Column({ name: 'request_id', type: 'varchar', length: 64 })
  requestId!: string;

  @Column({ name: 'user_id', type: 'bigint', transformer: bigintTransformer })
  userId!: number;

  @Column({ name: 'counterparty_id', type: 'bigint', nullable: true, default: null, transformer: bigintTransformer })
  counterpartyId!: number | null;

  /** Signed: negative = coins out. */
  @Column({ type: 'bigint', transformer: bigintTransformer })
  num!: number;

  @Column({ name: 'balance_after', type: 'bigint', transformer: bigintTransformer })
  balanceAfter!: number;

  @Column({ type: 'tinyint' })
  type!: TradeType;

  @Column({ type: 'tinyint', default: TradeStatus.SUCCESS })
  status!: TradeStatus;

  @Column({ type: 'varchar', length: 255, nullable: true, default: null })
  remark!: string | null;

  @Column({ name: 'create_time', type: 'datetime', precision: 3, default: () => 'CURRENT_TIMESTAMP(3)' })
  createTime!: Date;
}

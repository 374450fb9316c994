import { BigIntColumn, BigIntPrimaryColumn, CreateTimeColumn } from '@live/database';
import { Column, Entity, Index } from 'typeorm';

@Entity('t_gift_record')
@Index('uk_gift_record_request', ['requestId'], { unique: true })
@Index('idx_gift_record_room', ['roomId', 'id'])
@Index('idx_gift_record_user', ['senderId', 'id'])
@Index('idx_gift_record_receiver', ['receiverId', 'id'])
@Index('idx_gift_record_pk', ['pkId'])
export class GiftRecordEntity {
  @BigIntPrimaryColumn()
  id!: number;

  @Column({ name: 'request_id', type: 'varchar', length: 64 })
  requestId!: string;

  /** The sender (the column keeps its name, user_id). */
  @BigIntColumn({ name: 'user_id' })
  senderId!: number;

  @BigIntColumn({ name: 'receiver_id' })
  receiverId!: number;

  @BigIntColumn({ name: 'room_id' })
  roomId!: number;

  @Column({ name: 'gift_id', type: 'int' })
  giftId!: number;

  /** The price of one. */
  @BigIntColumn()
  price!: number;

  /** How many of the gift the send carried (charged price x count as one trade); migration 1764000000600. */
  @Column({ type: 'int', default: 1 })
  count!: number;

  @Column({ type: 'int', default: 1 })
  combo!: number;

  /** The PK the gift was sent in (issue 21; migration 1764000000700), null for any other gift. */
  @Column({ name: 'pk_id', type: 'varchar', length: 48, nullable: true, default: null })
  pkId!: string | null;

  /** The signed move the gift made on its PK's bar (+ toward the anchor, - toward the challenger; 0: none). */
  @Column({ name: 'pk_step', type: 'smallint', default: 0 })
  pkStep!: number;

  @Column({ name: 'send_time', type: 'datetime', precision: 3 })
  sendTime!: Date;

  @CreateTimeColumn()
  createTime!: Date;
}

import { bigintTransformer } from '@live/database';
import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

@Entity('t_gift_record')
@Index('uk_gift_record_request', ['requestId'], { unique: true })
@Index('idx_gift_record_room', ['roomId', 'id'])
@Index('idx_gift_record_user', ['userId', 'id'])
export class GiftRecordEntity {
  @PrimaryColumn({ type: 'bigint', generated: 'increment', transformer: bigintTransformer })
  id!: number;

  @Column({ name: 'request_id', type: 'varchar', length: 64 })
  requestId!: string;

  @Column({ name: 'user_id', type: 'bigint', transformer: bigintTransformer })
  userId!: number;

  @Column({ name: 'receiver_id', type: 'bigint', transformer: bigintTransformer })
  receiverId!: number;

  @Column({ name: 'room_id', type: 'bigint', transformer: bigintTransformer })
  roomId!: number;

  @Column({ name: 'gift_id', type: 'int' })
  giftId!: number;

  @Column({ type: 'bigint', transformer: bigintTransformer })
  price!: number;

  @Column({ type: 'int', default: 1 })
  combo!: number;

  @Column({ name: 'send_time', type: 'datetime', precision: 3 })
  sendTime!: Date;

  @Column({ name: 'create_time', type: 'datetime', precision: 3, default: () => 'CURRENT_TIMESTAMP(3)' })
  createTime!: Date;
}

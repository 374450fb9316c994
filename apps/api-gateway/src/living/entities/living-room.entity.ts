import { BigIntColumn, BigIntPrimaryColumn, UpdateTimeColumn } from '@live/database';
import { Column, Entity, Index } from 'typeorm';

export enum LivingRoomStatus {
  CLOSED = 0,
  LIVING = 1,
}

@Entity('t_living_room')
@Index('idx_living_status_type', ['status', 'type', 'id'])
@Index('idx_living_anchor', ['anchorId', 'status'])
export class LivingRoomEntity {
  @BigIntPrimaryColumn()
  id!: number;

  @BigIntColumn({ name: 'anchor_id' })
  anchorId!: number;

  @Column({ type: 'tinyint', default: 0 })
  type!: number;

  @Column({ name: 'room_name', type: 'varchar', length: 128 })
  roomName!: string;

  @Column({ name: 'cover_img', type: 'varchar', length: 255, nullable: true, default: null })
  coverImg!: string | null;

  @Column({ type: 'tinyint' })
  status!: LivingRoomStatus;

  @Column({ name: 'watch_num', type: 'int', default: 0 })
  watchNum!: number;

  @Column({ name: 'start_time', type: 'datetime', precision: 3, default: () => 'CURRENT_TIMESTAMP(3)' })
  startTime!: Date;

  @Column({ name: 'close_time', type: 'datetime', precision: 3, nullable: true, default: null })
  closeTime!: Date | null;

  @UpdateTimeColumn()
  updateTime!: Date;
}

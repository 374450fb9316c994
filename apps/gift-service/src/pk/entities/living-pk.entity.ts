import { BigIntColumn, BigIntPrimaryColumn } from '@live/database';
import { Column, Entity, Index } from 'typeorm';

/** One PK battle (issue 21; migration 1764000000700): written at its start, completed at its end. */
@Entity('t_living_pk')
@Index('uk_living_pk', ['pkId'], { unique: true })
@Index('idx_living_pk_room', ['roomId', 'id'])
export class LivingPkEntity {
  @BigIntPrimaryColumn()
  id!: number;

  @Column({ name: 'pk_id', type: 'varchar', length: 48 })
  pkId!: string;

  @BigIntColumn({ name: 'room_id' })
  roomId!: number;

  @BigIntColumn({ name: 'anchor_id' })
  anchorId!: number;

  @BigIntColumn({ name: 'challenger_id' })
  challengerId!: number;

  @Column({ name: 'started_at', type: 'datetime', precision: 3 })
  startedAt!: Date;

  @Column({ name: 'ends_at', type: 'datetime', precision: 3 })
  endsAt!: Date;

  @Column({ name: 'ended_at', type: 'datetime', precision: 3, nullable: true, default: null })
  endedAt!: Date | null;

  /** The anchor or the challenger; 0 for a draw; null while running. */
  @BigIntColumn({ name: 'winner_id', nullable: true })
  winnerId!: number | null;

  /** 'bound' | 'time' | 'offline' | 'session'; null while running. */
  @Column({ name: 'end_reason', type: 'varchar', length: 16, nullable: true, default: null })
  endReason!: string | null;

  @Column({ name: 'final_progress', type: 'smallint', nullable: true, default: null })
  finalProgress!: number | null;

  /** The room's seq at the end (null while running): a new PK of the room continues after it, hash or not. */
  @Column({ name: 'final_seq', type: 'int', nullable: true, default: null })
  finalSeq!: number | null;
}

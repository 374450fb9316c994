import { BigIntPrimaryColumn, TimestampedEntity } from '@live/database';
import { Column, Entity, Index } from 'typeorm';

export enum UserRole {
  USER = 0,
  ADMIN = 1,
}

@Entity('t_user')
@Index('uk_user_phone', ['phone'], { unique: true })
export class UserEntity extends TimestampedEntity {
  @BigIntPrimaryColumn({ name: 'user_id' })
  userId!: number;

  @Column({ type: 'varchar', length: 20, name: 'phone' })
  phone!: string;

  @Column({ name: 'nick_name', type: 'varchar', length: 64 })
  nickName!: string;

  @Column({ type: 'varchar', length: 255, nullable: true, default: null })
  avatar!: string | null;

  @Column({ type: 'tinyint', default: UserRole.USER })
  role!: UserRole;

  @Column({ type: 'tinyint', default: 1 })
  status!: number;
}

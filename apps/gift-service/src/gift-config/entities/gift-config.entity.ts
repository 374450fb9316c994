import { BigIntColumn, TimestampedEntity } from '@live/database';
import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

@Entity('t_gift_config')
export class GiftConfigEntity extends TimestampedEntity {
  @PrimaryGeneratedColumn({ name: 'gift_id', type: 'int' })
  giftId!: number;

  @Column({ name: 'gift_name', type: 'varchar', length: 64 })
  giftName!: string;

  @BigIntColumn()
  price!: number;

  /** 1 on sale, 0 off (GiftStatus in @live/contracts). */
  @Column({ type: 'tinyint', default: 1 })
  status!: number;

  @Column({ name: 'cover_img_url', type: 'varchar', length: 255 })
  coverImgUrl!: string;

  @Column({ name: 'svga_url', type: 'varchar', length: 255 })
  svgaUrl!: string;

  @Column({ name: 'sort_order', type: 'int', default: 0 })
  sortOrder!: number;
}

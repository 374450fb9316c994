import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The received-gift history (`/gift/history/received`) pages a receiver's records newest first by id:
 * `WHERE receiver_id = ? AND id < ? ORDER BY id DESC`. This index makes it a range scan, as
 * idx_gift_record_user (user_id, id) and idx_gift_record_room (room_id, id) already do for the sent and
 * room histories.
 */
export class GiftRecordReceiverIndex1764000000030 implements MigrationInterface {
  name = 'GiftRecordReceiverIndex1764000000030';

  async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE t_gift_record ADD KEY idx_gift_record_receiver (receiver_id, id)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE t_gift_record DROP KEY idx_gift_record_receiver');
  }
}

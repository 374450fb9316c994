import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Gift count (issue 20): a send carries `count` of one gift (1..999), charged as ONE trade of price x count
 * and recorded as ONE row; `price` stays the price of one. Every row written before is one gift (DEFAULT 1).
 * Re-runnable: the column is added only when missing (MariaDB commits each DDL statement on its own).
 * Deploy: a gift-service that predates counts writes no count (the default, 1, is right for what it sends:
 * it parks any message with another count, whose signature it cannot check).
 */
export class GiftRecordCount1764000000600 implements MigrationInterface {
  name = 'GiftRecordCount1764000000600';

  async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE t_gift_record ADD COLUMN IF NOT EXISTS count INT NOT NULL DEFAULT 1 AFTER price');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE t_gift_record DROP COLUMN IF EXISTS count');
  }
}

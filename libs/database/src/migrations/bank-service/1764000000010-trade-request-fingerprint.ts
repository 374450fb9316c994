import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The ledger remembers what a gift's request id was for: the SHA-256 fingerprint of (gift, price, room,
 * receiver) (giftRequestFingerprint in @live/contracts; the sender is in the scoped request id and in
 * user_id). A redelivered request id with another fingerprint is a reused key: never settled as the
 * same gift. NULL for rows written before this migration and for trades other than gifts.
 */
export class TradeRequestFingerprint1764000000010 implements MigrationInterface {
  name = 'TradeRequestFingerprint1764000000010';

  async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE t_qiyu_currency_trade ADD COLUMN fingerprint CHAR(64) NULL DEFAULT NULL AFTER remark');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE t_qiyu_currency_trade DROP COLUMN fingerprint');
  }
}

import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * PK battles (issue 21), gift-service's:
 * - t_living_pk: one row per PK, written at its start and completed at its end (history, and the verifier's
 *   authority for a gift to a challenger: the room, the challenger and the PK's time);
 * - t_gift_record.pk_id / pk_step: the PK a charged gift was sent in and the signed move it made on the bar
 *   (0: none), so an audit checks every PK's final progress = 50 + the sum of its records' steps; indexed
 *   (idx_gift_record_pk): the audit reads a PK's records by it;
 * - t_living_pk.final_seq: the room's seq at the PK's end, so a new PK continues the room's seq even when the
 *   Redis hash is gone.
 * Re-runnable: the table and the columns are added only when missing (MariaDB commits each DDL on its own).
 */
export class LivingPk1764000000700 implements MigrationInterface {
  name = 'LivingPk1764000000700';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TABLE IF NOT EXISTS t_living_pk (
         id BIGINT NOT NULL AUTO_INCREMENT,
         pk_id VARCHAR(48) NOT NULL,
         room_id BIGINT NOT NULL,
         anchor_id BIGINT NOT NULL,
         challenger_id BIGINT NOT NULL,
         started_at DATETIME(3) NOT NULL,
         ends_at DATETIME(3) NOT NULL,
         ended_at DATETIME(3) NULL DEFAULT NULL,
         winner_id BIGINT NULL DEFAULT NULL,
         end_reason VARCHAR(16) NULL DEFAULT NULL,
         final_progress SMALLINT NULL DEFAULT NULL,
         final_seq INT NULL DEFAULT NULL,
         PRIMARY KEY (id),
         UNIQUE KEY uk_living_pk (pk_id),
         KEY idx_living_pk_room (room_id, id)
       ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`,
    );
    await q.query('ALTER TABLE t_gift_record ADD COLUMN IF NOT EXISTS pk_id VARCHAR(48) NULL DEFAULT NULL AFTER combo');
    await q.query('ALTER TABLE t_gift_record ADD COLUMN IF NOT EXISTS pk_step SMALLINT NOT NULL DEFAULT 0 AFTER pk_id');
    await q.query('CREATE INDEX IF NOT EXISTS idx_gift_record_pk ON t_gift_record (pk_id)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX IF EXISTS idx_gift_record_pk ON t_gift_record');
    await q.query('ALTER TABLE t_gift_record DROP COLUMN IF EXISTS pk_step');
    await q.query('ALTER TABLE t_gift_record DROP COLUMN IF EXISTS pk_id');
    await q.query('DROP TABLE IF EXISTS t_living_pk');
  }
}

import { MigrationInterface, QueryRunner } from 'typeorm';
import { TIMES } from '../owned-table';

/**
 * Withdrawals (issue 19): t_withdrawal_order, one row per order of an anchor's earnings paid out. The
 * client's Idempotency-Key is UNIQUE per user (uk_withdrawal_request): the same key never makes a second
 * order. status: 0 requested, 1 approved, 2 paid, 3 rejected. amount = fee (the platform's cut) + net (paid
 * out), checked by the schema. Re-runnable: a run after a failed one finds the table and leaves it.
 */
export class WithdrawalOrder1764000000100 implements MigrationInterface {
  name = 'WithdrawalOrder1764000000100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TABLE IF NOT EXISTS t_withdrawal_order (
         id BIGINT NOT NULL AUTO_INCREMENT,
         user_id BIGINT NOT NULL,
         request_id VARCHAR(64) NOT NULL,
         amount BIGINT NOT NULL,
         fee BIGINT NOT NULL,
         net BIGINT NOT NULL,
         status TINYINT NOT NULL DEFAULT 0,
         reason VARCHAR(255) NULL DEFAULT NULL,
         ${TIMES},
         PRIMARY KEY (id),
         UNIQUE KEY uk_withdrawal_request (user_id, request_id),
         KEY idx_withdrawal_user (user_id, id),
         CONSTRAINT ck_withdrawal_amounts CHECK (amount > 0 AND fee >= 0 AND net >= 0 AND fee + net = amount)
       ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE IF EXISTS t_withdrawal_order');
  }
}

import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Spending safeguards (issue 19): what each wallet spent on its current UTC day (`spent_today`, reset when
 * `spent_day` is not today: the settlement writes both under the row lock, BANK_DAILY_SPEND_CAP is checked
 * against them), and `t_account_status_log`, one row per freeze or unfreeze (who, whom, why; `status` of
 * t_qiyu_currency_account is the state itself, AccountStatus: 0 frozen, 1 active).
 * Re-runnable: every step checks what is there (MariaDB commits each DDL statement on its own).
 * Deploy: an older bank-service ignores the new columns (it would not count spending nor refuse frozen
 * accounts), so stop the old ones before starting the new version, as with every settlement change.
 */
export class AccountSafeguards1764000000200 implements MigrationInterface {
  name = 'AccountSafeguards1764000000200';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE t_qiyu_currency_account
         ADD COLUMN IF NOT EXISTS spent_today BIGINT NOT NULL DEFAULT 0 AFTER total_spent,
         ADD COLUMN IF NOT EXISTS spent_day DATE NULL DEFAULT NULL AFTER spent_today`,
    );
    await q.query(
      `CREATE TABLE IF NOT EXISTS t_account_status_log (
         id BIGINT NOT NULL AUTO_INCREMENT,
         user_id BIGINT NOT NULL,
         status TINYINT NOT NULL,
         admin_id BIGINT NOT NULL,
         reason VARCHAR(200) NOT NULL,
         create_time DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
         PRIMARY KEY (id),
         KEY idx_account_status_log_user (user_id, id)
       ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE IF EXISTS t_account_status_log');
    await q.query(
      'ALTER TABLE t_qiyu_currency_account DROP COLUMN IF EXISTS spent_day, DROP COLUMN IF EXISTS spent_today',
    );
  }
}

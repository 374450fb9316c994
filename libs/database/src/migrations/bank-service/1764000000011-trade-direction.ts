import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The ledger becomes double-entry for gifts: every trade row has a `direction` (1 = debit: coins out of
 * the user's account, 2 = credit: coins in), and a charged gift is two rows under its request id, the
 * sender's debit and the receiver's credit to earnings. The request id stays unique per direction
 * (UNIQUE (request_id, direction)): one debit and at most one credit per request id, never a second
 * charge. Existing rows: recharges and manual credits are credits, everything else a debit; every charged
 * gift settled before gets its receiver's credit row (same request id, fingerprint and time; balance_after:
 * the receiver's earnings after it, in ledger order, as earnings only ever came from gifts).
 * idx_trade_earnings (user, direction, type, time, num) answers the earnings totals from the index alone.
 * Re-runnable: MariaDB commits each DDL statement on its own, so a run that failed half way (a lock
 * timeout in the backfill of a large ledger) is simply run again (every step checks what is there).
 * Deploy: stop every bank-service of the version before, migrate, then start the new one (an old writer
 * knows no direction and reads a gift's two rows as one).
 */
export class TradeDirection1764000000011 implements MigrationInterface {
  name = 'TradeDirection1764000000011';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE t_qiyu_currency_trade
         ADD COLUMN IF NOT EXISTS direction TINYINT NOT NULL DEFAULT 1 AFTER user_id,
         DROP INDEX IF EXISTS uk_trade_request,
         ADD UNIQUE KEY IF NOT EXISTS uk_trade_request_direction (request_id, direction),
         ADD KEY IF NOT EXISTS idx_trade_earnings (user_id, direction, type, create_time, num)`,
    );
    // A run after a failed one: the column may have lost its default already.
    await q.query('ALTER TABLE t_qiyu_currency_trade ALTER COLUMN direction SET DEFAULT 1');
    await q.query('UPDATE t_qiyu_currency_trade SET direction = 2 WHERE type IN (1, 3)');
    await q.query(
      `INSERT INTO t_qiyu_currency_trade
         (request_id, user_id, direction, counterparty_id, num, balance_after, type, status, remark, fingerprint, create_time)
       SELECT request_id, counterparty_id, 2, user_id, -num,
              SUM(-num) OVER (PARTITION BY counterparty_id ORDER BY id), type, status, NULL, fingerprint, create_time
       FROM t_qiyu_currency_trade d
       WHERE type = 2 AND status = 1 AND direction = 1 AND counterparty_id IS NOT NULL
         AND NOT EXISTS (SELECT 1 FROM t_qiyu_currency_trade c WHERE c.request_id = d.request_id AND c.direction = 2)
       ORDER BY id`,
    );
    // No default from now on: a writer that does not say which side a row is on fails.
    await q.query('ALTER TABLE t_qiyu_currency_trade ALTER COLUMN direction DROP DEFAULT');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DELETE FROM t_qiyu_currency_trade WHERE type = 2 AND direction = 2');
    await q.query(
      `ALTER TABLE t_qiyu_currency_trade
         DROP INDEX idx_trade_earnings,
         DROP INDEX uk_trade_request_direction,
         ADD UNIQUE KEY uk_trade_request (request_id),
         DROP COLUMN direction`,
    );
  }
}

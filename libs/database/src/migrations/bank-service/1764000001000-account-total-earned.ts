import { MigrationInterface, QueryRunner } from 'typeorm';

/** TradeDirection.CREDIT, TradeType.GIFT and TradeStatus.SUCCESS of t_qiyu_currency_trade (a charged gift's credit). */
const CREDIT = 2;
const GIFT = 2;
const SUCCESS = 1;

/**
 * `total_earned` on t_qiyu_currency_account: every coin the account ever received as gifts (the sum of its gift
 * credit rows), kept by the settlement in the same UPDATE as `earnings`. `/bank/earnings` answered its all-time
 * total by summing every gift credit of the anchor's history on each call (a popular anchor's page reads it
 * twice a second while gifts arrive), so that read grew with the ledger; it now reads this column and only
 * the rows of its windows (7 days, or the hold when longer).
 * Backfilled from the ledger (exact when no bank-service settles meanwhile: stop the old ones before it runs,
 * as with every settlement change; an older bank-service, started again after it, would credit earnings
 * without this column: the gift audit's per-account check finds that; with every bank-service stopped,
 * `migrate down 1` then `up` (or this backfill's UPDATE run by hand) repairs it).
 * Re-runnable while nothing settles: the column is added if missing, the backfill recomputes every account.
 */
export class AccountTotalEarned1764000001000 implements MigrationInterface {
  name = 'AccountTotalEarned1764000001000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE t_qiyu_currency_account
         ADD COLUMN IF NOT EXISTS total_earned BIGINT NOT NULL DEFAULT 0 AFTER total_spent`,
    );
    await q.query(
      `UPDATE t_qiyu_currency_account a
         LEFT JOIN (SELECT user_id, SUM(num) AS earned FROM t_qiyu_currency_trade
                    WHERE direction = ? AND type = ? AND status = ? GROUP BY user_id) c ON c.user_id = a.user_id
       SET a.total_earned = COALESCE(c.earned, 0)`,
      [CREDIT, GIFT, SUCCESS],
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE t_qiyu_currency_account DROP COLUMN IF EXISTS total_earned');
  }
}

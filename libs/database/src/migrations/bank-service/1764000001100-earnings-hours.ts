import { MigrationInterface, QueryRunner } from 'typeorm';

/** Runs one statement: a QueryRunner's or a DataSource's `query`. */
type Query = (sql: string, params?: unknown[]) => Promise<unknown>;

/**
 * (Re)builds `t_qiyu_earnings_hour` from the ledger, for every user or for `userIds`: each hour's charged gift
 * credits (direction 2, type 2, status 1), keyed by the hour of the credit rows' create_time (truncated by the
 * database). Exported for the tests that move credit rows in time: they rebuild their users' hours after it.
 */
export async function rebuildEarningsHours(query: Query, userIds?: readonly number[]): Promise<void> {
  if (userIds?.length === 0) return;
  const only = userIds === undefined ? '' : `user_id IN (${userIds.map(() => '?').join(',')})`;
  await query(`DELETE FROM t_qiyu_earnings_hour${only ? ` WHERE ${only}` : ''}`, [...(userIds ?? [])]);
  await query(
    `INSERT INTO t_qiyu_earnings_hour (user_id, hour_start, amount)
     SELECT user_id, TIMESTAMP(DATE(create_time), MAKETIME(HOUR(create_time), 0, 0)) AS h, SUM(num)
     FROM t_qiyu_currency_trade WHERE direction = 2 AND type = 2 AND status = 1${only ? ` AND ${only}` : ''}
     GROUP BY user_id, h`,
    [...(userIds ?? [])],
  );
}

/**
 * `t_qiyu_earnings_hour`: each receiver's charged gift credits per hour of the database's clock, kept by the
 * settlement in the transaction that writes the credits (one upsert per batch). `/bank/earnings` summed the
 * credit rows of the last 7 days (or of the hold, when longer) on every read, and a withdrawal the rows of
 * the hold while it holds the account's lock: both grew with a busy anchor's week (100,000 gifts a week, that
 * many index reads each time; the anchor's page reads it twice a second while gifts arrive). They now sum these
 * rows (at most 24 a day) and the credit rows of the one hour a window starts in.
 * Backfilled from the ledger; re-runnable while nothing settles (the hours are rebuilt). Deploy: stop every
 * bank-service of the version before (it would credit without the hours: the gift audit's per-hour check finds
 * that; `migrate down 1` then `up` with every bank-service stopped repairs it), migrate, start the new one.
 */
export class EarningsHours1764000001100 implements MigrationInterface {
  name = 'EarningsHours1764000001100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TABLE IF NOT EXISTS t_qiyu_earnings_hour (
         user_id BIGINT NOT NULL,
         hour_start DATETIME NOT NULL,
         amount BIGINT NOT NULL DEFAULT 0,
         PRIMARY KEY (user_id, hour_start)
       ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`,
    );
    await rebuildEarningsHours((sql, params) => q.query(sql, params));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE IF EXISTS t_qiyu_earnings_hour');
  }
}

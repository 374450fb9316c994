import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Recharge hygiene (issue 19) and recharge idempotency (issue 20) on t_pay_order:
 * - `request_key`: the client's Idempotency-Key of /bank/payProduct, UNIQUE per user
 *   (`uk_pay_order_request (user_id, request_key)`; NULL for orders made without one, which never collide):
 *   the same key makes one order however many instances race, the database being the authority;
 * - `idx_pay_order_status_time (status, create_time)`: the expiry job finds the orders still unpaid past
 *   BANK_ORDER_TTL_MINUTES by a range on it (a bounded UPDATE ... LIMIT, never a scan of the table).
 * The new statuses (4 expired, 5 refunded) need no DDL: `status` is a TINYINT.
 * Re-runnable: every step says IF [NOT] EXISTS (MariaDB commits each DDL statement on its own).
 */
export class PayOrderHygiene1764000000300 implements MigrationInterface {
  name = 'PayOrderHygiene1764000000300';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE t_pay_order
         ADD COLUMN IF NOT EXISTS request_key VARCHAR(64) NULL DEFAULT NULL AFTER coin_num,
         ADD UNIQUE KEY IF NOT EXISTS uk_pay_order_request (user_id, request_key),
         ADD KEY IF NOT EXISTS idx_pay_order_status_time (status, create_time)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE t_pay_order
         DROP KEY IF EXISTS idx_pay_order_status_time,
         DROP KEY IF EXISTS uk_pay_order_request,
         DROP COLUMN IF EXISTS request_key`,
    );
  }
}

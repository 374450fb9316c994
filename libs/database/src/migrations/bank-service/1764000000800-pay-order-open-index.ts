import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `idx_pay_order_user_open (user_id, status, create_time)` on t_pay_order: /bank/payProduct counts the user's
 * orders still unpaid within BANK_ORDER_TTL_MINUTES (at most BANK_MAX_OPEN_ORDERS) by a range on it, not by
 * reading every order the user ever made (orders are kept for good). Re-runnable (IF [NOT] EXISTS).
 */
export class PayOrderOpenIndex1764000000800 implements MigrationInterface {
  name = 'PayOrderOpenIndex1764000000800';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      'ALTER TABLE t_pay_order ADD KEY IF NOT EXISTS idx_pay_order_user_open (user_id, status, create_time)',
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE t_pay_order DROP KEY IF EXISTS idx_pay_order_user_open');
  }
}

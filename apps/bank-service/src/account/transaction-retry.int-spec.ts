import { createTestDatabase, TestDatabase } from '@live/testing';
import { LOCK_WAIT_TIMEOUT_S, withTransactionRetry } from './transaction-retry';

/**
 * A money transaction waits LOCK_WAIT_TIMEOUT_S for a row lock held elsewhere, then fails once with
 * ER_LOCK_WAIT_TIMEOUT (1205), not retried: before, it waited the server's 50 s, five times over.
 */
describe('withTransactionRetry: a bounded lock wait (real MariaDB)', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase();
    await db.dataSource.query('INSERT INTO t_qiyu_currency_account (user_id, current_balance) VALUES (9101, 5)');
  });

  afterAll(async () => {
    await db?.drop();
  });

  it(`a row held by a stuck transaction: the waiter fails with 1205 after about ${LOCK_WAIT_TIMEOUT_S} s, ran once, the row unchanged`, async () => {
    const holder = db.dataSource.createQueryRunner();
    await holder.connect();
    let attempts = 0;
    const started = Date.now();
    try {
      await holder.startTransaction();
      await holder.query('SELECT 1 FROM t_qiyu_currency_account WHERE user_id = 9101 FOR UPDATE');
      const failure = await withTransactionRetry(db.dataSource, 'test', async (em) => {
        attempts += 1;
        await em.query('UPDATE t_qiyu_currency_account SET current_balance = 6 WHERE user_id = 9101');
      }).then(
        () => undefined,
        (err: unknown) => err as { errno?: number; driverError?: { errno?: number } },
      );
      expect(failure?.errno ?? failure?.driverError?.errno).toBe(1205);
    } finally {
      await holder.rollbackTransaction();
      await holder.release();
    }
    const waited = Date.now() - started;
    expect(attempts).toBe(1);
    // It did wait for the lock (no NOWAIT); the server's 50 s would have run past this test's 30 s timeout.
    expect(waited).toBeGreaterThanOrEqual(LOCK_WAIT_TIMEOUT_S * 1000 - 500);
    const [row] = await db.dataSource.query('SELECT current_balance FROM t_qiyu_currency_account WHERE user_id = 9101');
    expect(Number(row.current_balance)).toBe(5);
  }, 30_000);
});

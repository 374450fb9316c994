import { createTestDatabase, TestDatabase, uniqueName } from '@live/testing';
import { DataSource } from 'typeorm';
import { BalanceCacheService } from '../account/balance-cache.service';
import { CurrencyAccountRepository } from '../account/currency-account.repository';
import { CurrencyTradeRepository } from '../account/currency-trade.repository';
import { BankServiceEnv } from '../config/bank-service.env';
import { GiftSettlementService } from './gift-settlement.service';
import { SettlementItem } from './settlement-planner';

/** MySQL errors a settlement transaction must never meet when every run locks in one global order. */
const LOCK_ERRORS = new Set([1213 /* ER_LOCK_DEADLOCK */, 1205 /* ER_LOCK_WAIT_TIMEOUT */]);

function errnoOf(err: unknown): number | undefined {
  const e = err as { errno?: unknown; driverError?: { errno?: unknown } } | null;
  const n = e?.errno ?? e?.driverError?.errno;
  return typeof n === 'number' ? n : undefined;
}

/**
 * Anchors who also send gifts to each other, crosswise, in settlement runs that overlap: A→B in one run
 * while B→A is in another. With receivers locked before the senders (the old order) two such runs wait on
 * each other in a cycle (ER_LOCK_DEADLOCK, which withTransactionRetry then hides by running the batch
 * again); with one global order (every account of a run in id order) no run ever waits in a cycle.
 */
describe('gift settlement: one global lock order (real MariaDB)', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let settlement: GiftSettlementService;
  const lockErrors: number[] = [];
  const anchors = [701, 702, 703, 704, 705, 706];
  const FUNDS = 1_000_000;

  beforeAll(async () => {
    db = await createTestDatabase();
    ds = db.dataSource;
    // Every transaction the service opens goes through here: record the lock errors it meets (the retry hides them).
    const transaction = ds.transaction.bind(ds) as (...args: unknown[]) => Promise<unknown>;
    jest.spyOn(ds, 'transaction').mockImplementation((async (...args: unknown[]) => {
      try {
        return await transaction(...args);
      } catch (err: unknown) {
        const n = errnoOf(err);
        if (n !== undefined && LOCK_ERRORS.has(n)) lockErrors.push(n);
        throw err;
      }
    }) as DataSource['transaction']);
    const cache = { refreshMany: async () => undefined } as unknown as BalanceCacheService;
    settlement = new GiftSettlementService(
      ds,
      new CurrencyAccountRepository(ds),
      new CurrencyTradeRepository(ds),
      cache,
      { BANK_DAILY_SPEND_CAP: 0 } as BankServiceEnv,
    );
    await ds.query(
      `INSERT INTO t_qiyu_currency_account (user_id, current_balance, total_recharged) VALUES ${anchors.map(() => '(?, ?, ?)').join(',')}`,
      anchors.flatMap((id) => [id, FUNDS, FUNDS]),
    );
  });

  afterAll(async () => {
    await db?.drop();
  });

  const gift = (senderId: number, receiverId: number, price = 1): SettlementItem => ({
    requestId: uniqueName(`x${senderId}-${receiverId}`),
    senderId,
    receiverId,
    roomId: receiverId,
    giftId: 1,
    price,
  });

  it('concurrent crosswise runs of anchors gifting each other never deadlock, and the money adds up', async () => {
    let settledCoins = 0;
    let newWallets = 0;
    for (let round = 0; round < 25; round++) {
      // Each run: one anchor sends to all the others, and a viewer with no wallet yet receives too (opened first).
      const runs = anchors.map((sender, i) => {
        const others = anchors.filter((a) => a !== sender);
        const rotated = [...others.slice(i % others.length), ...others.slice(0, i % others.length)];
        const newcomer = 900_000 + round * 10 + i;
        newWallets += 1;
        return [...rotated.map((receiver) => gift(sender, receiver)), gift(sender, newcomer)];
      });
      const results = await Promise.all(runs.map((items) => settlement.settleBatch(items)));
      for (const r of results.flat()) {
        expect(r.status).toBe('charged');
        settledCoins += 1;
      }
    }
    expect(lockErrors).toEqual([]);
    const rows: { balances: string; earnings: string; spent: string; wallets: string }[] = await ds.query(
      `SELECT SUM(current_balance) AS balances, SUM(earnings) AS earnings, SUM(total_spent) AS spent, COUNT(*) AS wallets
       FROM t_qiyu_currency_account`,
    );
    const [{ balances, earnings, spent, wallets }] = rows;
    expect(Number(spent)).toBe(settledCoins);
    expect(Number(earnings)).toBe(settledCoins);
    expect(Number(balances) + Number(earnings)).toBe(anchors.length * FUNDS);
    expect(Number(wallets)).toBe(anchors.length + newWallets);
    // Every gift: the sender's debit and the receiver's credit, one each.
    const [{ debits, credits }] = await ds.query(
      'SELECT SUM(direction = 1) AS debits, SUM(direction = 2) AS credits FROM t_qiyu_currency_trade WHERE status = 1',
    );
    expect([Number(debits), Number(credits)]).toEqual([settledCoins, settledCoins]);
    // Each receiver's credits sum to its earnings, and its newest credit row's balance_after is its earnings.
    const perReceiver: { user_id: string; earnings: string; credited: string; last_after: string }[] = await ds.query(
      `SELECT a.user_id, a.earnings, SUM(t.num) AS credited,
              (SELECT balance_after FROM t_qiyu_currency_trade WHERE user_id = a.user_id AND direction = 2 ORDER BY id DESC LIMIT 1) AS last_after
       FROM t_qiyu_currency_account a JOIN t_qiyu_currency_trade t ON t.user_id = a.user_id AND t.direction = 2
       GROUP BY a.user_id, a.earnings`,
    );
    expect(perReceiver.length).toBeGreaterThan(0);
    for (const r of perReceiver)
      expect([r.user_id, Number(r.credited), Number(r.last_after)]).toEqual([
        r.user_id,
        Number(r.earnings),
        Number(r.earnings),
      ]);
  });
});

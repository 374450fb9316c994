import { rebuildEarningsHours } from '@live/database';
import { BankRedisKeys } from '@live/redis';
import { createTestDatabase, createTestRedis, TestDatabase, TestRedis } from '@live/testing';
import { auditMoney } from '../../bench/support/gift-audit';

const CACHE = 'Redis balance cache = database (an account cached, when a gift was charged)';
const TOTAL_EARNED = "each account's total earned = its gift credits";
const HOURS = "each account's earnings per hour = its gift credits of the hour";
const PRICE =
  'charged: one debit of price x count of its record (a send of several among them, when the load sent counts)';

/** The money half of the gift audit against a real database and Redis: each check fails on its own defect. */
describe('auditMoney', () => {
  let db: TestDatabase;
  let r: TestRedis;

  beforeAll(async () => {
    db = await createTestDatabase();
    r = await createTestRedis();
  });
  afterAll(async () => {
    await db.drop();
    await r.cleanup();
  });

  const q = (sql: string, params: unknown[] = []): Promise<unknown> => db.dataSource.query(sql, params);
  /** A ledger row: direction 1 debit, 2 credit; a gift's counterparty is the other side. */
  const trade = (
    requestId: string,
    userId: number,
    num: number,
    type: number,
    status: number,
    direction = num > 0 ? 2 : 1,
    counterpartyId: number | null = null,
  ): Promise<unknown> =>
    q(
      "INSERT INTO t_qiyu_currency_trade (request_id, user_id, direction, counterparty_id, num, balance_after, type, status, remark) VALUES (?, ?, ?, ?, ?, 0, ?, ?, 'audit spec')",
      [requestId, userId, direction, counterpartyId, num, type, status],
    );
  const record = (requestId: string): Promise<unknown> =>
    q(
      'INSERT INTO t_gift_record (request_id, user_id, receiver_id, room_id, gift_id, price, send_time) VALUES (?, 1, 2, 3, 1, 5, NOW(3))',
      [requestId],
    );
  const audit = async (acceptedIds: string[], sentCounts = false) => {
    const { checks, outcomes } = await auditMoney({
      ds: db.dataSource,
      redis: r.redis,
      keyPrefix: r.prefix,
      acceptedIds,
      requestIdLike: ['%:c-%'],
      sentCounts,
    });
    const figures = Object.assign({}, ...checks.map((c) => c.figures)) as Record<string, number>;
    // What each check prints with its verdict (a failed check is read by these alone).
    const printed = Object.fromEntries(checks.map((c) => [c.name, c.figures]));
    return { failed: checks.filter((c) => !c.ok).map((c) => c.name), figures, printed, outcomes };
  };

  it('is exact on a consistent ledger, and fails each check on its own defect', async () => {
    // user 1: recharged 100, sent two gifts of 5 (one charged, one refused) to anchor 2.
    await q(
      'INSERT INTO t_qiyu_currency_account (user_id, current_balance, earnings, total_earned, total_recharged) VALUES (1, 95, 0, 0, 100), (2, 0, 5, 5, 0)',
    );
    await trade('seed:1', 1, 100, 1, 1);
    await trade('1:c-1', 1, -5, 2, 1, 1, 2);
    await trade('1:c-1', 2, 5, 2, 1, 2, 1);
    await record('1:c-1');
    await trade('1:c-2', 1, 0, 2, 0, 1, 2);
    await rebuildEarningsHours(q);
    await r.redis.set(new BankRedisKeys(r.prefix).balance(1), '1:95');
    const exact = await audit(['1:c-1', '1:c-2']);
    expect(exact.failed).toEqual([]);
    expect(exact.outcomes).toEqual(
      new Map([
        ['1:c-1', 'charged'],
        ['1:c-2', 'refused'],
      ]),
    );
    expect(exact.figures).toMatchObject({ accepted: 2, charged: 1, refused: 1, cachedAccounts: 1 });

    expect((await audit(['1:c-1', '1:c-2', '1:c-3'])).failed).toEqual(['every accepted id settled']);
    expect((await audit(['1:c-1'])).figures.refusedNotAccepted).toBe(1);
    expect((await audit(['1:c-2'])).figures.chargedNotAccepted).toBe(1);

    await r.redis.set(new BankRedisKeys(r.prefix).balance(1), '1:90');
    expect((await audit(['1:c-1', '1:c-2'])).failed).toEqual([CACHE]);
    await r.redis.set(new BankRedisKeys(r.prefix).balance(1), '1:95');

    await record('1:c-2');
    expect((await audit(['1:c-1', '1:c-2'])).failed).toEqual([
      'refused without a gift record',
      'no gift record without a charge',
    ]);
    await q("DELETE FROM t_gift_record WHERE request_id = '1:c-2'");

    await q("DELETE FROM t_gift_record WHERE request_id = '1:c-1'");
    expect((await audit(['1:c-1', '1:c-2'])).failed).toEqual(['charged with exactly one gift record']);
    await record('1:c-1');

    // One send of several gifts (issue 20): its debit is its record's price x count. 5 = 1 x 5: exact, and
    // counted; a count the debit does not match fails that check alone.
    await q("UPDATE t_gift_record SET price = 1, count = 5 WHERE request_id = '1:c-1'");
    const multi = await audit(['1:c-1', '1:c-2']);
    expect([multi.failed, multi.figures.multiGifts]).toEqual([[], 1]);
    await q("UPDATE t_gift_record SET price = 5, count = 2 WHERE request_id = '1:c-1'");
    expect((await audit(['1:c-1', '1:c-2'])).failed).toEqual([PRICE]);
    await q("UPDATE t_gift_record SET count = 1 WHERE request_id = '1:c-1'");

    // A balance the ledger does not explain (a negative one the schema itself refuses: ck_account_balance).
    await q('UPDATE t_qiyu_currency_account SET current_balance = 90 WHERE user_id = 1');
    expect((await audit(['1:c-1', '1:c-2'])).failed).toEqual([
      'balances + earnings + withdrawn + fees = credits',
      'ledger = balances',
      CACHE,
    ]);
    await q('UPDATE t_qiyu_currency_account SET current_balance = 95, earnings = 4 WHERE user_id IN (1, 2)');
    await q('UPDATE t_qiyu_currency_account SET current_balance = 0 WHERE user_id = 2');
    expect((await audit(['1:c-1', '1:c-2'])).failed).toEqual([
      'balances + earnings + withdrawn + fees = credits',
      'ledger spent on gifts - withdrawals = earnings',
      'ledger credited to earnings - withdrawals = earnings',
    ]);
    await q('UPDATE t_qiyu_currency_account SET earnings = 0 WHERE user_id = 1');
    await q('UPDATE t_qiyu_currency_account SET earnings = 5 WHERE user_id = 2');
    expect((await audit(['1:c-1', '1:c-2'])).failed).toEqual([]);

    // An all-time total (/bank/earnings' `total`) its gift credits do not explain: that check alone, with its figure.
    await q('UPDATE t_qiyu_currency_account SET total_earned = 4 WHERE user_id = 2');
    const total = await audit(['1:c-1', '1:c-2']);
    expect([total.failed, total.printed[TOTAL_EARNED]]).toEqual([[TOTAL_EARNED], { totalEarnedMismatches: 1 }]);
    await q('UPDATE t_qiyu_currency_account SET total_earned = 5 WHERE user_id = 2');
    // An hour's earnings (/bank/earnings' windows, the hold) its gift credits do not explain; a credit moved to
    // another hour: that check alone, with its figure (the hour left and the hour reached, for the move).
    await q('UPDATE t_qiyu_earnings_hour SET amount = 4 WHERE user_id = 2');
    const hour = await audit(['1:c-1', '1:c-2']);
    expect([hour.failed, hour.printed[HOURS]]).toEqual([[HOURS], { earningsHourMismatches: 1 }]);
    await q('UPDATE t_qiyu_earnings_hour SET amount = 5 WHERE user_id = 2');
    await q("UPDATE t_qiyu_currency_trade SET create_time = create_time - INTERVAL 1 HOUR WHERE request_id = '1:c-1'");
    const moved = await audit(['1:c-1', '1:c-2']);
    expect([moved.failed, moved.printed[HOURS]]).toEqual([[HOURS], { earningsHourMismatches: 2 }]);
    await q("UPDATE t_qiyu_currency_trade SET create_time = create_time + INTERVAL 1 HOUR WHERE request_id = '1:c-1'");
    expect((await audit(['1:c-1', '1:c-2'])).failed).toEqual([]);

    // The credit of a charged gift: missing, of other coins, to another user; a refused gift credited.
    const unbalanced = 'charged: one credit of the coins to the receiver; refused: none';
    await q("UPDATE t_qiyu_currency_trade SET user_id = 3 WHERE request_id = '1:c-1' AND direction = 2");
    expect((await audit(['1:c-1', '1:c-2'])).failed).toEqual([unbalanced, TOTAL_EARNED, HOURS]);
    await q("UPDATE t_qiyu_currency_trade SET user_id = 2, num = 4 WHERE request_id = '1:c-1' AND direction = 2");
    expect((await audit(['1:c-1', '1:c-2'])).failed).toEqual([
      unbalanced,
      'ledger credited to earnings - withdrawals = earnings',
      TOTAL_EARNED,
      HOURS,
    ]);
    await q("DELETE FROM t_qiyu_currency_trade WHERE request_id = '1:c-1' AND direction = 2");
    expect((await audit(['1:c-1', '1:c-2'])).failed).toEqual([
      unbalanced,
      'ledger credited to earnings - withdrawals = earnings',
      TOTAL_EARNED,
      HOURS,
    ]);
    await trade('1:c-1', 2, 5, 2, 1, 2, 1);
    await trade('1:c-2', 2, 0, 2, 1, 2, 1);
    await rebuildEarningsHours(q); // the credit written again, as the settlement keeps its hour
    expect((await audit(['1:c-1', '1:c-2'])).failed).toEqual([unbalanced]);
    await q("DELETE FROM t_qiyu_currency_trade WHERE request_id = '1:c-2' AND direction = 2");
    expect((await audit(['1:c-1', '1:c-2'])).failed).toEqual([]);
    // A second debit (or credit) for one request id: the schema itself refuses it (UNIQUE (request_id, direction)).
    await expect(trade('1:c-1', 1, -5, 2, 1, 1, 2)).rejects.toThrow(/Duplicate entry/);

    // A refunded recharge (type 7: its coins out of the wallet) counts against the credits: still exact.
    await trade('seed:2', 1, 40, 1, 1);
    await trade('refund:seed:2', 1, -40, 7, 1);
    expect((await audit(['1:c-1', '1:c-2'])).failed).toEqual([]);
    // Its debit without the coins leaving the wallet: the balances no longer match the credits nor the ledger.
    await q('UPDATE t_qiyu_currency_account SET current_balance = 135 WHERE user_id = 1');
    await r.redis.set(new BankRedisKeys(r.prefix).balance(1), '2:135');
    expect((await audit(['1:c-1', '1:c-2'])).failed).toEqual([
      'balances + earnings + withdrawn + fees = credits',
      'ledger = balances',
    ]);
    await q('UPDATE t_qiyu_currency_account SET current_balance = 95 WHERE user_id = 1');
    await r.redis.set(new BankRedisKeys(r.prefix).balance(1), '3:95');
    expect((await audit(['1:c-1', '1:c-2'])).failed).toEqual([]);
  });

  it('withdrawals: orders and their ledger rows enter the invariant; each defect fails its checks', async () => {
    // Anchor 2 (earnings 5 from the test before) withdraws 3 (fee 1, net 2), and 2 more that are rejected.
    const order = async (requestId: string, amount: number, fee: number, status: number): Promise<number> => {
      const res = (await q(
        'INSERT INTO t_withdrawal_order (user_id, request_id, amount, fee, net, status) VALUES (2, ?, ?, ?, ?, ?)',
        [requestId, amount, fee, amount - fee, status],
      )) as { insertId: number };
      return Number(res.insertId);
    };
    const paid = await order('k-1', 3, 1, 2);
    await trade(`wd:${paid}`, 2, -3, 5, 1);
    const rejected = await order('k-2', 2, 0, 3);
    await trade(`wd:${rejected}`, 2, -2, 5, 1);
    await trade(`wd:${rejected}`, 2, 2, 6, 1);
    await q('UPDATE t_qiyu_currency_account SET earnings = 2 WHERE user_id = 2');
    const accepted = ['1:c-1', '1:c-2'];
    const exact = await audit(accepted);
    expect(exact.failed).toEqual([]);
    expect(exact.figures).toMatchObject({ withdrawnNet: 2, platformCut: 1, withdrawalMoves: -3, credited: 100 });

    // Earnings the withdrawal did not take.
    await q('UPDATE t_qiyu_currency_account SET earnings = 5 WHERE user_id = 2');
    expect((await audit(accepted)).failed).toEqual([
      'balances + earnings + withdrawn + fees = credits',
      'ledger spent on gifts - withdrawals = earnings',
      'ledger credited to earnings - withdrawals = earnings',
    ]);
    await q('UPDATE t_qiyu_currency_account SET earnings = 2 WHERE user_id = 2');

    // A rejected order without its reversal row (earnings as if reversed).
    await q('DELETE FROM t_qiyu_currency_trade WHERE request_id = ? AND direction = 2', [`wd:${rejected}`]);
    expect((await audit(accepted)).failed).toEqual([
      'ledger spent on gifts - withdrawals = earnings',
      'ledger credited to earnings - withdrawals = earnings',
      'withdrawal orders = their ledger rows',
    ]);
    await trade(`wd:${rejected}`, 2, 2, 6, 1);

    // An order marked rejected with nothing given back.
    await q('UPDATE t_withdrawal_order SET status = 3 WHERE id = ?', [paid]);
    const unreversed = await audit(accepted);
    expect(unreversed.failed).toEqual([
      'balances + earnings + withdrawn + fees = credits',
      'withdrawal orders = their ledger rows',
    ]);
    // The failed check prints every figure of its verdict: the rows' -3 against the orders' 0 + 0 (and the
    // "rejected" order without its reversal row).
    expect(unreversed.printed['withdrawal orders = their ledger rows']).toEqual({
      ordersWithoutTheirRows: 1,
      rowsWithoutOrder: 0,
      withdrawalMoves: -3,
      withdrawnNet: 0,
      platformCut: 0,
    });
    expect(unreversed.printed['ledger credited to earnings - withdrawals = earnings']).toMatchObject({
      withdrawalMoves: -3,
    });
    await q('UPDATE t_withdrawal_order SET status = 2 WHERE id = ?', [paid]);

    // A withdrawal row of an order that does not exist (of no coins: only this check sees it).
    await trade('wd:999999', 2, 0, 5, 1, 1);
    expect((await audit(accepted)).failed).toEqual(['withdrawal orders = their ledger rows']);
    await q("DELETE FROM t_qiyu_currency_trade WHERE request_id = 'wd:999999'");
    expect((await audit(accepted)).failed).toEqual([]);
  });

  it('fails a run whose coverage checks judged nothing: no send of several, no account cached', async () => {
    const accepted = ['1:c-1', '1:c-2'];
    // The load sent counts, and the one charged gift is a send of one: price x count never met a count.
    const single = await audit(accepted, true);
    expect([single.failed, single.figures.multiGifts]).toEqual([[PRICE], 0]);
    await q("UPDATE t_gift_record SET price = 1, count = 5 WHERE request_id = '1:c-1'");
    expect((await audit(accepted, true)).failed).toEqual([]);
    await q("UPDATE t_gift_record SET price = 5, count = 1 WHERE request_id = '1:c-1'");

    // A gift was charged and no balance is cached: the cache compared nothing (a charge caches its sender's).
    await r.redis.del(new BankRedisKeys(r.prefix).balance(1));
    const uncached = await audit(accepted);
    expect([uncached.failed, uncached.figures.cachedAccounts]).toEqual([[CACHE], 0]);
    await r.redis.set(new BankRedisKeys(r.prefix).balance(1), '3:95');
    expect((await audit(accepted)).failed).toEqual([]);
  });
});

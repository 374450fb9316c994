import { rebuildEarningsHours, SEED_GIFTS } from '@live/database';
import { CurrencyTradeRepository } from '../apps/bank-service/src/account/currency-trade.repository';
import { HttpClient } from './support/http-client';
import { startTestStack, TestStack } from './support/test-stack';
import { loginNewUser, rechargeCoins, startLiving } from './support/test-users';
import { waitFor } from './support/wait-for';

/**
 * Issue 19, withdrawals, with plain fetch through the gateway against the real apps (MariaDB, Redis,
 * Kafka; earnings come from real gifts settled by gift-service and bank-service). EARNINGS_HOLD_DAYS 7:
 * a gift's credit is made withdrawable by dating it 10 days back in the database. BANK_WITHDRAW_MIN 100,
 * BANK_WITHDRAW_FEE_BPS 3000 (30%).
 */
describe('withdrawals of gift earnings', () => {
  let stack: TestStack;
  let http: HttpClient;
  let admin: HttpClient;
  const adminPhone = `138${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`;
  const [crownId, , crownPrice] = SEED_GIFTS[3];
  const [castleId, , castlePrice] = SEED_GIFTS[6];

  beforeAll(async () => {
    stack = await startTestStack({
      env: {
        GATEWAY_ADMIN_PHONES: adminPhone,
        EARNINGS_HOLD_DAYS: '7',
        BANK_WITHDRAW_MIN: '100',
        BANK_WITHDRAW_FEE_BPS: '3000',
        // Ten transactions at once each hold a connection while they wait for the account row.
        DB_POOL_SIZE: '20',
      },
    });
    http = new HttpClient(stack.baseUrl);
    const code = await http.post('/userLogin/sendLoginCode', { phone: adminPhone });
    const login = await http.post('/userLogin/login', { phone: adminPhone, code: code.body.data.devCode! });
    admin = http.as(login.body.data.token);
  });

  afterAll(async () => {
    await stack?.close();
  });

  const earningsOf = async (client: HttpClient) => (await client.post('/bank/earnings')).body.data;
  const withdraw = (client: HttpClient, amount: number, key?: string) =>
    client.post('/bank/withdraw', { amount }, key === undefined ? {} : { 'idempotency-key': key });
  const fee = (amount: number): number => Math.floor((amount * 3000) / 10_000);

  /**
   * `count` requests made while the test holds a row (SELECT ... FOR UPDATE: an account, an order), released
   * once all of them wait for it in the database: they truly run at once, whatever their order of arrival.
   * The answers.
   */
  async function racing<T>(
    row: { table: 't_qiyu_currency_account' | 't_withdrawal_order'; key: 'user_id' | 'id'; id: number },
    count: number,
    request: (i: number) => Promise<T>,
  ): Promise<T[]> {
    const runner = stack.db.dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.startTransaction();
      await runner.query(`SELECT 1 FROM ${row.table} WHERE ${row.key} = ? FOR UPDATE`, [row.id]);
      const answers = Promise.all(Array.from({ length: count }, (_, i) => request(i)));
      await waitFor(
        `${count} transactions waiting for a lock`,
        async () => {
          // The statements on the table running now on this database: the requests', each waiting for the
          // row (the test's own returned). innodb_trx is not used: MariaDB lists a transaction there late or
          // not at all while its first statement waits (a primary key read waits in the optimizer).
          const [{ n }] = await stack.sql<{ n: string }>(
            `SELECT COUNT(*) AS n FROM information_schema.processlist
             WHERE db = DATABASE() AND command = 'Query' AND id <> CONNECTION_ID() AND info LIKE ?`,
            [`%${row.table}%`],
          );
          return Number(n) === count;
        },
        30_000,
      );
      await runner.commitTransaction();
      return await answers;
    } finally {
      await runner.release();
    }
  }

  const account = (userId: number) => ({ table: 't_qiyu_currency_account', key: 'user_id', id: userId }) as const;
  const order = (withdrawalId: number) => ({ table: 't_withdrawal_order', key: 'id', id: withdrawalId }) as const;

  /**
   * A new anchor who received a Castle (withdrawable: its credit dated 10 days back) and, when `held`, a
   * Crown of today (pending).
   */
  async function anchorWithEarnings(held = false): Promise<{ client: HttpClient; userId: number }> {
    const anchor = await loginNewUser(http);
    const roomId = await startLiving(anchor.client);
    const viewer = await loginNewUser(http);
    await rechargeCoins(viewer.client, 1980);
    const send = async (giftId: number, key: string, expected: number): Promise<void> => {
      const res = await viewer.client.post(
        '/gift/send',
        { giftId, roomId, receiverId: anchor.userId },
        { 'idempotency-key': key },
      );
      expect(res.body.code).toBe(200);
      await waitFor(
        'the gift settled',
        async () => (await earningsOf(anchor.client)).earnings === expected,
        30_000,
        250,
      );
    };
    await send(castleId, 'castle', castlePrice);
    await stack.sql(
      'UPDATE t_qiyu_currency_trade SET create_time = NOW(3) - INTERVAL 10 DAY WHERE user_id = ? AND direction = 2 AND type = 2',
      [anchor.userId],
    );
    await rebuildEarningsHours(stack.sql, [anchor.userId]); // its earnings per hour, as the settlement keeps them
    if (held) await send(crownId, 'crown', castlePrice + crownPrice);
    return anchor;
  }

  it('creates an order that takes the amount off earnings; a replay answers it; the key with another amount is 409; the list pages by cursor', async () => {
    const anchor = await anchorWithEarnings(true);
    expect(await earningsOf(anchor.client)).toMatchObject({
      earnings: castlePrice + crownPrice,
      withdrawable: castlePrice,
      pending: crownPrice,
    });

    const first = await withdraw(anchor.client, 500, 'wd-1');
    expect([first.status, first.body.code]).toEqual([200, 200]);
    const order = first.body.data;
    expect(order).toMatchObject({ userId: anchor.userId, status: 'requested', amount: 500, fee: 150, net: 350 });
    expect(order.reason).toBeNull();

    // The same key and amount: the same order, nothing taken twice.
    const replay = await withdraw(anchor.client, 500, 'wd-1');
    expect(replay.body).toMatchObject({ code: 200, data: { withdrawalId: order.withdrawalId, amount: 500 } });
    // The same key with another amount: refused, nothing changes.
    const reused = await withdraw(anchor.client, 600, 'wd-1');
    expect([reused.status, reused.body.code]).toEqual([409, 10007]);
    // No key: refused.
    const keyless = await withdraw(anchor.client, 500);
    expect([keyless.status, keyless.body.code]).toEqual([400, 100001]);
    const malformed = await withdraw(anchor.client, 500, 'not a key!');
    expect([malformed.status, malformed.body.code]).toEqual([400, 100001]);
    const unknownField = await anchor.client.postUntyped(
      '/bank/withdraw',
      { amount: 500, userId: 1 },
      { 'idempotency-key': 'wd-x' },
    );
    expect([unknownField.status, unknownField.body.code]).toEqual([400, 100001]);
    expect(await earningsOf(anchor.client)).toMatchObject({
      earnings: castlePrice + crownPrice - 500,
      withdrawable: castlePrice - 500,
      pending: crownPrice,
    });

    // The ledger: one WITHDRAW debit of the amount on the earnings side (balanceAfter: the earnings after it).
    const trades = (await anchor.client.post('/bank/trades', { page: 1, pageSize: 20 })).body.data.list;
    expect(trades.filter((t) => t.type === 5).map((t) => [t.direction, t.num, t.balanceAfter])).toEqual([
      ['debit', -500, castlePrice + crownPrice - 500],
    ]);

    const second = (await withdraw(anchor.client, 101, 'wd-2')).body.data;
    const third = (await withdraw(anchor.client, 102, 'wd-3')).body.data;
    expect([second.fee, second.net, third.fee, third.net]).toEqual([30, 71, 30, 72]);
    const page1 = await anchor.client.post('/bank/withdrawals', { limit: 2 });
    expect(page1.body.data.list.map((o) => o.withdrawalId)).toEqual([third.withdrawalId, second.withdrawalId]);
    expect(page1.body.data.nextCursor).toEqual(expect.any(String));
    const page2 = await anchor.client.post('/bank/withdrawals', { limit: 2, cursor: page1.body.data.nextCursor! });
    expect(page2.body.data.list).toEqual([
      expect.objectContaining({
        withdrawalId: order.withdrawalId,
        amount: 500,
        fee: 150,
        net: 350,
        status: 'requested',
      }),
    ]);
    expect(page2.body.data.nextCursor).toBeNull();
    const all = await anchor.client.post('/bank/withdrawals', {});
    expect(all.body.data.list).toHaveLength(3);
    // Another user sees none of them; a cursor this API did not give is refused.
    const stranger = await loginNewUser(http);
    expect((await stranger.client.post('/bank/withdrawals', {})).body.data).toEqual({ list: [], nextCursor: null });
    const bad = await anchor.client.post('/bank/withdrawals', { cursor: 'bm90LWEtY3Vyc29y' });
    expect([bad.status, bad.body.code]).toEqual([400, 100001]);
    // null (the last page's nextCursor) sent back: refused as well, not a server error, not the first page again.
    const lastPage = await anchor.client.postUntyped('/bank/withdrawals', { cursor: null });
    expect([lastPage.status, lastPage.body.code, lastPage.body.msg]).toEqual([
      400,
      100001,
      'cursor must be a nextCursor this endpoint gave',
    ]);
  });

  it('refuses below the minimum, above the withdrawable (held earnings) and on a frozen account, changing nothing', async () => {
    const anchor = await anchorWithEarnings(true);
    const before = await earningsOf(anchor.client);

    const small = await withdraw(anchor.client, 99, 'k-small');
    expect([small.status, small.body.code]).toEqual([400, 12011]);
    // More than the withdrawable, though less than the earnings (the Crown is held).
    const held = await withdraw(anchor.client, castlePrice + 1, 'k-held');
    expect([held.status, held.body.code]).toEqual([402, 12012]);
    const zero = await withdraw(anchor.client, 0, 'k-zero');
    expect([zero.status, zero.body.code]).toEqual([400, 100001]);

    await stack.sql('UPDATE t_qiyu_currency_account SET status = 0 WHERE user_id = ?', [anchor.userId]);
    const frozen = await withdraw(anchor.client, 200, 'k-frozen');
    expect([frozen.status, frozen.body.code]).toEqual([403, 12009]);
    await stack.sql('UPDATE t_qiyu_currency_account SET status = 1 WHERE user_id = ?', [anchor.userId]);

    expect(await earningsOf(anchor.client)).toEqual(before);
    expect((await anchor.client.post('/bank/withdrawals', {})).body.data.list).toEqual([]);
    // A refused request made no order: its key is free for another amount.
    const ok = await withdraw(anchor.client, castlePrice, 'k-small');
    expect(ok.body).toMatchObject({ code: 200, data: { amount: castlePrice, fee: fee(castlePrice) } });
    expect(await earningsOf(anchor.client)).toMatchObject({ earnings: crownPrice, withdrawable: 0 });
  });

  it("a withdrawal's held read and /bank/earnings sum hours: their index reads grow with neither the anchor's history nor its week", async () => {
    // An attacker review (2026-12-02): the withdrawal summed every gift credit of the anchor's history while it
    // held the account's lock (settlements crediting the anchor wait on it), so its cost grew with the ledger;
    // /bank/earnings did the same for its all-time total, on every read (now the account's total_earned). Both
    // then summed the credit rows of their windows (7 days, the hold), which a busy anchor's week fills just the
    // same (now the hours of t_qiyu_earnings_hour in the window, and the credit rows of the hour it starts in).
    const anchor = await anchorWithEarnings(true);
    // 2,000 more credit rows 12 days back, as a long-lived anchor has, and 2,000 three days back, as a busy week
    // has: of 0 coins, not charged (status 0), so the money invariants of the last test hold, and read by the same
    // index as any credit; and 2,000 hour rows of 0 coins before the week, one an hour (as many hours with gifts).
    for (const days of [12, 3])
      await stack.sql(
        `INSERT INTO t_qiyu_currency_trade (request_id, user_id, direction, counterparty_id, num, balance_after, type, status, create_time)
         SELECT CONCAT('old-', ?, '-', ?, '-', seq), ?, 2, NULL, 0, 0, 2, 0, NOW(3) - INTERVAL ? DAY - INTERVAL seq SECOND
         FROM seq_1_to_2000`,
        [anchor.userId, days, anchor.userId, days],
      );
    await stack.sql(
      `INSERT INTO t_qiyu_earnings_hour (user_id, hour_start, amount)
       SELECT ?, TIMESTAMP(CURDATE() - INTERVAL 12 DAY, '00:00:00') - INTERVAL seq HOUR, 0 FROM seq_1_to_2000`,
      [anchor.userId],
    );
    const trades = stack.bank.get(CurrencyTradeRepository);
    const runner = stack.db.dataSource.createQueryRunner();
    await runner.connect();
    /**
     * What `read` returned, and the rows this connection read for it: MariaDB's Handler_read_next (the next entry
     * of an index range or scan) and Handler_read_rnd_next (the next row of a table scan).
     */
    const measured = async <T>(read: () => Promise<T>): Promise<[T, number]> => {
      const counter = async (): Promise<number> => {
        const rows: { Value: string }[] = await runner.query(
          "SHOW SESSION STATUS WHERE Variable_name IN ('Handler_read_next', 'Handler_read_rnd_next')",
        );
        return rows.reduce((sum, r) => sum + Number(r.Value), 0);
      };
      const before = await counter();
      const value = await read();
      return [value, (await counter()) - before];
    };
    try {
      const [held, heldReads] = await measured(() => trades.held(anchor.userId, 7, runner.manager));
      const [totals, totalReads] = await measured(() => trades.earnings(anchor.userId, 7, runner.manager));
      // The controls: the counter sees this connection's reads. The whole history's sum reads every credit, and
      // the 7 days' range of credit rows (the reads before the hours) the week's.
      const sum = (since: string) =>
        measured(() =>
          runner.query(
            `SELECT SUM(num) FROM t_qiyu_currency_trade WHERE user_id = ? AND direction = 2 AND type = 2 ${since}`,
            [anchor.userId],
          ),
        );
      const [, historyReads] = await sum('');
      const [, weekReads] = await sum('AND create_time >= NOW(3) - INTERVAL 7 DAY');
      const [, hourReads] = await measured(() =>
        runner.query('SELECT SUM(amount) FROM t_qiyu_earnings_hour WHERE user_id = ?', [anchor.userId]),
      );
      expect(historyReads).toBeGreaterThanOrEqual(4000);
      expect(weekReads).toBeGreaterThanOrEqual(2000);
      expect(hourReads).toBeGreaterThanOrEqual(2000);
      expect(held).toBe(crownPrice);
      expect([totals.held, totals.last7Days, totals.total]).toEqual([crownPrice, crownPrice, castlePrice + crownPrice]);
      // The hour rows of the window (the Crown's hour; the Castle's is 10 days back, with the 2,000 older hours)
      // and the credit rows of the hour the window starts in (none here): a few rows, whatever the history, the
      // older hours and the week hold.
      expect(heldReads).toBeLessThanOrEqual(3); // 2 here: the row of the arguments, the Crown's hour
      expect(totalReads).toBeLessThanOrEqual(8); // 4 here: today's, the 7 days' and the hold's; the total is a column
    } finally {
      await runner.release();
    }
    // The withdrawal still holds back the window: the Castle's amount is withdrawable, one coin more is not.
    expect((await withdraw(anchor.client, castlePrice + 1, 'k-over')).body.code).toBe(12012);
    expect((await withdraw(anchor.client, castlePrice, 'k-castle')).body.code).toBe(200);
  });

  it('admins approve, mark paid and reject, each once; a reject gives the amount back; illegal moves are 409, non-admins 403', async () => {
    const anchor = await anchorWithEarnings();
    const orders = [];
    for (const key of ['t-a', 't-b', 't-c']) orders.push((await withdraw(anchor.client, 300, key)).body.data);
    const [orderA, orderB, orderC] = orders;
    expect((await earningsOf(anchor.client)).earnings).toBe(castlePrice - 900);

    // Not an admin: 403, nothing moves.
    const denied = await anchor.client.post('/bank/admin/withdrawal/approve', { withdrawalId: orderA.withdrawalId });
    expect([denied.status, denied.body.code]).toEqual([403, 100003]);
    const deniedReject = await anchor.client.post('/bank/admin/withdrawal/reject', {
      withdrawalId: orderA.withdrawalId,
      reason: 'mine',
    });
    expect([deniedReject.status, deniedReject.body.code]).toEqual([403, 100003]);

    const approve = (id: number) => admin.post('/bank/admin/withdrawal/approve', { withdrawalId: id });
    const markPaid = (id: number) => admin.post('/bank/admin/withdrawal/markPaid', { withdrawalId: id });
    const reject = (id: number, reason = 'payout account not verified') =>
      admin.post('/bank/admin/withdrawal/reject', { withdrawalId: id, reason });
    const statusOf = async (res: ReturnType<typeof approve>) => {
      const { status, body } = await res;
      return [status, body.code, body.code === 200 ? body.data.status : null];
    };

    // A: requested -> approved -> paid; each repeat answers the order; rejecting or approving a paid one: 409.
    expect(await statusOf(approve(orderA.withdrawalId))).toEqual([200, 200, 'approved']);
    expect(await statusOf(approve(orderA.withdrawalId))).toEqual([200, 200, 'approved']);
    expect(await statusOf(markPaid(orderA.withdrawalId))).toEqual([200, 200, 'paid']);
    expect(await statusOf(markPaid(orderA.withdrawalId))).toEqual([200, 200, 'paid']);
    expect(await statusOf(reject(orderA.withdrawalId))).toEqual([409, 12014, null]);
    expect(await statusOf(approve(orderA.withdrawalId))).toEqual([409, 12014, null]);

    // B: paying a requested order is illegal; rejecting it gives the 300 back, once.
    expect(await statusOf(markPaid(orderB.withdrawalId))).toEqual([409, 12014, null]);
    const rejectedB = await reject(orderB.withdrawalId, 'duplicate request');
    expect(rejectedB.body.data).toMatchObject({ status: 'rejected', reason: 'duplicate request', amount: 300 });
    expect((await earningsOf(anchor.client)).earnings).toBe(castlePrice - 600);
    expect(await statusOf(reject(orderB.withdrawalId))).toEqual([200, 200, 'rejected']);
    expect((await earningsOf(anchor.client)).earnings).toBe(castlePrice - 600);
    expect(await statusOf(approve(orderB.withdrawalId))).toEqual([409, 12014, null]);
    expect(await statusOf(markPaid(orderB.withdrawalId))).toEqual([409, 12014, null]);

    // C: approved, then rejected (the amount back); paying it afterwards is illegal.
    expect(await statusOf(approve(orderC.withdrawalId))).toEqual([200, 200, 'approved']);
    expect(await statusOf(reject(orderC.withdrawalId))).toEqual([200, 200, 'rejected']);
    expect(await statusOf(markPaid(orderC.withdrawalId))).toEqual([409, 12014, null]);
    expect(await earningsOf(anchor.client)).toMatchObject({
      earnings: castlePrice - 300,
      withdrawable: castlePrice - 300,
    });

    // The ledger: a WITHDRAW debit per order, a WITHDRAW_REVERSAL credit per rejected one.
    const rows = await stack.sql<{ request_id: string; direction: number; num: string; type: number }>(
      'SELECT request_id, direction, num, type FROM t_qiyu_currency_trade WHERE user_id = ? AND type IN (5, 6) ORDER BY id',
      [anchor.userId],
    );
    expect(rows.map((r) => [r.request_id, Number(r.direction), Number(r.num), Number(r.type)])).toEqual([
      [`wd:${orderA.withdrawalId}`, 1, -300, 5],
      [`wd:${orderB.withdrawalId}`, 1, -300, 5],
      [`wd:${orderC.withdrawalId}`, 1, -300, 5],
      [`wd:${orderB.withdrawalId}`, 2, 300, 6],
      [`wd:${orderC.withdrawalId}`, 2, 300, 6],
    ]);

    const list = (await anchor.client.post('/bank/withdrawals', {})).body.data.list;
    expect(list.map((o) => [o.withdrawalId, o.status])).toEqual([
      [orderC.withdrawalId, 'rejected'],
      [orderB.withdrawalId, 'rejected'],
      [orderA.withdrawalId, 'paid'],
    ]);

    const unknown = await approve(999_999_999);
    expect([unknown.status, unknown.body.code]).toEqual([404, 12013]);
    const reasonless = await admin.postUntyped('/bank/admin/withdrawal/reject', { withdrawalId: orderC.withdrawalId });
    expect([reasonless.status, reasonless.body.code]).toEqual([400, 100001]);
  });

  it('a freeze holds the orders already requested: approve and markPaid 403 / 12009, nothing moves; reject still gives the amount back; after unfreeze they go on', async () => {
    const anchor = await anchorWithEarnings();
    const approve = (id: number) => admin.post('/bank/admin/withdrawal/approve', { withdrawalId: id });
    const markPaid = (id: number) => admin.post('/bank/admin/withdrawal/markPaid', { withdrawalId: id });
    const statusesOf = async (...ids: number[]) =>
      (
        await stack.sql<{ status: number }>(
          `SELECT status FROM t_withdrawal_order WHERE id IN (${ids.map(() => '?').join(',')}) ORDER BY id`,
          ids,
        )
      ).map((r) => Number(r.status));
    const requested = (await withdraw(anchor.client, 300, 'fz-a')).body.data.withdrawalId;
    const approved = (await withdraw(anchor.client, 300, 'fz-b')).body.data.withdrawalId;
    const toReject = (await withdraw(anchor.client, 300, 'fz-c')).body.data.withdrawalId;
    expect((await approve(approved)).body.data.status).toBe('approved');

    const freeze = await admin.post('/bank/admin/freeze', { userId: anchor.userId, reason: 'payout under review' });
    expect(freeze.body.data).toEqual({ userId: anchor.userId, status: 'frozen' });
    // Neither a first approval nor the payout of an approved order: 403 / 12009, the orders as they were.
    const refusedApprove = await approve(requested);
    expect([refusedApprove.status, refusedApprove.body.code]).toEqual([403, 12009]);
    const refusedPaid = await markPaid(approved);
    expect([refusedPaid.status, refusedPaid.body.code]).toEqual([403, 12009]);
    expect(await statusesOf(requested, approved, toReject)).toEqual([0, 1, 0]);
    expect((await earningsOf(anchor.client)).earnings).toBe(castlePrice - 900);
    // The user sees nothing new on them.
    const listed = (await anchor.client.post('/bank/withdrawals', {})).body.data.list;
    expect(listed.map((o) => [o.withdrawalId, o.status, o.reason])).toEqual([
      [toReject, 'requested', null],
      [approved, 'approved', null],
      [requested, 'requested', null],
    ]);
    // A reject is still allowed: the amount goes back to the (frozen) earnings.
    const rejected = await admin.post('/bank/admin/withdrawal/reject', { withdrawalId: toReject, reason: 'frozen' });
    expect(rejected.body).toMatchObject({ code: 200, data: { status: 'rejected', reason: 'frozen' } });
    expect((await earningsOf(anchor.client)).earnings).toBe(castlePrice - 600);

    const unfreeze = await admin.post('/bank/admin/unfreeze', { userId: anchor.userId, reason: 'reviewed' });
    expect(unfreeze.body.data).toEqual({ userId: anchor.userId, status: 'active' });
    expect((await approve(requested)).body.data.status).toBe('approved');
    expect((await markPaid(approved)).body.data.status).toBe('paid');
    const again = (await withdraw(anchor.client, 300, 'fz-d')).body.data.withdrawalId;
    expect((await approve(again)).body).toMatchObject({ code: 200, data: { withdrawalId: again, status: 'approved' } });
    expect((await earningsOf(anchor.client)).earnings).toBe(castlePrice - 900);
  });

  it('a frozen anchor still receives gifts into its earnings; it withdraws them only after the unfreeze', async () => {
    const anchor = await loginNewUser(http);
    const roomId = await startLiving(anchor.client);
    const viewer = await loginNewUser(http);
    await rechargeCoins(viewer.client, 1980);
    const freeze = await admin.post('/bank/admin/freeze', { userId: anchor.userId, reason: 'payout under review' });
    expect(freeze.body.data).toEqual({ userId: anchor.userId, status: 'frozen' });

    const sent = await viewer.client.post(
      '/gift/send',
      { giftId: castleId, roomId, receiverId: anchor.userId },
      { 'idempotency-key': 'to-a-frozen-anchor' },
    );
    expect(sent.body.code).toBe(200);
    await waitFor(
      'the gift credited',
      async () => (await earningsOf(anchor.client)).earnings === castlePrice,
      30_000,
      250,
    );
    await stack.sql(
      'UPDATE t_qiyu_currency_trade SET create_time = NOW(3) - INTERVAL 10 DAY WHERE user_id = ? AND direction = 2 AND type = 2',
      [anchor.userId],
    );
    await rebuildEarningsHours(stack.sql, [anchor.userId]); // its earnings per hour, as the settlement keeps them
    const refused = await withdraw(anchor.client, 300, 'frozen-anchor');
    expect([refused.status, refused.body.code]).toEqual([403, 12009]);

    await admin.post('/bank/admin/unfreeze', { userId: anchor.userId });
    const ok = await withdraw(anchor.client, 300, 'frozen-anchor');
    expect(ok.body).toMatchObject({ code: 200, data: { status: 'requested', amount: 300 } });
    expect((await earningsOf(anchor.client)).earnings).toBe(castlePrice - 300);
  });

  it('a blank rejection reason is refused (400 / 100001), the order unchanged', async () => {
    const anchor = await anchorWithEarnings();
    const { withdrawalId } = (await withdraw(anchor.client, 300, 'blank')).body.data;
    for (const reason of ['   ', '\t\n', '', '\u200b', 'bad\ud800']) {
      const res = await admin.post('/bank/admin/withdrawal/reject', { withdrawalId, reason });
      expect([res.status, res.body.code]).toEqual([400, 100001]);
    }
    const [order] = await stack.sql<{ status: number; reason: string | null }>(
      'SELECT status, reason FROM t_withdrawal_order WHERE id = ?',
      [withdrawalId],
    );
    expect([Number(order.status), order.reason]).toEqual([0, null]);
    expect((await earningsOf(anchor.client)).earnings).toBe(castlePrice - 300);
  });

  it('ten concurrent withdrawals of the whole withdrawable amount, each with its own key: exactly one succeeds', async () => {
    const anchor = await anchorWithEarnings();
    const answers = await racing(account(anchor.userId), 10, (i) => withdraw(anchor.client, castlePrice, `race-${i}`));
    const codes = answers.map((a) => a.body.code).sort((x, y) => x - y);
    expect(codes).toEqual([200, ...Array<number>(9).fill(12012)]);
    expect(await earningsOf(anchor.client)).toMatchObject({ earnings: 0, withdrawable: 0 });
    const [row] = await stack.sql<{ earnings: string }>(
      'SELECT earnings FROM t_qiyu_currency_account WHERE user_id = ?',
      [anchor.userId],
    );
    expect(Number(row.earnings)).toBe(0);
    expect((await anchor.client.post('/bank/withdrawals', {})).body.data.list).toHaveLength(1);
  });

  it('ten concurrent withdrawals with one key: one order, every answer names it', async () => {
    const anchor = await anchorWithEarnings();
    const answers = await racing(account(anchor.userId), 10, () => withdraw(anchor.client, 500, 'same-key'));
    const ids = new Set(answers.map((a) => a.body.data.withdrawalId));
    expect(answers.map((a) => a.body.code)).toEqual(Array<number>(10).fill(200));
    expect(ids.size).toBe(1);
    expect((await earningsOf(anchor.client)).earnings).toBe(castlePrice - 500);
  });

  it('concurrent reviews: ten rejects give the amount back once; pay and reject racing on one order, one wins', async () => {
    const anchor = await anchorWithEarnings();
    const first = (await withdraw(anchor.client, 400, 'rv-1')).body.data;
    const rejects = await racing(order(first.withdrawalId), 10, () =>
      admin.post('/bank/admin/withdrawal/reject', { withdrawalId: first.withdrawalId, reason: 'duplicate' }),
    );
    expect(rejects.map((r) => [r.body.code, r.body.data.status])).toEqual(Array(10).fill([200, 'rejected']));
    expect((await earningsOf(anchor.client)).earnings).toBe(castlePrice);
    const reversals = await stack.sql('SELECT id FROM t_qiyu_currency_trade WHERE request_id = ? AND type = 6', [
      `wd:${first.withdrawalId}`,
    ]);
    expect(reversals).toHaveLength(1);

    const second = (await withdraw(anchor.client, 400, 'rv-2')).body.data;
    await admin.post('/bank/admin/withdrawal/approve', { withdrawalId: second.withdrawalId });
    const moves = await racing(order(second.withdrawalId), 10, (i) =>
      i % 2 === 0
        ? admin.post('/bank/admin/withdrawal/markPaid', { withdrawalId: second.withdrawalId })
        : admin.post('/bank/admin/withdrawal/reject', { withdrawalId: second.withdrawalId, reason: 'race' }),
    );
    const final = (await anchor.client.post('/bank/withdrawals', { limit: 1 })).body.data.list[0];
    expect(final.withdrawalId).toBe(second.withdrawalId);
    expect(['paid', 'rejected']).toContain(final.status);
    // The winner's five answer the order in its final state; the loser's five are refused.
    const loser = final.status === 'paid' ? 1 : 0;
    expect(moves.map((m, i) => (i % 2 === loser ? m.body.code : m.body.data.status))).toEqual(
      moves.map((_, i) => (i % 2 === loser ? 12014 : final.status)),
    );
    expect((await earningsOf(anchor.client)).earnings).toBe(final.status === 'paid' ? castlePrice - 400 : castlePrice);
  });

  it('the money invariant holds: balances + earnings + withdrawn (net) + platform cut (fee) of non-rejected orders = credits', async () => {
    const [totals] = await stack.sql<{ balances: string; earnings: string; negative: string }>(
      `SELECT COALESCE(SUM(current_balance), 0) AS balances, COALESCE(SUM(earnings), 0) AS earnings,
              COALESCE(SUM(current_balance < 0 OR earnings < 0), 0) AS negative
       FROM t_qiyu_currency_account`,
    );
    const [orders] = await stack.sql<{ net: string; fee: string; orders: string }>(
      'SELECT COALESCE(SUM(net), 0) AS net, COALESCE(SUM(fee), 0) AS fee, COUNT(*) AS orders FROM t_withdrawal_order WHERE status <> 3',
    );
    // Credits: recharges and manual credits, less refunded recharges (type 7 rows are negative).
    const [credits] = await stack.sql<{ credited: string }>(
      'SELECT COALESCE(SUM(num), 0) AS credited FROM t_qiyu_currency_trade WHERE type IN (1, 3, 7) AND status = 1',
    );
    expect(Number(orders.orders)).toBeGreaterThan(0);
    expect(Number(totals.negative)).toBe(0);
    expect(Number(totals.balances) + Number(totals.earnings) + Number(orders.net) + Number(orders.fee)).toBe(
      Number(credits.credited),
    );
    // Per user: the earnings are the gift credits less the withdrawals plus the reversals.
    const mismatched = await stack.sql(
      `SELECT a.user_id FROM t_qiyu_currency_account a
       LEFT JOIN (SELECT user_id, SUM(num) AS moved FROM t_qiyu_currency_trade
                  WHERE status = 1 AND ((type = 2 AND direction = 2) OR type IN (5, 6)) GROUP BY user_id) t
         ON t.user_id = a.user_id
       WHERE a.earnings <> COALESCE(t.moved, 0)`,
    );
    expect(mismatched).toEqual([]);
  });
});

import { BankClient, BizException, createRpcClient, startApp } from '@live/common';
import { BankRpc, CreatePayOrderRequest, GiftSettlementItem, signBankOrder } from '@live/contracts';
import {
  createTestDatabase,
  createTestRedis,
  signedSettlementItem,
  TestDatabase,
  TestRedis,
  uniqueName,
} from '@live/testing';
import { parseCachedBalance } from '@live/contracts';
import { rebuildEarningsHours, sqlHourStart } from '@live/database';
import { BankRedisKeys } from '@live/redis';
import { INestApplication } from '@nestjs/common';
import { ClientProxy } from '@nestjs/microservices';
import { DataSource } from 'typeorm';
import { CurrencyAccountService } from './account/currency-account.service';
import { CurrencyTradeRepository } from './account/currency-trade.repository';
import { TradeType } from './account/entities/currency-trade.entity';
import { BankServiceModule } from './bank-service.module';
import { PayOrderService } from './recharge/pay-order.service';
import { signPayCallback } from './recharge/pay-signature';
import { GiftSettlementService } from './settlement/gift-settlement.service';
import { WithdrawalService } from './withdrawal/withdrawal.service';

/** A recharge order signed as api-gateway signs it (the development profile's BANK_ORDER_SIGNING_KEY*). */
function asGateway(order: Omit<CreatePayOrderRequest, 'authority'>): CreatePayOrderRequest {
  const key = { id: process.env.BANK_ORDER_SIGNING_KEY_ID!, secret: process.env.BANK_ORDER_SIGNING_KEY! };
  return signBankOrder(BankRpc.CREATE_PAY_ORDER, { ...order }, key);
}

/** A Redis database of its own: one test flushes it while settlements run. */
const REDIS_DB = 7;

describe('bank-service on the real MariaDB and Redis', () => {
  let db: TestDatabase;
  let redisHelper: TestRedis;
  let app: INestApplication;
  let client: ClientProxy;
  let bank: BankClient;
  let ds: DataSource;
  let accounts: CurrencyAccountService;
  let settlement: GiftSettlementService;
  let orders: PayOrderService;
  let nextUser = 1000;
  const rpcPort = 20_000 + Math.floor(Math.random() * 6_000) * 2; // below the ephemeral range
  const secret = 'integration-test-pay-secret';

  const newUser = (): number => (nextUser += 1);
  const gift = (senderId: number, price: number, receiverId = 1, requestId = uniqueName('g')): GiftSettlementItem =>
    signedSettlementItem({ requestId, senderId, receiverId, roomId: 5, giftId: 1, price });
  async function fund(userId: number, coins: number): Promise<void> {
    await accounts.adjust({
      userId,
      num: coins,
      requestId: uniqueName('fund'),
      type: TradeType.MANUAL_CREDIT,
      createIfMissing: true,
    });
  }
  async function dbBalance(userId: number): Promise<number> {
    const [row] = await ds.query('SELECT current_balance FROM t_qiyu_currency_account WHERE user_id = ?', [userId]);
    return Number(row.current_balance);
  }

  beforeAll(async () => {
    db = await createTestDatabase();
    redisHelper = await createTestRedis();
    Object.assign(process.env, {
      DB_NAME: db.name,
      REDIS_KEY_PREFIX: redisHelper.prefix,
      REDIS_DB: String(REDIS_DB),
      BANK_PAY_SECRET: secret,
      BANK_DEV_PAY_ENABLED: 'true',
      // The expiry job stays out of the way: the test below meets an overdue order before the job does.
      BANK_ORDER_EXPIRY_INTERVAL_MS: '3600000',
      LOG_LEVEL: 'warn',
    });
    // The production bootstrap (the same filter and pipe wiring as main.ts), on free ports.
    app = await startApp({
      app: 'bank-service',
      module: BankServiceModule,
      http: { host: '127.0.0.1', port: rpcPort + 1 },
      rpc: { host: '127.0.0.1', port: rpcPort },
    });
    client = createRpcClient('bank-it', { host: '127.0.0.1', port: rpcPort });
    await client.connect();
    bank = new BankClient(client);
    ds = app.get(DataSource);
    accounts = app.get(CurrencyAccountService);
    settlement = app.get(GiftSettlementService);
    orders = app.get(PayOrderService);
  });

  afterAll(async () => {
    client?.close();
    await app?.close();
    await redisHelper?.cleanup();
    await db?.drop();
  });

  it('200 concurrent settlements on one account of 100 with price 1: exactly 100 charged, balance 0', async () => {
    const sender = newUser();
    const anchor = newUser();
    await fund(sender, 100);
    const results = await Promise.all(
      Array.from({ length: 200 }, async () => (await bank.settleBatch([gift(sender, 1, anchor)])).results[0]),
    );
    expect(results.filter((r) => r.status === 'charged')).toHaveLength(100);
    expect(results.filter((r) => r.status === 'rejected')).toHaveLength(100);
    expect(await dbBalance(sender)).toBe(0);
    const [{ charged }] = await ds.query(
      'SELECT COUNT(*) AS charged FROM t_qiyu_currency_trade WHERE user_id = ? AND type = ? AND status = 1',
      [sender, TradeType.GIFT],
    );
    expect(Number(charged)).toBe(100);
    const [anchorRow] = await ds.query('SELECT earnings FROM t_qiyu_currency_account WHERE user_id = ?', [anchor]);
    expect(Number(anchorRow.earnings)).toBe(100);
    // The wallet with its spending safeguards (what the gateway's pre-check reads when the cache misses).
    await expect(bank.balance(sender)).resolves.toEqual({
      balance: 0,
      frozen: false,
      spentToday: 100,
      dailySpendCap: 0,
    });
  });

  it('the same batch settled twice charges once and answers the same', async () => {
    const sender = newUser();
    await fund(sender, 50);
    const items = [gift(sender, 10), gift(sender, 30), gift(sender, 20), gift(sender, 5)];
    const first = await bank.settleBatch(items);
    const second = await bank.settleBatch(items);
    expect(first.results.map((r) => [r.status, r.balanceAfter, r.replayed])).toEqual([
      ['charged', 40, false],
      ['charged', 10, false],
      ['rejected', 10, false],
      ['charged', 5, false],
    ]);
    expect(second.results.map((r) => [r.status, r.balanceAfter, r.replayed])).toEqual([
      ['charged', 40, true],
      ['charged', 10, true],
      ['rejected', 10, true],
      ['charged', 5, true],
    ]);
    expect(second.results[2].reason).toBe('insufficient balance: 10 < 20');
    expect(await dbBalance(sender)).toBe(5);
    const [{ n }] = await ds.query('SELECT COUNT(*) AS n FROM t_qiyu_currency_trade WHERE user_id = ? AND type = ?', [
      sender,
      TradeType.GIFT,
    ]);
    expect(Number(n)).toBe(4);
  });

  it('the same batch delivered concurrently still charges once', async () => {
    const sender = newUser();
    await fund(sender, 1000);
    const items = Array.from({ length: 50 }, () => gift(sender, 3));
    await Promise.all([settlement.settleBatch(items), settlement.settleBatch(items), settlement.settleBatch(items)]);
    expect(await dbBalance(sender)).toBe(1000 - 150);
  });

  it('a batch whose answer was lost (it committed) is replayed, and the replay brings the cached balance up to date', async () => {
    const sender = newUser();
    await fund(sender, 100);
    const items = [gift(sender, 10), gift(sender, 20)];
    await settlement.settleBatch(items);
    // What a cut connection during COMMIT leaves: the charge is in, the cache refresh never ran.
    const key = new BankRedisKeys(redisHelper.prefix).balance(sender);
    await redisHelper.redis.select(REDIS_DB);
    await redisHelper.redis.set(key, '0:100');
    const replay = await settlement.settleBatch(items);
    expect(replay.every((r) => r.replayed && r.status === 'charged')).toBe(true);
    expect(parseCachedBalance(await redisHelper.redis.get(key))).toBe(70);
    expect(await dbBalance(sender)).toBe(70);
  });

  it('Redis flushed mid-run changes no outcome; balances rebuild from the database', async () => {
    const sender = newUser();
    await fund(sender, 250);
    const running = Promise.all(Array.from({ length: 300 }, () => settlement.settleBatch([gift(sender, 1)])));
    await new Promise((r) => setTimeout(r, 20));
    await redisHelper.redis.select(REDIS_DB);
    await redisHelper.redis.flushdb();
    const results = (await running).flat();
    expect(results.filter((r) => r.status === 'charged')).toHaveLength(250);
    await redisHelper.redis.flushdb();
    expect(await accounts.getBalance(sender)).toEqual({
      balance: 0,
      exists: true,
      frozen: false,
      spentToday: 250,
      dailySpendCap: 0,
    });
    expect(await dbBalance(sender)).toBe(0);
  });

  it('a repeated payment callback credits once; a badly signed one is refused', async () => {
    const user = newUser();
    const { products } = await bank.products(0);
    expect(products.length).toBeGreaterThan(0);
    const product = products[0];
    const { orderId } = await bank.createPayOrder(
      asGateway({
        userId: user,
        productId: product.id,
        paySource: 1,
        payChannel: 0,
      }),
    );
    const forged = await bank.payNotify({ orderId, signature: 'f'.repeat(64) }).catch((e: unknown) => e);
    expect(forged).toBeInstanceOf(BizException);
    expect((forged as BizException).code).toBe(12006);

    const signature = signPayCallback(secret, orderId);
    const callbacks = await Promise.all(Array.from({ length: 5 }, () => bank.payNotify({ orderId, signature })));
    expect(callbacks.filter((c) => c.credited)).toHaveLength(1);
    expect(await dbBalance(user)).toBe(product.coinNum);
    const [order] = await ds.query('SELECT status, coin_num FROM t_pay_order WHERE order_id = ?', [orderId]);
    expect(Number(order.status)).toBe(2);
  });

  it('the development provider pays only the caller’s own order, once', async () => {
    const user = newUser();
    const { orderId } = await orders.create({ userId: user, productId: 1, paySource: 1, payChannel: 0 });
    const stranger = await orders.devPay(orderId, newUser()).catch((e: unknown) => e);
    expect((stranger as BizException).code).toBe(12004);
    const paid = await orders.devPay(orderId, user);
    const again = await orders.devPay(orderId, user);
    expect([paid.credited, again.credited]).toEqual([true, false]);
    expect(await dbBalance(user)).toBe(paid.coinNum);
  });

  it('an order past BANK_ORDER_TTL_MINUTES that the job has not reached yet: no payment starts (devPay 12020), a late signed callback credits it once and marks it paid', async () => {
    const user = newUser();
    const { orderId } = await orders.create({ userId: user, productId: 1, paySource: 1, payChannel: 0 });
    await ds.query('UPDATE t_pay_order SET create_time = create_time - INTERVAL 31 MINUTE WHERE order_id = ?', [
      orderId,
    ]);
    const statusOf = async () =>
      Number((await ds.query('SELECT status FROM t_pay_order WHERE order_id = ?', [orderId]))[0].status);
    const started = await orders.devPay(orderId, user).catch((e: unknown) => e);
    expect([(started as BizException).code, (started as BizException).httpStatus]).toEqual([12020, 409]);
    expect(await statusOf()).toBe(0);
    expect(await ds.query('SELECT 1 FROM t_qiyu_currency_account WHERE user_id = ?', [user])).toEqual([]);

    const signature = signPayCallback(secret, orderId);
    const late = await bank.payNotify({ orderId, signature });
    const again = await bank.payNotify({ orderId, signature });
    expect([late.credited, again.credited]).toEqual([true, false]);
    expect(await statusOf()).toBe(2);
    expect(await ds.query('SELECT num FROM t_qiyu_currency_trade WHERE request_id = ?', [`pay:${orderId}`])).toEqual([
      { num: late.coinNum },
    ]);
    expect(await dbBalance(user)).toBe(late.coinNum);
    // A request key that is not one is refused by the contract before anything is written.
    const bad = await bank
      .createPayOrder(asGateway({ userId: user, productId: 1, paySource: 1, payChannel: 0, requestKey: 'no spaces' }))
      .catch((e: unknown) => e);
    expect((bad as BizException).code).toBe(100001);
    expect(await ds.query('SELECT order_id FROM t_pay_order WHERE user_id = ?', [user])).toEqual([
      { order_id: orderId },
    ]);
  });

  it('charges only what api-gateway signed: a forged signature, or a signed gift with its price or receiver changed, moves nothing', async () => {
    const victim = newUser();
    const attacker = newUser();
    await fund(victim, 1000);
    const genuine = gift(victim, 1, 7);
    const forged = [
      {
        ...gift(victim, 900, attacker),
        signed: { ...genuine.signed, sig: genuine.signed.sig.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')) },
      },
      { ...genuine, requestId: genuine.requestId, price: 900 },
      { ...genuine, receiverId: attacker },
      { ...gift(victim, 900, attacker), signed: { ...genuine.signed, sigKeyId: 'attacker-key' } },
    ];
    const { results } = await bank.settleBatch([...forged, genuine]);
    expect(results.map((r) => r.status)).toEqual(['conflict', 'conflict', 'conflict', 'conflict', 'charged']);
    expect(results.slice(0, 4).every((r) => /^not charged: not signed by api-gateway/.test(r.reason ?? ''))).toBe(true);
    expect(await dbBalance(victim)).toBe(999);
    const rows = await ds.query('SELECT request_id FROM t_qiyu_currency_trade WHERE user_id IN (?, ?)', [
      victim,
      attacker,
    ]);
    expect(
      rows.map((r: { request_id: string }) => r.request_id).filter((id: string) => !id.startsWith('fund')),
    ).toEqual([genuine.requestId]);
  });

  it.each([
    ['a negative price', { items: [{ requestId: 'x1', senderId: 1, receiverId: 2, roomId: 1, giftId: 1, price: -5 }] }],
    ['a zero price', { items: [{ requestId: 'x2', senderId: 1, receiverId: 2, roomId: 1, giftId: 1, price: 0 }] }],
    [
      'a fractional price',
      { items: [{ requestId: 'x3', senderId: 1, receiverId: 2, roomId: 1, giftId: 1, price: 1.5 }] },
    ],
    [
      "an item without the gateway's signature",
      { items: [{ requestId: 'x4', senderId: 1, receiverId: 2, roomId: 1, giftId: 1, price: 1 }] },
    ],
    ['an empty batch', { items: [] }],
    [
      'an oversize batch',
      {
        items: Array.from({ length: 1001 }, (_, i) => ({
          requestId: `o${i}`,
          senderId: 1,
          receiverId: 2,
          roomId: 1,
          giftId: 1,
          price: 1,
        })),
      },
    ],
  ])('refuses %s with a clear error and writes nothing', async (_what, payload) => {
    const [{ n_before: before }] = await ds.query('SELECT COUNT(*) AS n_before FROM t_qiyu_currency_trade');
    const err = await bank.settleBatch(payload.items as GiftSettlementItem[]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BizException);
    expect((err as BizException).code).toBe(100001);
    expect((err as BizException).message).toMatch(/items|price/);
    const [{ n_after: after }] = await ds.query('SELECT COUNT(*) AS n_after FROM t_qiyu_currency_trade');
    expect(after).toEqual(before);
  });

  it('a gift is two ledger rows under its request id (debit, credit to earnings); a replay adds none; /earnings holds the last 7 days', async () => {
    const [sender, anchor] = [newUser(), newUser()];
    await fund(sender, 100);
    const first = gift(sender, 30, anchor);
    const second = gift(sender, 20, anchor);
    const refused = gift(sender, 500, anchor);
    expect((await bank.settleBatch([first, second, refused])).results.map((r) => r.status)).toEqual([
      'charged',
      'charged',
      'rejected',
    ]);
    const rowsOf = async (): Promise<unknown[][]> =>
      (
        await ds.query(
          `SELECT request_id, user_id, direction, counterparty_id, num, balance_after, status FROM t_qiyu_currency_trade
           WHERE type = 2 AND user_id IN (?, ?) ORDER BY request_id, direction`,
          [sender, anchor],
        )
      ).map((r: Record<string, unknown>) => [
        r.request_id,
        ...[r.user_id, r.direction, r.counterparty_id, r.num, r.balance_after, r.status].map(Number),
      ]);
    const rows = await rowsOf();
    expect(rows).toEqual(
      [
        [first.requestId, sender, 1, anchor, -30, 70, 1],
        [first.requestId, anchor, 2, sender, 30, 30, 1],
        [second.requestId, sender, 1, anchor, -20, 50, 1],
        [second.requestId, anchor, 2, sender, 20, 50, 1],
        [refused.requestId, sender, 1, anchor, 0, 50, 0],
      ].sort((a, b) => String(a[0]).localeCompare(String(b[0])) || Number(a[2]) - Number(b[2])),
    );
    // Redelivered, alone and together: the first answers, nothing written, nothing moved.
    const replay = await bank.settleBatch([second, first, refused]);
    expect(replay.results.map((r) => [r.status, r.replayed, r.balanceAfter])).toEqual([
      ['charged', true, 50],
      ['charged', true, 70],
      ['rejected', true, 50],
    ]);
    expect(await rowsOf()).toEqual(rows);
    // A request id the ledger holds as a credit of something else (a recharge) is a conflict: nothing moves.
    const fundId = uniqueName('fund');
    await accounts.adjust({ userId: sender, num: 5, requestId: fundId, type: TradeType.MANUAL_CREDIT });
    const [reused] = (await bank.settleBatch([gift(sender, 10, anchor, fundId)])).results;
    expect(reused.status).toBe('conflict');
    expect(await rowsOf()).toEqual(rows);
    expect(await dbBalance(sender)).toBe(55);

    // Default hold (EARNINGS_HOLD_DAYS 7): everything is pending.
    expect(await bank.earnings(anchor)).toEqual({
      earnings: 50,
      withdrawable: 0,
      pending: 50,
      today: 50,
      last7Days: 50,
      total: 50,
    });
    expect(await bank.earnings(sender)).toEqual({
      earnings: 0,
      withdrawable: 0,
      pending: 0,
      today: 0,
      last7Days: 0,
      total: 0,
    });
    // The settlement's hours: the anchor's credits are in the hour row of their create_time's hour, and nowhere else.
    const hourRows = (sql: string) =>
      ds.query(sql, [anchor]).then((rows: { h: string; n: string }[]) => rows.map((r) => `${r.h} ${Number(r.n)}`));
    expect(
      await hourRows(
        `SELECT DATE_FORMAT(hour_start, '%Y-%m-%d %H:%i:%s.%f') AS h, amount AS n FROM t_qiyu_earnings_hour WHERE user_id = ? ORDER BY h`,
      ),
    ).toEqual(
      await hourRows(
        `SELECT DATE_FORMAT(${sqlHourStart('create_time')}, '%Y-%m-%d %H:%i:%s.%f') AS h, SUM(num) AS n
         FROM t_qiyu_currency_trade WHERE user_id = ? AND direction = 2 AND type = 2 AND status = 1 GROUP BY h ORDER BY h`,
      ),
    );
    expect((await hourRows('SELECT 0 AS h, SUM(amount) AS n FROM t_qiyu_earnings_hour WHERE user_id = ?'))[0]).toBe(
      '0 50',
    );
    // The first gift 8 days old: past the hold, withdrawable, out of today and the last 7 days.
    await ds.query(
      'UPDATE t_qiyu_currency_trade SET create_time = NOW(3) - INTERVAL 8 DAY WHERE request_id = ? AND direction = 2',
      [first.requestId],
    );
    await rebuildEarningsHours((sql, params) => ds.query(sql, params), [anchor]); // its hours as the settlement keeps them
    expect(await bank.earnings(anchor)).toEqual({
      earnings: 50,
      withdrawable: 30,
      pending: 20,
      today: 20,
      last7Days: 20,
      total: 50,
    });
    // The anchor's ledger shows its credit with the direction and the sender as counterparty.
    const page = await bank.trades({ userId: anchor, page: 1, pageSize: 10 });
    expect(page.list.map((t) => [t.requestId, t.direction, t.counterpartyId, t.num])).toEqual([
      [second.requestId, 'credit', sender, 20],
      [first.requestId, 'credit', sender, 30],
    ]);
  });

  it("sums a window to the millisecond: the hours inside it and the credit rows from its edge to the end of that edge's hour", async () => {
    const trades = app.get(CurrencyTradeRepository);
    const user = newUser();
    const credit = (at: string, num: number) =>
      ds.query(
        `INSERT INTO t_qiyu_currency_trade (request_id, user_id, direction, num, balance_after, type, status, create_time)
         VALUES (?, ?, 2, ?, 0, 2, 1, ?)`,
        [uniqueName('edge'), user, num, at],
      );
    await credit('2026-11-20 09:59:59.999', 1); // the hour before 10:00
    await credit('2026-11-20 10:29:59.999', 2); // the hour 10:00, before 10:30
    await credit('2026-11-20 10:30:00.000', 4); // 10:30 exactly
    await credit('2026-11-20 10:59:59.999', 8); // the hour 10:00, after 10:30
    await credit('2026-11-20 11:00:00.000', 16); // the hour 11:00
    await credit('2026-11-24 12:00:00.000', 32); // within 3 days of 11-27 10:30
    await credit('2026-11-27 09:00:00.000', 64); // on 11-27
    await rebuildEarningsHours((sql, params) => ds.query(sql, params), [user]);
    const at = async (instant: string, holdDays = 7) => {
      const totals = await trades.earnings(user, holdDays, undefined, instant);
      expect(await trades.held(user, holdDays, ds.manager, instant)).toBe(totals.held);
      return [totals.today, totals.last7Days, totals.held];
    };
    // A window from inside an hour (11-20 10:30): its edge in, the rows of that hour before it out, after it in.
    expect(await at('2026-11-27 10:30:00.000')).toEqual([64, 124, 124]);
    // One millisecond later: the row of the edge out.
    expect(await at('2026-11-27 10:30:00.001')).toEqual([64, 120, 120]);
    // From the start of an hour (11-20 11:00, then 10:00): that hour's row whole, its rows not counted again.
    expect(await at('2026-11-27 11:00:00.000')).toEqual([64, 112, 112]);
    expect(await at('2026-11-27 10:00:00.000')).toEqual([64, 126, 126]);
    // From the last millisecond of an hour: the rows of that millisecond only, then the hours.
    expect(await at('2026-11-27 09:59:59.999')).toEqual([64, 127, 127]);
    // A hold of 3 days: its own edge (11-24 10:30); a hold of 0: nothing held.
    expect(await at('2026-11-27 10:30:00.000', 3)).toEqual([64, 124, 96]);
    expect(await at('2026-11-27 10:30:00.000', 0)).toEqual([64, 124, 0]);
  });

  it('refuses a debit beyond the balance and a debit of an unknown user (manual debits are not on the RPC surface)', async () => {
    const user = newUser();
    await fund(user, 10);
    const debit = (userId: number, num: number, requestId = uniqueName('d')) =>
      accounts.adjust({ userId, num: -num, requestId, type: TradeType.MANUAL_DEBIT });
    const over = await debit(user, 11).catch((e: unknown) => e);
    expect((over as BizException).code).toBe(12001);
    const unknown = await debit(987654321, 1).catch((e: unknown) => e);
    expect((unknown as BizException).code).toBe(12002);
    await expect(debit(user, 4, 'same-debit')).resolves.toEqual({ balance: 6, replayed: false });
    await expect(debit(user, 4, 'same-debit')).resolves.toEqual({ balance: 6, replayed: true });
    const trades = await bank.trades({ userId: user, page: 1, pageSize: 1 });
    expect(trades.list.map((t) => t.num)).toEqual([-4]);
    expect(trades.hasNext).toBe(true);
  });

  it('money reconciles after a randomized run of 10,000 operations, then withdrawals racing gifts and reviews', async () => {
    const users = Array.from({ length: 30 }, () => newUser());
    const anchors = Array.from({ length: 5 }, () => newUser());
    let seed = 42;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const operations: (() => Promise<unknown>)[] = [];
    const replayable: GiftSettlementItem[] = [];
    let ops = 0;
    while (ops < 10_000) {
      const kind = rand(100);
      if (kind < 8) {
        const userId = users[rand(users.length)];
        operations.push(async () => {
          const { orderId } = await orders.create({ userId, productId: 1 + rand(3), paySource: 1, payChannel: 0 });
          await orders.notify(orderId, signPayCallback(secret, orderId));
        });
        ops += 1;
      } else if (kind < 12) {
        const userId = users[rand(users.length)];
        const num = 1 + rand(50);
        operations.push(() =>
          accounts.adjust({
            userId,
            num,
            requestId: uniqueName('c'),
            type: TradeType.MANUAL_CREDIT,
            createIfMissing: true,
          }),
        );
        ops += 1;
      } else if (kind < 15) {
        const userId = users[rand(users.length)];
        const num = 1 + rand(30);
        operations.push(() =>
          accounts
            .adjust({ userId, num: -num, requestId: uniqueName('d'), type: TradeType.MANUAL_DEBIT })
            .catch(() => undefined),
        );
        ops += 1;
      } else {
        const size = 20 + rand(180);
        const items = Array.from({ length: size }, () =>
          gift(users[rand(users.length)], 1 + rand(60), anchors[rand(anchors.length)]),
        );
        if (replayable.length > 0 && rand(4) === 0) items.push(...replayable.slice(0, 10));
        replayable.splice(0, replayable.length, ...items.slice(0, 10));
        operations.push(() => settlement.settleBatch(items));
        ops += items.length;
      }
    }
    const queue = [...operations];
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        for (let op = queue.shift(); op; op = queue.shift()) await op();
      }),
    );

    // Withdrawals: the anchors' earnings so far made withdrawable (their credits dated 10 days back, past
    // EARNINGS_HOLD_DAYS), then each anchor asks for amounts concurrently with more gifts to them, and the
    // orders are approved, paid or rejected (the amount back) while others are made.
    await ds.query(
      `UPDATE t_qiyu_currency_trade SET create_time = NOW(3) - INTERVAL 10 DAY
       WHERE direction = 2 AND type = ? AND user_id IN (${anchors.map(() => '?').join(',')})`,
      [TradeType.GIFT, ...anchors],
    );
    await rebuildEarningsHours((sql, params) => ds.query(sql, params), anchors);
    const withdrawals = app.get(WithdrawalService);
    const outcomes = { made: 0, refused: 0 };
    const phase: (() => Promise<unknown>)[] = [];
    for (let i = 0; i < 400; i += 1) {
      if (i % 4 === 0) {
        const items = Array.from({ length: 50 }, () =>
          gift(users[rand(users.length)], 1 + rand(60), anchors[rand(anchors.length)]),
        );
        phase.push(() => settlement.settleBatch(items));
        continue;
      }
      const userId = anchors[rand(anchors.length)];
      const amount = 100 + rand(3_000);
      const fate = Math.floor(i / 4) % 4; // (the generator's low bits repeat with a short period)
      phase.push(async () => {
        // The service itself (the RPC controller checks the gateway's signature before it: test/rpc-auth).
        const request = { userId, requestId: uniqueName('w'), amount, authority: 'not checked by the service' };
        const order = await withdrawals.create(request).catch((err) => {
          expect(err).toBeInstanceOf(BizException);
          outcomes.refused += 1;
          return null;
        });
        if (!order) return;
        outcomes.made += 1;
        const review = { withdrawalId: order.withdrawalId, adminId: 1, authority: 'not checked by the service' };
        if (fate >= 1) await withdrawals.approve(review);
        if (fate === 2) await withdrawals.markPaid(review);
        if (fate === 3) await withdrawals.reject({ ...review, reason: 'random' });
      });
    }
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        for (let op = phase.shift(); op; op = phase.shift()) await op();
      }),
    );
    expect(outcomes.made).toBeGreaterThan(0);
    expect(outcomes.refused).toBeGreaterThan(0);
    const [{ withdrawn, fees, rejected }] = await ds.query(
      `SELECT SUM(CASE WHEN status <> 3 THEN net ELSE 0 END) AS withdrawn, SUM(CASE WHEN status <> 3 THEN fee ELSE 0 END) AS fees,
              SUM(status = 3) AS rejected
       FROM t_withdrawal_order WHERE user_id IN (${anchors.map(() => '?').join(',')})`,
      anchors,
    );
    expect(Number(rejected)).toBeGreaterThan(0);
    const withdrawnAmount = Number(withdrawn) + Number(fees);

    const ids = [...users, ...anchors];
    const [totals] = await ds.query(
      `SELECT SUM(current_balance) AS balances, SUM(earnings) AS earnings, SUM(total_recharged) AS recharged,
              SUM(total_spent) AS spent, MIN(current_balance) AS minBalance, MIN(earnings) AS minEarnings
       FROM t_qiyu_currency_account WHERE user_id IN (${ids.map(() => '?').join(',')})`,
      ids,
    );
    const [ledger] = await ds.query(
      `SELECT SUM(CASE WHEN type = ? THEN -num ELSE 0 END) AS gifted, SUM(CASE WHEN type = ? THEN -num ELSE 0 END) AS debited
       FROM t_qiyu_currency_trade WHERE status = 1 AND user_id IN (${users.map(() => '?').join(',')})`,
      [TradeType.GIFT, TradeType.MANUAL_DEBIT, ...users],
    );
    const [{ paid }] = await ds.query(
      `SELECT SUM(coin_num) AS paid FROM t_pay_order WHERE status = 2 AND user_id IN (${users.map(() => '?').join(',')})`,
      users,
    );
    expect(Number(totals.minBalance)).toBeGreaterThanOrEqual(0);
    expect(Number(totals.minEarnings)).toBeGreaterThanOrEqual(0);
    expect(Number(ledger.gifted)).toBeGreaterThan(0);
    // What left the senders as gifts reached the anchors, less what they withdrew (orders not rejected).
    expect(Number(totals.earnings) + withdrawnAmount).toBe(Number(ledger.gifted));
    // balances + earnings + withdrawn (net) + fees == everything recharged or credited, less manual debits.
    expect(Number(totals.balances) + Number(totals.earnings) + withdrawnAmount).toBe(
      Number(totals.recharged) - Number(ledger.debited),
    );
    expect(Number(totals.recharged) - Number(totals.spent)).toBe(Number(totals.balances));
    expect(Number(paid)).toBeGreaterThan(0);
    // Per user: the ledger sums to the balance.
    const perUser: { user_id: number; balance: string; ledger: string }[] = await ds.query(
      `SELECT a.user_id, a.current_balance AS balance, COALESCE(SUM(t.num), 0) AS ledger
       FROM t_qiyu_currency_account a LEFT JOIN t_qiyu_currency_trade t ON t.user_id = a.user_id AND t.status = 1
       WHERE a.user_id IN (${users.map(() => '?').join(',')}) GROUP BY a.user_id, a.current_balance`,
      users,
    );
    for (const row of perUser) expect([row.user_id, Number(row.ledger)]).toEqual([row.user_id, Number(row.balance)]);
    // Per anchor: the earnings' rows (gift credits, withdrawals out, reversals back) sum to the earnings.
    const perAnchor: { user_id: number; earnings: string; ledger: string }[] = await ds.query(
      `SELECT a.user_id, a.earnings, COALESCE(SUM(t.num), 0) AS ledger
       FROM t_qiyu_currency_account a LEFT JOIN t_qiyu_currency_trade t ON t.user_id = a.user_id AND t.status = 1
         AND ((t.type = ? AND t.direction = 2) OR t.type IN (?, ?))
       WHERE a.user_id IN (${anchors.map(() => '?').join(',')}) GROUP BY a.user_id, a.earnings`,
      [TradeType.GIFT, TradeType.WITHDRAW, TradeType.WITHDRAW_REVERSAL, ...anchors],
    );
    expect(perAnchor).toHaveLength(anchors.length);
    for (const row of perAnchor) expect([row.user_id, Number(row.ledger)]).toEqual([row.user_id, Number(row.earnings)]);
  });
});

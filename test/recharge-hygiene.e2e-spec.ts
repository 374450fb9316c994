import { balanceCacheKey } from '@live/contracts';
import { SEED_GIFTS, SEED_PRODUCTS } from '@live/database';
import { Logger } from '@nestjs/common';
import { PayOrderRepository } from '../apps/bank-service/src/recharge/pay-order.repository';
import { signPayCallback } from '../apps/bank-service/src/recharge/pay-signature';
import { HttpClient } from './support/http-client';
import { startTestStack, TestStack } from './support/test-stack';
import { loginNewUser, rechargeCoins, startLiving } from './support/test-users';
import { waitFor } from './support/wait-for';

/**
 * Issue 19's recharge hygiene and issue 20's recharge idempotency, with plain fetch through the gateway and
 * the real bank-service (its expiry job on a 200 ms timer here; BANK_ORDER_TTL_MINUTES stays 30, so an order is
 * made overdue by moving its create_time back): unpaid orders expire, no payment starts on them, and a late
 * callback of a payment made in time still credits it once; an admin
 * refund claws a paid order's coins back once, or is refused with nothing moved when they were spent;
 * /bank/payProduct's Idempotency-Key makes one order per key; a user holds at most 5 unpaid orders.
 */
describe('recharge orders: expiry, admin refund, Idempotency-Key', () => {
  let stack: TestStack;
  let http: HttpClient;
  let admin: HttpClient;
  const adminPhone = `137${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`;
  const [smallId, , , smallCoins] = SEED_PRODUCTS[0];
  const [bigId, , , bigCoins] = SEED_PRODUCTS[3];
  const [crownId, , crownPrice] = SEED_GIFTS[3];

  beforeAll(async () => {
    stack = await startTestStack({
      env: { GATEWAY_ADMIN_PHONES: adminPhone, BANK_ORDER_EXPIRY_INTERVAL_MS: '200', BANK_ORDER_TTL_MINUTES: '30' },
    });
    http = new HttpClient(stack.baseUrl);
    admin = (await loginNewUser(http, adminPhone)).client;
  });

  afterAll(async () => {
    await stack?.close();
  });

  const statusOf = async (orderId: string): Promise<number> =>
    Number((await stack.sql('SELECT status FROM t_pay_order WHERE order_id = ?', [orderId]))[0].status);
  /** Made `minutes` earlier than it was (by the database's clock, as the job reads it). */
  const backdate = (orderId: string, minutes: number) =>
    stack.sql('UPDATE t_pay_order SET create_time = create_time - INTERVAL ? MINUTE WHERE order_id = ?', [
      minutes,
      orderId,
    ]);
  const order = async (client: HttpClient, productId = smallId, key?: string) =>
    client.post('/bank/payProduct', { productId, paySource: 1, payChannel: 0 }, key ? { 'idempotency-key': key } : {});
  const orderId = async (client: HttpClient, productId = smallId): Promise<string> => {
    const res = await order(client, productId);
    expect(res.body.code).toBe(200);
    return res.body.data.orderId;
  };
  const ledgerOf = (requestId: string) =>
    stack.sql(
      'SELECT user_id, direction, num, balance_after, type, status FROM t_qiyu_currency_trade WHERE request_id = ?',
      [requestId],
    );
  const accountOf = async (userId: number) =>
    (
      await stack.sql('SELECT current_balance, total_recharged FROM t_qiyu_currency_account WHERE user_id = ?', [
        userId,
      ])
    ).map((r) => [Number(r.current_balance), Number(r.total_recharged)])[0];
  const callback = (id: string) =>
    http.post('/bank/payNotify', { orderId: id, signature: signPayCallback(process.env.BANK_PAY_SECRET!, id) });

  it("the job expires orders unpaid past the TTL (not younger ones, not paid ones); no payment can start on an expired one (devPay 409 / 12020), but a payment's late signed callback credits it once", async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn');
    const viewer = await loginNewUser(http);
    const overdue = await orderId(viewer.client);
    const overduePaying = await orderId(viewer.client);
    await stack.db.dataSource.query('UPDATE t_pay_order SET status = 1 WHERE order_id = ?', [overduePaying]);
    const fresh = await orderId(viewer.client);
    const paid = await rechargeCoins(viewer.client, smallCoins);
    for (const id of [overdue, overduePaying, paid]) await backdate(id, 31);

    await waitFor('the job expired the overdue orders', async () => (await statusOf(overdue)) === 4, 10_000);
    await waitFor('and the overdue paying one', async () => (await statusOf(overduePaying)) === 4, 10_000);
    // The job has run past them: a fresh order still waits, a paid one stays paid.
    expect([await statusOf(fresh), await statusOf(paid)]).toEqual([0, 2]);

    // Expiry stops a payment from starting: devPay of an expired order is refused, nothing credited.
    const dev = await viewer.client.post('/bank/devPay', { orderId: overduePaying });
    expect([dev.status, dev.body.code]).toEqual([409, 12020]);
    expect(dev.body.msg).toContain(overduePaying);
    expect(await ledgerOf(`pay:${overduePaying}`)).toEqual([]);
    expect(await statusOf(overduePaying)).toBe(4);
    expect(await viewer.client.balance()).toBe(smallCoins);

    // Money paid is never lost: the provider's signed callback of a payment made in time comes after the
    // order expired (paid at minute 29, called back at 31): credited once, the order paid.
    const late = await callback(overdue);
    expect(late.body).toEqual({
      code: 200,
      msg: 'success',
      data: { orderId: overdue, status: 'paid', credited: true, coinNum: smallCoins, balance: 2 * smallCoins },
    });
    // The same callback again: the same answer, nothing credited twice.
    const repeated = await callback(overdue);
    expect(repeated.body).toMatchObject({
      code: 200,
      data: { orderId: overdue, status: 'paid', credited: false, coinNum: smallCoins },
    });
    expect(await ledgerOf(`pay:${overdue}`)).toEqual([
      { user_id: viewer.userId, direction: 2, num: smallCoins, balance_after: 2 * smallCoins, type: 1, status: 1 },
    ]);
    expect(await statusOf(overdue)).toBe(2);
    expect(await viewer.client.balance()).toBe(2 * smallCoins);
    expect(await accountOf(viewer.userId)).toEqual([2 * smallCoins, 2 * smallCoins]);
    // An operator is told: a warning with the order, the user and the coins.
    expect(warn.mock.calls.map((c) => String(c[0])).filter((m) => m.includes(overdue))).toEqual([
      `order ${overdue}: paid, user ${viewer.userId} credited ${smallCoins} coins: paid after expiry (the provider's callback came late)`,
    ]);
    warn.mockRestore();
    // The fresh order is still payable.
    expect((await callback(fresh)).body).toMatchObject({ code: 200, data: { credited: true } });
    expect(await viewer.client.balance()).toBe(3 * smallCoins);
  });

  it('two instances expiring at once: each overdue order expired exactly once, in bounded batches', async () => {
    const [viewer, other] = [await loginNewUser(http), await loginNewUser(http)];
    const ids: string[] = [];
    // Two users: one holds at most BANK_MAX_OPEN_ORDERS (5) unpaid orders.
    for (let i = 0; i < 7; i += 1) ids.push(await orderId((i < 4 ? viewer : other).client));
    // 20 minutes back: past a 10-minute TTL, not the job's 30, so only the calls below expire them.
    for (const id of ids) await backdate(id, 20);
    const repo = stack.bank.get(PayOrderRepository);
    const counts: number[] = [];
    // Batches of 2, from two connections at once, until nothing is left.
    for (let round = 0; round < 10; round += 1) {
      const [a, b] = await Promise.all([repo.expireOverdue(10, 2), repo.expireOverdue(10, 2)]);
      counts.push(a, b);
      if (a + b === 0) break;
    }
    expect(Math.max(...counts)).toBeLessThanOrEqual(2);
    // Other specs' orders live in other databases: every order of this database 20+ minutes old is these.
    expect(counts.reduce((x, y) => x + y, 0)).toBe(ids.length);
    for (const id of ids) expect(await statusOf(id)).toBe(4);
  });

  it('a user holds at most BANK_MAX_OPEN_ORDERS (5) unpaid orders: one more is 409 / 12023, nothing made; a paid one, or one past the TTL, makes room', async () => {
    // 9 orders in all: under the route's limit of 10 per 10 s.
    const viewer = await loginNewUser(http);
    const countOf = async () =>
      Number((await stack.sql('SELECT COUNT(*) AS n FROM t_pay_order WHERE user_id = ?', [viewer.userId]))[0].n);
    const keyed = (await order(viewer.client, smallId, 'cap-1')).body.data.orderId as string;
    const ids = [keyed];
    for (let i = 0; i < 4; i += 1) ids.push(await orderId(viewer.client));
    const refused = await order(viewer.client);
    expect([refused.status, refused.body.code]).toEqual([409, 12023]);
    expect(refused.body.msg).toMatch(
      /^5 orders are waiting for payment \(at most 5\): pay one, or order again when the oldest expires \(in (29|30) min\)$/,
    );
    expect(await countOf()).toBe(5);
    // A key already used answers its order (no new one): not refused at the cap.
    expect((await order(viewer.client, smallId, 'cap-1')).body).toMatchObject({ code: 200, data: { orderId: keyed } });
    // Paid: room for one more.
    expect((await viewer.client.post('/bank/devPay', { orderId: ids[1] })).body.code).toBe(200);
    expect((await order(viewer.client)).body.code).toBe(200);
    // Past the TTL (expired, or not reached by the job yet): no longer counted.
    await backdate(ids[2], 31);
    expect((await order(viewer.client)).body.code).toBe(200);
    expect(await countOf()).toBe(7);
  });

  it('the cap holds for calls at once: 10 concurrent orders of a new user make exactly 5, the rest 409 / 12023', async () => {
    const viewer = await loginNewUser(http);
    const answers = await Promise.all(Array.from({ length: 10 }, () => order(viewer.client)));
    const codes = answers.map((a) => a.body.code).sort((a, b) => a - b);
    expect(codes).toEqual([200, 200, 200, 200, 200, 12023, 12023, 12023, 12023, 12023]);
    const [{ n }] = await stack.sql('SELECT COUNT(*) AS n FROM t_pay_order WHERE user_id = ?', [viewer.userId]);
    expect(Number(n)).toBe(5);
  });

  it('admin refund of a paid order: its coins leave the wallet once (ledger row, balance, total_recharged); asked again or at once, nothing more moves', async () => {
    const viewer = await loginNewUser(http);
    const first = await rechargeCoins(viewer.client, bigCoins);
    const second = await rechargeCoins(viewer.client, smallCoins);
    expect(await viewer.client.balance()).toBe(bigCoins + smallCoins);

    const refund = await admin.post('/bank/admin/refund', { orderId: first });
    expect(refund.body).toEqual({
      code: 200,
      msg: 'success',
      data: {
        orderId: first,
        status: 'refunded',
        userId: viewer.userId,
        coinNum: bigCoins,
        refunded: true,
        balance: smallCoins,
      },
    });
    expect(await ledgerOf(`refund:${first}`)).toEqual([
      {
        user_id: viewer.userId,
        direction: 1,
        num: -bigCoins,
        balance_after: smallCoins,
        type: 7,
        status: 1,
      },
    ]);
    expect(await statusOf(first)).toBe(5);
    expect(await viewer.client.balance()).toBe(smallCoins); // the cache refreshed
    expect(await accountOf(viewer.userId)).toEqual([smallCoins, smallCoins]);
    const trades = (await viewer.client.post('/bank/trades', { page: 1, pageSize: 10 })).body.data.list;
    expect(trades[0]).toMatchObject({ requestId: `refund:${first}`, direction: 'debit', type: 7, num: -bigCoins });

    // Asked again: the refunded order, nothing moved.
    const again = await admin.post('/bank/admin/refund', { orderId: first });
    expect(again.body.data).toMatchObject({ orderId: first, status: 'refunded', refunded: false, balance: null });
    // Three admins at once on the other order: exactly one refund.
    const racing = await Promise.all([1, 2, 3].map(() => admin.post('/bank/admin/refund', { orderId: second })));
    expect(racing.map((r) => r.body.code)).toEqual([200, 200, 200]);
    expect(racing.filter((r) => r.body.data.refunded).length).toBe(1);
    expect((await ledgerOf(`refund:${second}`)).length).toBe(1);
    expect(await viewer.client.balance()).toBe(0);
    expect(await accountOf(viewer.userId)).toEqual([0, 0]);
    // A paid callback repeated after the refund credits nothing.
    expect((await callback(first)).body).toMatchObject({
      code: 12005,
      msg: `order ${first} is refunded, not waiting for payment`,
    });
    expect(await viewer.client.balance()).toBe(0);
  });

  it("a repeated callback or refund rewrites the wallet's cache entry (the first call may have died between its commit and its cache refresh)", async () => {
    const viewer = await loginNewUser(http);
    const paid = await rechargeCoins(viewer.client, bigCoins);
    /** What a crash after the commit leaves: the entry of before it (an older version), read by /bank/balance. */
    const entryOfBefore = (balance: number) =>
      stack.redis.redis.set(balanceCacheKey(stack.redis.prefix, viewer.userId), `0:${balance}:1:-:0:0`, 'EX', 600);
    await entryOfBefore(0);
    expect(await viewer.client.balance()).toBe(0);
    expect((await callback(paid)).body.data).toMatchObject({ credited: false, coinNum: bigCoins });
    expect(await viewer.client.balance()).toBe(bigCoins);

    expect((await admin.post('/bank/admin/refund', { orderId: paid })).body.data).toMatchObject({ refunded: true });
    await entryOfBefore(bigCoins);
    expect(await viewer.client.balance()).toBe(bigCoins);
    expect((await admin.post('/bank/admin/refund', { orderId: paid })).body.data).toMatchObject({ refunded: false });
    expect(await viewer.client.balance()).toBe(0);
    expect(await accountOf(viewer.userId)).toEqual([0, 0]);
  });

  it('refund refused when the coins were spent: 409 naming what is missing, nothing moved', async () => {
    const anchor = await loginNewUser(http);
    const roomId = await startLiving(anchor.client);
    const viewer = await loginNewUser(http);
    const paid = await rechargeCoins(viewer.client, smallCoins);
    const gift = await viewer.client.post(
      '/gift/send',
      { giftId: crownId, roomId, receiverId: anchor.userId },
      { 'idempotency-key': 'spend-1' },
    );
    expect(gift.body.code).toBe(200);
    const left = smallCoins - crownPrice;
    await waitFor('the gift settled', async () => (await viewer.client.balance()) === left, 30_000);

    const refused = await admin.post('/bank/admin/refund', { orderId: paid });
    expect([refused.status, refused.body.code]).toEqual([409, 12021]);
    expect(refused.body.msg).toContain(`holds ${left} of the order's ${smallCoins} coins: ${crownPrice} missing`);
    expect(await ledgerOf(`refund:${paid}`)).toEqual([]);
    expect(await statusOf(paid)).toBe(2);
    expect(await accountOf(viewer.userId)).toEqual([left, smallCoins]);
    expect(await viewer.client.balance()).toBe(left);
  });

  it('refund: admins only (403), an unknown order 404, an order not paid 409', async () => {
    const viewer = await loginNewUser(http);
    const paid = await rechargeCoins(viewer.client, smallCoins);
    const byOwner = await viewer.client.post('/bank/admin/refund', { orderId: paid });
    expect([byOwner.status, byOwner.body.code]).toEqual([403, 100003]);
    expect(await statusOf(paid)).toBe(2);
    const unknown = await admin.post('/bank/admin/refund', { orderId: 'PO-none' });
    expect([unknown.status, unknown.body.code]).toEqual([404, 12004]);
    const waiting = await orderId(viewer.client);
    const notPaid = await admin.post('/bank/admin/refund', { orderId: waiting });
    expect([notPaid.status, notPaid.body.code, notPaid.body.msg]).toEqual([
      409,
      12022,
      `order ${waiting} is waiting: only a paid order can be refunded`,
    ]);
    expect(await viewer.client.balance()).toBe(smallCoins);
  });

  it("payProduct takes paySource and payChannel as the enums' numbers only: their member names are 400, no order made", async () => {
    const viewer = await loginNewUser(http);
    for (const body of [
      { productId: smallId, paySource: 'LIVING_ROOM', payChannel: 0 },
      { productId: smallId, paySource: 1, payChannel: 'ALIPAY' },
      { productId: smallId, paySource: 1, payChannel: 'WECHAT' },
      { productId: smallId, paySource: 1, payChannel: 9 },
    ]) {
      const res = await viewer.client.postUntyped('/bank/payProduct', body);
      expect([JSON.stringify(body), res.status, res.body.code]).toEqual([JSON.stringify(body), 400, 100001]);
    }
    const rows = await stack.sql('SELECT COUNT(*) AS n FROM t_pay_order WHERE user_id = ?', [viewer.userId]);
    expect(Number(rows[0].n)).toBe(0);
    expect((await order(viewer.client, smallId)).body.code).toBe(200);
  });

  it('payProduct with an Idempotency-Key: one order per key (sent twice, or at once); other parameters 409; none: a new order each time', async () => {
    const viewer = await loginNewUser(http);
    const countOf = async (userId: number) =>
      Number((await stack.sql('SELECT COUNT(*) AS n FROM t_pay_order WHERE user_id = ?', [userId]))[0].n);

    const a = await order(viewer.client, smallId, 'recharge-1');
    const b = await order(viewer.client, smallId, 'recharge-1');
    expect([a.body.code, b.body.code]).toEqual([200, 200]);
    expect(b.body.data.orderId).toBe(a.body.data.orderId);
    const other = await order(viewer.client, bigId, 'recharge-1');
    expect([other.status, other.body.code]).toEqual([409, 10007]);
    const otherChannel = await viewer.client.post(
      '/bank/payProduct',
      { productId: smallId, paySource: 1, payChannel: 1 },
      { 'idempotency-key': 'recharge-1' },
    );
    expect([otherChannel.status, otherChannel.body.code]).toEqual([409, 10007]);
    expect(await countOf(viewer.userId)).toBe(1);
    // Paid, then sent again: the same (paid) order, never a second one.
    await viewer.client.post('/bank/devPay', { orderId: a.body.data.orderId });
    expect((await order(viewer.client, smallId, 'recharge-1')).body.data.orderId).toBe(a.body.data.orderId);

    // Five at once with a new key: one order, every answer names it.
    const racing = await Promise.all([1, 2, 3, 4, 5].map(() => order(viewer.client, bigId, 'recharge-2')));
    expect(racing.map((r) => r.body.code)).toEqual([200, 200, 200, 200, 200]);
    expect(new Set(racing.map((r) => r.body.data.orderId)).size).toBe(1);
    expect(await countOf(viewer.userId)).toBe(2);

    // The key is remembered as long as its order: after that order expired, the same key answers the expired
    // order (paying it is refused); a new attempt takes a new key. (Another user: 10 orders per 10 s.)
    const late = await loginNewUser(http);
    const expiring = (await order(late.client, bigId, 'retry-1')).body.data.orderId;
    await backdate(expiring, 31);
    await waitFor('the keyed order expired', async () => (await statusOf(expiring)) === 4, 10_000);
    const replayed = await order(late.client, bigId, 'retry-1');
    expect(replayed.body).toMatchObject({ code: 200, data: { orderId: expiring } });
    const payExpired = await late.client.post('/bank/devPay', { orderId: expiring });
    expect([payExpired.status, payExpired.body.code]).toEqual([409, 12020]);
    const fresh = await order(late.client, bigId, 'retry-2');
    expect(fresh.body.data.orderId).not.toBe(expiring);
    expect((await late.client.post('/bank/devPay', { orderId: fresh.body.data.orderId })).body).toMatchObject({
      code: 200,
      data: { credited: true, coinNum: bigCoins },
    });
    expect(await countOf(late.userId)).toBe(2);

    // The key is the user's own: another user's same key is another order.
    const someone = await loginNewUser(http);
    const theirs = await order(someone.client, smallId, 'recharge-1');
    expect(theirs.body.code).toBe(200);
    expect(theirs.body.data.orderId).not.toBe(a.body.data.orderId);
    // Without a key (old clients): a new order each time. A malformed key: 400, no order.
    const someone2 = await loginNewUser(http);
    const [x, y] = [await order(someone2.client), await order(someone2.client)];
    expect(x.body.data.orderId).not.toBe(y.body.data.orderId);
    const bad = await order(someone2.client, smallId, 'not a key!');
    expect([bad.status, bad.body.code]).toEqual([400, 100001]);
    expect(await countOf(someone2.userId)).toBe(2);
  });
});

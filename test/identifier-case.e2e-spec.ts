import { KafkaTopic } from '@live/contracts';
import { SEED_GIFTS } from '@live/database';
import { HttpClient } from './support/http-client';
import { readParked } from './support/parked-reader';
import { startTestStack, TestStack } from './support/test-stack';
import { loginNewUser, rechargeCoins, startLiving } from './support/test-users';
import { waitFor } from './support/wait-for';

/**
 * Ids that differ only in case are two ids, everywhere (migration 1764000000900: identifier columns are
 * utf8mb4_bin). With plain fetch, as the attacker did: under the old case-insensitive collation a second gift
 * whose requestId was the first's upper-cased was accepted (200) and then never settled (its settlement batch
 * failed on the ledger's unique key and it was parked undecided: no 5556, no 5557); a lower-cased order id
 * was paid by devPay; payProduct and withdraw keys differing in case were one key. EARNINGS_HOLD_DAYS 0 and
 * BANK_WITHDRAW_MIN 1: the anchor can withdraw what the gifts earned at once.
 */
describe('ids differing only in case are distinct ids', () => {
  let stack: TestStack;
  let http: HttpClient;
  const [giftId, , price] = SEED_GIFTS[1];

  beforeAll(async () => {
    stack = await startTestStack({ env: { EARNINGS_HOLD_DAYS: '0', BANK_WITHDRAW_MIN: '1' } });
    http = new HttpClient(stack.baseUrl);
  });

  afterAll(async () => {
    await stack?.close();
  });

  it('two gifts whose requestIds differ only in case: each charged once, recorded and shown; nothing parked', async () => {
    const parked = await readParked(stack.kafka, stack.topicPrefix + KafkaTopic.SEND_GIFT_PARKED);
    const viewer = await loginNewUser(http);
    await rechargeCoins(viewer.client, 60);
    const anchor = await loginNewUser(http);
    const roomId = await startLiving(anchor.client);
    const send = (requestId: string) =>
      viewer.client.post('/gift/send', { giftId, roomId, receiverId: anchor.userId, requestId });
    const ids: string[] = [];
    for (const key of ['caseKey1', 'CASEKEY1']) {
      const res = await send(key);
      expect([res.status, res.body.code, res.body.data.requestId]).toEqual([200, 200, `${viewer.userId}:${key}`]);
      ids.push(res.body.data.requestId);
    }
    const records = () =>
      stack.sql<{ request_id: string }>('SELECT request_id FROM t_gift_record WHERE user_id = ? ORDER BY id', [
        viewer.userId,
      ]);
    await waitFor(
      'both gifts decided (recorded or parked)',
      async () => (await records()).length + parked.messages.length >= 2,
      30_000,
    );
    await new Promise((r) => setTimeout(r, 500)); // a late parking would show here
    await parked.stop();
    expect(parked.messages.map((p) => p.reason)).toEqual([]);
    expect((await records()).map((r) => r.request_id)).toEqual(ids);
    const trades = await stack.sql<{ request_id: string; user_id: string; direction: number; num: string }>(
      'SELECT request_id, user_id, direction, num FROM t_qiyu_currency_trade WHERE type = 2 AND request_id IN (?) ORDER BY id',
      [ids],
    );
    const rows = trades.map((t) => [t.request_id, Number(t.user_id), Number(t.direction), Number(t.num)]);
    expect(rows).toHaveLength(4);
    expect(rows).toEqual(
      expect.arrayContaining(
        ids.flatMap((id) => [
          [id, viewer.userId, 1, -price],
          [id, anchor.userId, 2, price],
        ]),
      ),
    );
    expect(await viewer.client.balance()).toBe(60 - 2 * price);
    const pushes = stack.pushes!;
    for (const id of ids)
      expect([...pushes.room, ...pushes.direct].filter((m) => m.msgId === id).map((m) => m.bizCode)).toEqual([5556]);
  });

  it('withdraw Idempotency-Keys differing in case are two withdrawals; the same key again is the same one', async () => {
    const viewer = await loginNewUser(http);
    await rechargeCoins(viewer.client, 60);
    const anchor = await loginNewUser(http);
    const roomId = await startLiving(anchor.client);
    const gift = await viewer.client.post('/gift/send', { giftId, roomId, receiverId: anchor.userId });
    expect(gift.body.code).toBe(200);
    const earnings = async () => (await anchor.client.post('/bank/earnings')).body.data.earnings;
    await waitFor('the gift credited to the anchor', async () => (await earnings()) === price, 30_000, 250);
    const withdraw = async (key: string) => {
      const res = await anchor.client.post('/bank/withdraw', { amount: 1 }, { 'idempotency-key': key });
      expect([res.status, res.body.code]).toEqual([200, 200]);
      return res.body.data.withdrawalId;
    };
    const first = await withdraw('wdKey1');
    expect(await withdraw('WDKEY1')).not.toBe(first);
    expect(await withdraw('wdKey1')).toBe(first);
    const stored = await stack.sql<{ request_id: string }>(
      'SELECT request_id FROM t_withdrawal_order WHERE user_id = ? ORDER BY id',
      [anchor.userId],
    );
    expect(stored.map((r) => r.request_id)).toEqual(['wdKey1', 'WDKEY1']);
    expect(await earnings()).toBe(price - 2);
  });

  it('devPay with a lower-cased order id: 404, nothing credited; the order itself is paid as it is', async () => {
    const viewer = await loginNewUser(http);
    const order = await viewer.client.post('/bank/payProduct', { productId: 1, paySource: 1, payChannel: 0 });
    const orderId: string = order.body.data.orderId;
    expect(orderId.toLowerCase()).not.toBe(orderId);
    const lower = await viewer.client.post('/bank/devPay', { orderId: orderId.toLowerCase() });
    expect([lower.status, lower.body.code]).toEqual([404, 12004]);
    expect(await viewer.client.balance()).toBe(0);
    const [row] = await stack.sql<{ status: number }>('SELECT status FROM t_pay_order WHERE order_id = ?', [orderId]);
    expect(Number(row.status)).toBe(0);
    const ledger = await stack.sql('SELECT 1 FROM t_qiyu_currency_trade WHERE user_id = ?', [viewer.userId]);
    expect(ledger).toEqual([]);
    const paid = await viewer.client.post('/bank/devPay', { orderId });
    expect([paid.status, paid.body.code]).toEqual([200, 200]);
    expect(await viewer.client.balance()).toBe(60);
  });

  it('payProduct Idempotency-Keys differing in case are two orders; the same key again is the same order', async () => {
    const viewer = await loginNewUser(http);
    const pay = async (key: string): Promise<string> => {
      const res = await viewer.client.post(
        '/bank/payProduct',
        { productId: 1, paySource: 1, payChannel: 0 },
        { 'idempotency-key': key },
      );
      expect([res.status, res.body.code]).toEqual([200, 200]);
      return res.body.data.orderId;
    };
    const first = await pay('payKey1');
    const second = await pay('PAYKEY1');
    expect(second).not.toBe(first);
    expect(await pay('payKey1')).toBe(first);
    const orders = await stack.sql<{ order_id: string; request_key: string }>(
      'SELECT order_id, request_key FROM t_pay_order WHERE user_id = ? ORDER BY id',
      [viewer.userId],
    );
    expect(orders.map((o) => [o.order_id, o.request_key])).toEqual([
      [first, 'payKey1'],
      [second, 'PAYKEY1'],
    ]);
  });
});

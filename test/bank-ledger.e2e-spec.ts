import { BankClient, createRpcClient } from '@live/common';
import { KafkaTopic, MAX_PAGE_DEPTH, SendGiftType } from '@live/contracts';
import { rebuildEarningsHours, SEED_GIFTS } from '@live/database';
import { HttpClient } from './support/http-client';
import { signedAsGateway } from './support/signed-gift';
import { startTestStack, TestStack } from './support/test-stack';
import { loginNewUser, rechargeCoins, startLiving } from './support/test-users';
import { waitFor } from './support/wait-for';

/**
 * Issue 19, the ledger and `/bank/earnings`, with plain fetch through the gateway and the real settlement
 * (Kafka, gift-service, bank-service): a gift is two ledger rows under its request id (the sender's debit,
 * the anchor's credit to earnings), a replayed or redelivered gift adds none, `/bank/trades` shows each
 * side to its owner with the direction and the counterparty, and `/bank/earnings` adds the credits up.
 * EARNINGS_HOLD_DAYS is 0 here: nothing is held, everything earned can be withdrawn.
 */
describe('the double-entry ledger and /bank/earnings', () => {
  let stack: TestStack;
  let http: HttpClient;
  const [, , heartPrice] = SEED_GIFTS[1];
  const [crownId, crownName, crownPrice] = SEED_GIFTS[3];
  const [rocketId, , rocketPrice] = SEED_GIFTS[4];

  beforeAll(async () => {
    stack = await startTestStack({ env: { EARNINGS_HOLD_DAYS: '0' } });
    http = new HttpClient(stack.baseUrl);
  });

  afterAll(async () => {
    await stack?.close();
  });

  /** Every ledger row of the request id, as [user, direction, counterparty, num, status], debit first. */
  const rowsOf = async (requestId: string): Promise<number[][]> =>
    (
      await stack.sql(
        'SELECT user_id, direction, counterparty_id, num, status FROM t_qiyu_currency_trade WHERE request_id = ? ORDER BY direction',
        [requestId],
      )
    ).map((r) => [r.user_id, r.direction, r.counterparty_id, r.num, r.status].map(Number));

  it('a gift is the sender debit and the anchor credit under one request id; replays and redeliveries add no row; each side sees its own row', async () => {
    const anchor = await loginNewUser(http);
    const roomId = await startLiving(anchor.client);
    const viewer = await loginNewUser(http);
    await rechargeCoins(viewer.client, 1980);
    const send = (giftId: number, key: string) =>
      viewer.client.post('/gift/send', { giftId, roomId, receiverId: anchor.userId }, { 'idempotency-key': key });
    /** A gift after the others, same sender (same partition): once it is settled, everything before it is. */
    let fence = 0;
    const settleFence = async (): Promise<void> => {
      const before = await viewer.client.balance();
      const res = await send(SEED_GIFTS[1][0], `fence-${(fence += 1)}`);
      expect(res.body.code).toBe(200);
      await waitFor('the fence settled', async () => (await viewer.client.balance()) === before - heartPrice, 30_000);
    };

    const first = await send(crownId, 'ledger-1');
    expect(first.body.code).toBe(200);
    const requestId = first.body.data.requestId;
    await waitFor('the gift settled', async () => (await viewer.client.balance()) === 1980 - crownPrice, 30_000);
    const expected = [
      [viewer.userId, 1, anchor.userId, -crownPrice, 1],
      [anchor.userId, 2, viewer.userId, crownPrice, 1],
    ];
    expect(await rowsOf(requestId)).toEqual(expected);

    // Replayed through the gateway (same Idempotency-Key: the same request id, produced again).
    const again = await send(crownId, 'ledger-1');
    expect([again.body.code, again.body.data.requestId]).toEqual([200, requestId]);
    await settleFence();
    // Redelivered: the same signed message written to Kafka again.
    const producer = stack.kafka.kafka.producer();
    await producer.connect();
    const mq = signedAsGateway({
      userId: viewer.userId,
      giftId: crownId,
      giftName: crownName,
      price: crownPrice,
      receiverId: anchor.userId,
      roomId,
      url: '',
      requestId,
      type: SendGiftType.DEFAULT,
      sendTime: Date.now(),
    });
    await producer.send({
      topic: stack.topicPrefix + KafkaTopic.SEND_GIFT,
      messages: [{ key: String(viewer.userId), value: JSON.stringify(mq) }],
    });
    await producer.disconnect();
    await settleFence();
    expect(await rowsOf(requestId)).toEqual(expected);
    expect(await viewer.client.balance()).toBe(1980 - crownPrice - 2 * heartPrice);

    // Each owner sees its own side: the viewer its debits to the anchor, the anchor its credits from the viewer.
    const trades = async (client: HttpClient) =>
      (await client.post('/bank/trades', { page: 1, pageSize: 20 })).body.data.list.filter((t) => t.type === 2);
    const sent = await trades(viewer.client);
    expect(sent.map((t) => [t.direction, t.counterpartyId, t.num])).toEqual([
      ['debit', anchor.userId, -heartPrice],
      ['debit', anchor.userId, -heartPrice],
      ['debit', anchor.userId, -crownPrice],
    ]);
    const received = await trades(anchor.client);
    expect(received.map((t) => [t.requestId, t.direction, t.counterpartyId, t.num, t.balanceAfter])).toEqual([
      [sent[0].requestId, 'credit', viewer.userId, heartPrice, crownPrice + 2 * heartPrice],
      [sent[1].requestId, 'credit', viewer.userId, heartPrice, crownPrice + heartPrice],
      [requestId, 'credit', viewer.userId, crownPrice, crownPrice],
    ]);
  });

  it('paging reads no deeper than MAX_PAGE_DEPTH rows: a page past it is 400 naming the bound (HTTP and RPC); the deepest page answers', async () => {
    const viewer = await loginNewUser(http);
    await rechargeCoins(viewer.client, 60);
    const depth = `page x pageSize must be at most ${MAX_PAGE_DEPTH}: paging reads no deeper than that`;
    for (const [path, body] of [
      ['/bank/trades', { page: 1_000_000, pageSize: 100 }],
      ['/bank/trades', { page: MAX_PAGE_DEPTH / 100 + 1, pageSize: 100 }],
      ['/bank/trades', { page: MAX_PAGE_DEPTH + 1, pageSize: 1 }],
      ['/living/list', { type: 0, page: MAX_PAGE_DEPTH / 50 + 1, pageSize: 50 }],
    ] as const) {
      const res = await viewer.client.postUntyped(path, body);
      expect([path, body, res.status, res.body.code, res.body.msg.split('; ').includes(depth)]).toEqual([
        path,
        body,
        400,
        100001,
        true,
      ]);
    }
    const deepest = await viewer.client.post('/bank/trades', { page: MAX_PAGE_DEPTH / 100, pageSize: 100 });
    expect(deepest.body).toMatchObject({ code: 200, data: { list: [], hasNext: false } });
    expect((await viewer.client.post('/bank/trades', { page: 1, pageSize: 100 })).body.data.list).toHaveLength(1);
    // bank-service holds the bound itself, for any RPC caller.
    const bank = new BankClient(createRpcClient('ledger-e2e', { host: '127.0.0.1', port: stack.ports.bankRpc }));
    try {
      await expect(
        bank.trades({ userId: viewer.userId, page: MAX_PAGE_DEPTH / 100 + 1, pageSize: 100 }),
      ).rejects.toMatchObject({ code: 100001 });
    } finally {
      await bank.close();
    }
  });

  it('/bank/earnings: the balance, withdrawable (nothing held with EARNINGS_HOLD_DAYS 0), today, 7 days, all time', async () => {
    const anchor = await loginNewUser(http);
    const roomId = await startLiving(anchor.client);
    const viewer = await loginNewUser(http);
    await rechargeCoins(viewer.client, 1980);
    const zero = { earnings: 0, withdrawable: 0, pending: 0, today: 0, last7Days: 0, total: 0 };
    expect((await anchor.client.post('/bank/earnings')).body).toMatchObject({ code: 200, data: zero });

    const ids: string[] = [];
    for (const [giftId, key] of [
      [crownId, 'earn-1'],
      [rocketId, 'earn-2'],
      [crownId, 'earn-3'],
    ] as const) {
      const res = await viewer.client.post(
        '/gift/send',
        { giftId, roomId, receiverId: anchor.userId },
        { 'idempotency-key': key },
      );
      expect(res.body.code).toBe(200);
      ids.push(res.body.data.requestId);
    }
    const all = 2 * crownPrice + rocketPrice;
    await waitFor('three gifts settled', async () => (await viewer.client.balance()) === 1980 - all, 30_000);
    const earnings = async (client: HttpClient) => (await client.post('/bank/earnings')).body.data;
    expect(await earnings(anchor.client)).toEqual({
      earnings: all,
      withdrawable: all,
      pending: 0,
      today: all,
      last7Days: all,
      total: all,
    });
    // The sender earned nothing.
    expect(await earnings(viewer.client)).toEqual(zero);

    // The first gift 3 days old and the second 10 days old (the database's clock): out of today, then of the 7 days.
    await stack.sql(
      'UPDATE t_qiyu_currency_trade SET create_time = NOW(3) - INTERVAL 3 DAY WHERE request_id = ? AND direction = 2',
      [ids[0]],
    );
    await stack.sql(
      'UPDATE t_qiyu_currency_trade SET create_time = NOW(3) - INTERVAL 10 DAY WHERE request_id = ? AND direction = 2',
      [ids[1]],
    );
    await rebuildEarningsHours(stack.sql, [anchor.userId]); // the anchor's earnings per hour, as the settlement keeps them
    expect(await earnings(anchor.client)).toEqual({
      earnings: all,
      withdrawable: all,
      pending: 0,
      today: crownPrice,
      last7Days: 2 * crownPrice,
      total: all,
    });

    // Body-less: a field is refused.
    const bad = await anchor.client.postUntyped('/bank/earnings', { userId: viewer.userId });
    expect(bad.status).toBe(400);
  });

  it('/bank/earnings: 100 reads per user every 10 s (a page reads it twice a second at most: five pages); the 101st is 429 / -10001, another user reads on', async () => {
    const [reader, other] = [await loginNewUser(http), await loginNewUser(http)];
    const answers = [];
    for (let i = 0; i < 101; i += 1) answers.push(await reader.client.post('/bank/earnings'));
    expect(answers.slice(0, 100).every((a) => a.status === 200 && a.body.code === 200)).toBe(true);
    expect([answers[100].status, answers[100].body]).toEqual([
      429,
      { code: -10001, msg: 'too many earnings reads, wait a moment', data: null },
    ]);
    expect((await other.client.post('/bank/earnings')).body).toMatchObject({ code: 200, data: { total: 0 } });
  });
});

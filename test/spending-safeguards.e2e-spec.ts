import { balanceCacheKey, GiftFailData, ImBizCode } from '@live/contracts';
import { SEED_GIFTS } from '@live/database';
import { HttpClient } from './support/http-client';
import { ImTestClient } from './support/im-client';
import { startTestStack, TestStack } from './support/test-stack';
import { loginNewUser, rechargeCoins, startLiving, waitForImNode } from './support/test-users';
import { waitFor } from './support/wait-for';

/**
 * Issue 19, spending safeguards, with plain fetch and WebSockets against the five real apps: the daily spend
 * cap (BANK_DAILY_SPEND_CAP, 100 coins here) refused at the gateway before Kafka from the cached figure, and
 * at settlement on the locked wallet when that figure is stale, missing or raced; and the admin freeze.
 */
describe('spending safeguards: the daily spend cap and the account freeze', () => {
  const CAP = 100;
  const COINS = 1980;
  const adminPhone = `137${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`;
  const [roseId, , rosePrice] = SEED_GIFTS[0];
  const [applauseId, , applausePrice] = SEED_GIFTS[2];
  const [crownId, , crownPrice] = SEED_GIFTS[3];
  let stack: TestStack;
  let http: HttpClient;
  const sockets: ImTestClient[] = [];

  beforeAll(async () => {
    stack = await startTestStack({
      realIm: true,
      env: { BANK_DAILY_SPEND_CAP: String(CAP), GATEWAY_ADMIN_PHONES: adminPhone },
    });
    http = new HttpClient(stack.baseUrl);
    await waitForImNode(http, stack.wsUrl);
  });

  afterAll(async () => {
    for (const s of sockets) s.close();
    await stack?.close();
  });

  /** The wallet row: status, spent today and the day it counts, and whether that day is today (UTC, the database's clock). */
  const walletOf = async (userId: number) => {
    const [row] = await stack.sql<{ status: number; spent_today: string; is_today: number }>(
      'SELECT status, spent_today, spent_day = UTC_DATE() AS is_today FROM t_qiyu_currency_account WHERE user_id = ?',
      [userId],
    );
    return { status: Number(row.status), spentToday: Number(row.spent_today), isToday: Number(row.is_today) === 1 };
  };
  /** Every ledger row of the request id, as [direction, num, status]. */
  const rowsOf = async (requestId: string): Promise<number[][]> =>
    (
      await stack.sql(
        'SELECT direction, num, status FROM t_qiyu_currency_trade WHERE request_id = ? ORDER BY direction',
        [requestId],
      )
    ).map((r) => [r.direction, r.num, r.status].map(Number));
  const cacheKey = (userId: number): string => balanceCacheKey(stack.redis.prefix, userId);
  /** Rewrites the user's cached wallet (same version): the figures a lost or late refresh could leave behind. */
  const staleCache = async (userId: number, change: { frozen?: boolean; spentToday?: number }): Promise<void> => {
    const value = await stack.redis.redis.get(cacheKey(userId));
    if (!value) throw new Error(`user ${userId}: no cached wallet`);
    const parts = value.split(':');
    if (change.frozen !== undefined) parts[2] = change.frozen ? '0' : '1';
    if (change.spentToday !== undefined) parts[4] = String(change.spentToday);
    await stack.redis.redis.set(cacheKey(userId), parts.join(':'), 'EX', 600);
  };

  /** An anchor's open room and a viewer with COINS coins, connected to the room over the WebSocket. */
  async function viewerInRoom() {
    const anchor = await loginNewUser(http);
    const roomId = await startLiving(anchor.client);
    const viewer = await loginNewUser(http);
    await rechargeCoins(viewer.client, COINS);
    const { body } = await viewer.client.post('/im/getImConfig');
    const ws = (await ImTestClient.connect(body.data.wsImServerAddress, body.data.token, roomId)).startHeartbeat(5_000);
    sockets.push(ws);
    const send = (giftId: number, key: string) =>
      viewer.client.post('/gift/send', { giftId, roomId, receiverId: anchor.userId }, { 'idempotency-key': key });
    /** The outcome pushed to the viewer for this request id (5556 effect or 5557 failure), once it arrives. */
    const outcomeOf = async (requestId: string): Promise<{ bizCode: number; msg?: string }> => {
      let found: { bizCode: number; msg?: string } | undefined;
      await waitFor(
        `the outcome of ${requestId}`,
        () => {
          const msg = ws.business().find((b) => (b.data as { requestId?: string }).requestId === requestId);
          if (msg) found = { bizCode: msg.bizCode, msg: (msg.data as unknown as Partial<GiftFailData>).msg };
          return msg !== undefined;
        },
        30_000,
      );
      return found!;
    };
    return { anchor, roomId, viewer, ws, send, outcomeOf };
  }

  it("the cap at the gateway: a gift past today's cap is refused before Kafka (403, 12010) and charges nothing; what still fits goes through", async () => {
    const { viewer, ws, send, outcomeOf } = await viewerInRoom();
    const first = await send(crownId, 'cap-1');
    expect(first.body.code).toBe(200);
    expect((await outcomeOf(first.body.data.requestId)).bizCode).toBe(ImBizCode.GIFT_SUCCESS);
    expect(await viewer.client.balance()).toBe(COINS - crownPrice);

    const over = await send(crownId, 'cap-2');
    expect([over.status, over.body.code]).toEqual([403, 12010]);
    expect(over.body.msg).toBe(`daily spend cap reached: ${crownPrice} + ${crownPrice} > ${CAP} coins today (UTC)`);
    // Refused before Kafka: the key names nothing, so it serves another gift that fits.
    const fits = await send(applauseId, 'cap-2');
    expect(fits.body.code).toBe(200);
    expect((await outcomeOf(fits.body.data.requestId)).bizCode).toBe(ImBizCode.GIFT_SUCCESS);
    expect(await viewer.client.balance()).toBe(COINS - crownPrice - applausePrice);
    expect(await walletOf(viewer.userId)).toEqual({
      status: 1,
      spentToday: crownPrice + applausePrice,
      isToday: true,
    });
    expect(ws.business(ImBizCode.GIFT_FAIL)).toEqual([]);
    // /bank/balance answers the balance only (the safeguard figures are for the gateway's pre-check).
    expect((await viewer.client.post('/bank/balance')).body.data).toEqual({
      balance: COINS - crownPrice - applausePrice,
    });
  });

  it('the settlement enforces the cap when the cached figure is stale: 5557 with the reason, nothing charged; a replay gets the first answer and counts nothing twice; a lost cache entry is read again from the wallet', async () => {
    const { viewer, send, outcomeOf } = await viewerInRoom();
    const first = await send(crownId, 'stale-1');
    expect((await outcomeOf(first.body.data.requestId)).bizCode).toBe(ImBizCode.GIFT_SUCCESS);

    // The cache forgets today's spending (a refresh lost): the gateway lets the gift through, the locked row refuses it.
    await staleCache(viewer.userId, { spentToday: 0 });
    const over = await send(crownId, 'stale-2');
    expect(over.body.code).toBe(200);
    const refusedId = over.body.data.requestId;
    expect(await outcomeOf(refusedId)).toEqual({
      bizCode: ImBizCode.GIFT_FAIL,
      msg: `daily spend cap reached: ${crownPrice} + ${crownPrice} > ${CAP} coins today (UTC)`,
    });
    expect(await viewer.client.balance()).toBe(COINS - crownPrice);
    expect(await rowsOf(refusedId)).toEqual([[1, 0, 0]]);

    // The same key again: the first answer (its request id), produced again and answered from the ledger.
    await staleCache(viewer.userId, { spentToday: 0 });
    const replay = await send(crownId, 'stale-2');
    expect([replay.body.code, replay.body.data.requestId]).toEqual([200, refusedId]);
    // A gift after it from the same sender (same partition): once it is settled, the replay is too.
    const fence = await send(roseId, 'stale-fence');
    expect((await outcomeOf(fence.body.data.requestId)).bizCode).toBe(ImBizCode.GIFT_SUCCESS);
    expect(await rowsOf(refusedId)).toEqual([[1, 0, 0]]);
    expect(await rowsOf(first.body.data.requestId)).toEqual([
      [1, -crownPrice, 1],
      [2, crownPrice, 1],
    ]);
    expect(await walletOf(viewer.userId)).toEqual({ status: 1, spentToday: crownPrice + rosePrice, isToday: true });
    expect(await viewer.client.balance()).toBe(COINS - crownPrice - rosePrice);

    // The cache entry lost: the gateway asks bank-service, which reads the wallet, and refuses before Kafka.
    await stack.redis.redis.del(cacheKey(viewer.userId));
    const afterLoss = await send(crownId, 'stale-3');
    expect([afterLoss.status, afterLoss.body.code]).toEqual([403, 12010]);
  });

  it("the day rolls over: yesterday's spending (UTC, the database's clock) does not count today", async () => {
    const { viewer, send, outcomeOf } = await viewerInRoom();
    // The wallet spent its whole cap yesterday; the cache forgets it (the gateway reads the wallet again).
    await stack.sql(
      'UPDATE t_qiyu_currency_account SET spent_today = ?, spent_day = UTC_DATE() - INTERVAL 1 DAY WHERE user_id = ?',
      [CAP, viewer.userId],
    );
    await stack.redis.redis.del(cacheKey(viewer.userId));
    const sent = await send(crownId, 'rollover-1');
    expect(sent.body.code).toBe(200);
    expect((await outcomeOf(sent.body.data.requestId)).bizCode).toBe(ImBizCode.GIFT_SUCCESS);
    expect(await walletOf(viewer.userId)).toEqual({ status: 1, spentToday: crownPrice, isToday: true });
    const over = await send(crownId, 'rollover-2');
    expect([over.status, over.body.code]).toEqual([403, 12010]);
  });

  it('a settlement whose clock still says yesterday (its statement started before midnight) counts the spending another settlement counted on the new day, and keeps that day', async () => {
    const { viewer, send, outcomeOf } = await viewerInRoom();
    // Spending counted on the next UTC day (by a settlement whose statement started after midnight), with
    // room for less than a crown; the cached figures lost (the gateway lets the send through).
    const spent = CAP - crownPrice + 1;
    await stack.sql(
      'UPDATE t_qiyu_currency_account SET spent_today = ?, spent_day = UTC_DATE() + INTERVAL 1 DAY WHERE user_id = ?',
      [spent, viewer.userId],
    );
    await staleCache(viewer.userId, { spentToday: 0 });
    const sent = await send(crownId, 'midnight-1');
    expect(sent.body.code).toBe(200);
    const outcome = await outcomeOf(sent.body.data.requestId);
    expect([outcome.bizCode, outcome.msg]).toEqual([
      ImBizCode.GIFT_FAIL,
      `daily spend cap reached: ${spent} + ${crownPrice} > ${CAP} coins today (UTC)`,
    ]);
    const [row] = await stack.sql<{ spent_today: string; next_day: number }>(
      'SELECT spent_today, spent_day = UTC_DATE() + INTERVAL 1 DAY AS next_day FROM t_qiyu_currency_account WHERE user_id = ?',
      [viewer.userId],
    );
    expect([Number(row.spent_today), Number(row.next_day)]).toEqual([spent, 1]);
    expect(await viewer.client.balance()).toBe(COINS);
    // The gateway's pre-check, from bank-service's answer when nothing is cached, counts it too.
    await stack.redis.redis.del(cacheKey(viewer.userId));
    const again = await send(crownId, 'midnight-2');
    expect([again.status, again.body.code]).toEqual([403, 12010]);
  });

  it('concurrent sends that together pass the cap: exactly the ones that fit are charged, the others refused at the gateway (12010) or at settlement (5557 with the reason)', async () => {
    const { viewer, send, outcomeOf } = await viewerInRoom();
    const answers = await Promise.all([0, 1, 2].map((i) => send(crownId, `race-${i}`)));
    const accepted = answers.filter((r) => r.body.code === 200).map((r) => r.body.data.requestId);
    const refusedEarly = answers.filter((r) => r.body.code !== 200);
    for (const r of refusedEarly) expect([r.status, r.body.code]).toEqual([403, 12010]);
    const outcomes = await Promise.all(accepted.map((id) => outcomeOf(id)));
    const charged = outcomes.filter((o) => o.bizCode === ImBizCode.GIFT_SUCCESS);
    const refusedLate = outcomes.filter((o) => o.bizCode === ImBizCode.GIFT_FAIL);
    expect(charged).toHaveLength(1);
    expect(refusedEarly.length + refusedLate.length).toBe(2);
    for (const o of refusedLate)
      expect(o.msg).toBe(`daily spend cap reached: ${crownPrice} + ${crownPrice} > ${CAP} coins today (UTC)`);
    expect(await viewer.client.balance()).toBe(COINS - crownPrice);
    expect(await walletOf(viewer.userId)).toEqual({ status: 1, spentToday: crownPrice, isToday: true });
  });

  it('freeze: admins only, bad input changes nothing; a frozen wallet cannot send (gateway and settlement) nor order a recharge, a paid order still credits; unfreeze restores both', async () => {
    const { viewer, send, outcomeOf } = await viewerInRoom();
    const phoneCode = await http.post('/userLogin/sendLoginCode', { phone: adminPhone });
    const adminLogin = await http.post('/userLogin/login', { phone: adminPhone, code: phoneCode.body.data.devCode! });
    const admin = { client: http.as(adminLogin.body.data.token), userId: adminLogin.body.data.userId };
    const auditRows = async () =>
      (
        await stack.sql('SELECT status, admin_id, reason FROM t_account_status_log WHERE user_id = ? ORDER BY id', [
          viewer.userId,
        ])
      ).map((r) => [Number(r.status), Number(r.admin_id), r.reason]);

    // Not an admin: 403, nothing changed.
    const denied = await viewer.client.post('/bank/admin/freeze', { userId: viewer.userId, reason: 'self' });
    expect([denied.status, denied.body.code]).toEqual([403, 100003]);
    // Bad input: 400 with the envelope, nothing changed.
    for (const body of [
      { userId: viewer.userId },
      { userId: viewer.userId, reason: '   ' },
      { userId: viewer.userId, reason: 'x'.repeat(201) },
      { userId: 'seven', reason: 'fraud' },
      { userId: 0, reason: 'fraud' },
      { userId: viewer.userId, reason: 'fraud', status: 0 },
    ]) {
      const bad = await admin.client.postUntyped('/bank/admin/freeze', body);
      expect([bad.status, (bad.body as { code: number }).code]).toEqual([400, 100001]);
    }
    const unknown = await admin.client.post('/bank/admin/freeze', { userId: 9_000_000_000, reason: 'fraud' });
    expect([unknown.status, unknown.body.code]).toEqual([404, 100004]);
    expect((await walletOf(viewer.userId)).status).toBe(1);
    expect(await auditRows()).toEqual([]);

    // An order placed before the freeze.
    const { body: products } = await viewer.client.post('/bank/products', { type: 0 });
    const product = products.data.products[0];
    const order = await viewer.client.post('/bank/payProduct', { productId: product.id, paySource: 1, payChannel: 0 });
    expect(order.body.code).toBe(200);

    const frozen = await admin.client.post('/bank/admin/freeze', {
      userId: viewer.userId,
      reason: 'card reported stolen',
    });
    expect(frozen.body).toMatchObject({ code: 200, data: { userId: viewer.userId, status: 'frozen' } });
    expect((await walletOf(viewer.userId)).status).toBe(0);
    expect(await auditRows()).toEqual([[0, admin.userId, 'card reported stolen']]);

    // The frozen user cannot unfreeze itself; a bad unfreeze changes nothing.
    const selfUnfreeze = await viewer.client.post('/bank/admin/unfreeze', { userId: viewer.userId });
    expect([selfUnfreeze.status, selfUnfreeze.body.code]).toEqual([403, 100003]);
    const blank = await admin.client.postUntyped('/bank/admin/unfreeze', { userId: viewer.userId, reason: ' ' });
    expect([blank.status, (blank.body as { code: number }).code]).toEqual([400, 100001]);
    expect((await walletOf(viewer.userId)).status).toBe(0);

    const refused = await send(roseId, 'frozen-1');
    expect([refused.status, refused.body.code]).toEqual([403, 12009]);
    const noOrder = await viewer.client.post('/bank/payProduct', {
      productId: product.id,
      paySource: 1,
      payChannel: 0,
    });
    expect([noOrder.status, noOrder.body.code]).toEqual([403, 12009]);
    // The money of the order paid before the freeze is not lost: its callback credits.
    const paid = await viewer.client.post('/bank/devPay', { orderId: order.body.data.orderId });
    expect(paid.body).toMatchObject({ code: 200, data: { credited: true, coinNum: product.coinNum } });
    const balance = COINS + product.coinNum;
    expect(await viewer.client.balance()).toBe(balance);

    // The cached flag lost its freeze (a stale entry): the gateway lets the gift through, the settlement refuses it.
    await staleCache(viewer.userId, { frozen: false });
    const slipped = await send(roseId, 'frozen-2');
    expect(slipped.body.code).toBe(200);
    expect(await outcomeOf(slipped.body.data.requestId)).toEqual({
      bizCode: ImBizCode.GIFT_FAIL,
      msg: 'account is frozen',
    });
    expect(await viewer.client.balance()).toBe(balance);

    const active = await admin.client.post('/bank/admin/unfreeze', { userId: viewer.userId });
    expect(active.body).toMatchObject({ code: 200, data: { userId: viewer.userId, status: 'active' } });
    expect(await auditRows()).toEqual([
      [0, admin.userId, 'card reported stolen'],
      [1, admin.userId, 'unfrozen'],
    ]);
    const sent = await send(roseId, 'frozen-3');
    expect(sent.body.code).toBe(200);
    expect((await outcomeOf(sent.body.data.requestId)).bizCode).toBe(ImBizCode.GIFT_SUCCESS);
    expect(await viewer.client.balance()).toBe(balance - rosePrice);
    const again = await viewer.client.post('/bank/payProduct', { productId: product.id, paySource: 1, payChannel: 0 });
    expect(again.body.code).toBe(200);
  });
});

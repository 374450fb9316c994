import { GiftEffectData, GiftFailData, ImBizCode } from '@live/contracts';
import { GatewayRedisKeys } from '@live/redis';
import { HttpClient } from './support/http-client';
import { loginNewUser, startLiving } from './support/test-users';
import { ImTestClient } from './support/im-client';
import { startTestStack, TestStack } from './support/test-stack';
import { waitFor } from './support/wait-for';

/**
 * The whole gift path with all five apps on the real servers: HTTP in, Kafka, batch settlement,
 * records, im-router, im-core, WebSocket out.
 */
describe('live room end to end: five apps, real MariaDB, Redis, Kafka and WebSockets', () => {
  let stack: TestStack;
  let http: HttpClient;
  const sockets: ImTestClient[] = [];
  const login = (): Promise<{ client: HttpClient; userId: number }> => loginNewUser(http);

  async function recharge(client: HttpClient, productIndex = 0): Promise<number> {
    const { body } = await client.post('/bank/products', { type: 0 });
    const product = [...body.data.products].sort((a, b) => a.coinNum - b.coinNum)[productIndex];
    const order = await client.post('/bank/payProduct', {
      productId: product.id,
      paySource: 1,
      payChannel: 0,
    });
    await client.post('/bank/devPay', { orderId: order.body.data.orderId });
    return product.coinNum;
  }

  async function openIm(client: HttpClient, roomId: number): Promise<ImTestClient> {
    const { body } = await client.post('/im/getImConfig');
    expect(body.data.wsImServerAddress).toBe(stack.wsUrl);
    const socket = (await ImTestClient.connect(body.data.wsImServerAddress, body.data.token, roomId)).startHeartbeat(
      5_000,
    );
    sockets.push(socket);
    return socket;
  }

  beforeAll(async () => {
    // Bench routes on: the baselines of `npm run bench` are tested here, on the same five apps.
    stack = await startTestStack({ realIm: true, env: { GATEWAY_BENCH_ROUTES: 'true' } });
    http = new HttpClient(stack.baseUrl);
    // The node registers itself in Redis on start; the gateway hands out its address from there.
    await waitFor(
      'the im-core node in the registry',
      async () => {
        const { client } = await login();
        return (await client.post('/im/getImConfig')).body.data.wsImServerAddress === stack.wsUrl;
      },
      10_000,
    );
  });

  afterAll(async () => {
    for (const s of sockets) s.close();
    await stack?.close();
  });

  it('a viewer recharges, sends gifts, and everyone in the room sees each effect once; a refused gift tells its sender only', async () => {
    const anchor = await login();
    const room = await startLiving(anchor.client);
    const viewer = await login();
    const second = await login();
    const coins = await recharge(viewer.client);
    expect(await viewer.client.balance()).toBe(coins);
    const [anchorWs, viewerWs, secondWs] = [
      await openIm(anchor.client, room),
      await openIm(viewer.client, room),
      await openIm(second.client, room),
    ];
    const outsiderRoom = await startLiving((await login()).client);
    const outsider = await login();
    const outsiderWs = await openIm(outsider.client, outsiderRoom);

    // Room membership comes from im-core: the anchor and two viewers are connected.
    const config = await viewer.client.post('/living/anchorConfig', { roomId: room });
    expect(config.body.data.onlineCount).toBe(3);

    const panel = (await viewer.client.post('/gift/listGift')).body.data;
    const gift = panel.find((g) => g.price * 3 <= coins)!;
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await viewer.client.post(
        '/gift/send',
        { giftId: gift.giftId, roomId: room, receiverId: anchor.userId },
        { 'idempotency-key': `e2e-${i}` },
      );
      expect(res.body.code).toBe(200);
      ids.push(res.body.data.requestId);
    }
    for (const ws of [anchorWs, viewerWs, secondWs]) {
      await waitFor(
        'three effects on every socket in the room',
        () => ws.business(ImBizCode.GIFT_SUCCESS).length >= 3,
        20_000,
      );
    }
    for (const ws of [anchorWs, viewerWs, secondWs]) {
      const effects = ws.business(ImBizCode.GIFT_SUCCESS).map((b) => b.data as unknown as GiftEffectData);
      expect(effects.map((e) => e.requestId).sort()).toEqual([...ids].sort());
      expect(
        effects.every(
          (e) =>
            e.giftId === gift.giftId &&
            e.giftName === gift.giftName &&
            e.senderId === viewer.userId &&
            e.roomId === room,
        ),
      ).toBe(true);
      // Sent back to back: the second and third continue the combo.
      expect(effects.map((e) => e.combo).sort()).toEqual([1, 2, 3]);
    }
    expect(outsiderWs.business()).toEqual([]);
    expect(await viewer.client.balance()).toBe(coins - 3 * gift.price);

    // The second viewer buys the smallest pack and sends more than it covers, all at once: the cached
    // pre-check lets each through, the settlement refuses the ones past the balance -> 5557 to them only.
    const small = await recharge(second.client);
    const pricey = panel.filter((g) => g.price <= small).sort((a, b) => b.price - a.price)[0];
    const burst = await Promise.all(
      Array.from({ length: Math.floor(small / pricey.price) + 2 }, (_, i) =>
        second.client.post('/gift/send', {
          giftId: pricey.giftId,
          roomId: room,
          receiverId: anchor.userId,
          requestId: `burst-${i}`,
        }),
      ),
    );
    const accepted = burst.filter((r) => r.body.code === 200).map((r) => r.body.data.requestId);
    await waitFor(
      'an outcome for every accepted gift on the sender socket',
      () => {
        const seen = new Set(secondWs.business().map((b) => (b.data as { requestId: string }).requestId));
        return accepted.every((id) => seen.has(id));
      },
      20_000,
    );
    const failures = secondWs.business(ImBizCode.GIFT_FAIL).map((b) => b.data as unknown as GiftFailData);
    expect(failures.length).toBeGreaterThanOrEqual(1);
    expect(failures.every((f) => /balance/i.test(f.msg))).toBe(true);
    await new Promise((r) => setTimeout(r, 300));
    for (const ws of [anchorWs, viewerWs, outsiderWs]) expect(ws.business(ImBizCode.GIFT_FAIL)).toEqual([]);
    expect(await second.client.balance()).toBeGreaterThanOrEqual(0);
    expect(await second.client.balance()).toBe(small - (accepted.length - failures.length) * pricey.price);

    // The contribution board over HTTP agrees with what was charged.
    const board = (
      await second.client.post('/gift/contributionBoard', {
        roomId: room,
      })
    ).body.data.entries;
    expect(board).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ userId: viewer.userId, score: 3 * gift.price }),
        expect.objectContaining({ userId: second.userId, score: small - (await second.client.balance()) }),
      ]),
    );
  });

  it('room reads are rate-limited per user: 30 per 10 s of the lobby and of a card each, then 429, -10001', async () => {
    const reader = await login();
    const room = await startLiving((await login()).client);
    // One window for all of them, however slow the machine: the counters opened now with a minute to live,
    // holding one count each already.
    const keys = new GatewayRedisKeys(stack.redis.prefix);
    for (const route of ['LivingController.anchorConfig', 'LivingController.list'])
      await stack.redis.redis.set(keys.rateLimit(reader.userId, route), '1', 'EX', 60);
    const [cards, lobby] = await Promise.all([
      Promise.all(Array.from({ length: 35 }, () => reader.client.post('/living/anchorConfig', { roomId: room }))),
      Promise.all(
        Array.from({ length: 35 }, () => reader.client.post('/living/list', { type: 0, page: 1, pageSize: 5 })),
      ),
    ]);
    for (const answers of [cards, lobby]) {
      const codes = answers.map((a) => `${a.status} ${a.body.code}`);
      expect(codes.filter((c) => c === '200 200')).toHaveLength(29);
      expect(codes.filter((c) => c === '429 -10001')).toHaveLength(6);
    }
    // Another user's reads are their own.
    expect((await (await login()).client.post('/living/anchorConfig', { roomId: room })).body.code).toBe(200);
  });

  it('the benchmark baselines: no-op charges nothing; naive settles in the request; naive + push also shows the effect to the room', async () => {
    const anchor = await login();
    const room = await startLiving(anchor.client);
    const viewer = await login();
    const coins = await recharge(viewer.client);
    const watcher = await openIm((await login()).client, room);
    const gift = (await viewer.client.post('/gift/listGift')).body.data.find((g) => g.price * 2 <= coins)!;
    const body = (requestId: string) => ({ giftId: gift.giftId, roomId: room, receiverId: anchor.userId, requestId });

    const noop = await viewer.client.postUntyped('/bench/noop', body('noop-1'));
    expect(noop.body.code).toBe(200);
    expect(await viewer.client.balance()).toBe(coins);

    const naive = await viewer.client.postUntyped('/bench/naiveSend', body('naive-1'));
    expect(naive.body.data).toMatchObject({
      status: 'charged',
      balanceAfter: coins - gift.price,
      requestId: `${viewer.userId}:naive-1`,
    });
    const again = await viewer.client.postUntyped('/bench/naiveSend', body('naive-1'));
    expect(again.body.data).toMatchObject({ status: 'charged', replayed: true });

    const pushed = await viewer.client.postUntyped('/bench/naiveSendAndPush', body('naive-2'));
    expect(pushed.body.data).toMatchObject({ status: 'charged', requestId: `${viewer.userId}:naive-2` });
    await waitFor(
      'the naive effect on the room socket',
      () => watcher.business(ImBizCode.GIFT_SUCCESS).length >= 1,
      10_000,
    );
    const effects = watcher.business(ImBizCode.GIFT_SUCCESS);
    expect(effects).toHaveLength(1);
    expect(effects[0]).toMatchObject({
      msgId: `${viewer.userId}:naive-2`,
      data: expect.objectContaining({
        giftId: gift.giftId,
        giftName: gift.giftName,
        senderId: viewer.userId,
        roomId: room,
      }),
    });
    expect(await viewer.client.balance()).toBe(coins - 2 * gift.price);
  });
});

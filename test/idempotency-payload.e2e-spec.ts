import { KafkaTopic, SendGiftType } from '@live/contracts';
import { SEED_GIFTS, SEED_PRODUCTS } from '@live/database';
import { RefusalLog } from '@live/common';
import { GatewayRedisKeys, GiftRedisKeys } from '@live/redis';
import { HttpClient } from './support/http-client';
import { readParked } from './support/parked-reader';
import { signedAsGateway } from './support/signed-gift';
import { startTestStack, TestStack } from './support/test-stack';
import { waitFor, waitForGiftRecords } from './support/wait-for';

/**
 * Issue 15, point 4: an Idempotency-Key is bound to what it was first used for. With plain fetch: the
 * same key for a 1-coin gift in room A, then for the dearest gift in room B, is refused (409, 10007) while
 * the gateway remembers it; once it forgets (its Redis key deleted, or a message written straight to
 * Kafka), the reused id is still never settled, recorded, put on a board or pushed as charged.
 */
describe('Idempotency-Key bound to its parameters', () => {
  let stack: TestStack;
  let http: HttpClient;
  let phone = 13_500_000_000 + Math.floor(Math.random() * 90_000_000);
  const [roseId, , rosePrice] = SEED_GIFTS[0];
  const [castleId, castleName, castlePrice] = SEED_GIFTS[SEED_GIFTS.length - 1];
  const [productId, , , productCoins] = SEED_PRODUCTS[3];

  beforeAll(async () => {
    stack = await startTestStack();
    http = new HttpClient(stack.baseUrl);
  });

  afterAll(async () => {
    await stack?.close();
  });

  async function login(): Promise<{ client: HttpClient; userId: number }> {
    const p = String((phone += 1));
    const code = await http.post('/userLogin/sendLoginCode', { phone: p });
    const res = await http.post('/userLogin/login', {
      phone: p,
      code: code.body.data.devCode!,
    });
    expect(res.body.code).toBe(200);
    return { client: http.as(res.body.data.token), userId: res.body.data.userId };
  }

  async function openRoom(): Promise<{ roomId: number; anchorId: number }> {
    const anchor = await login();
    const res = await anchor.client.post('/living/startingLiving', { type: 0 });
    return { roomId: res.body.data.roomId, anchorId: anchor.userId };
  }

  const board = async (client: HttpClient, roomId: number) =>
    (await client.post('/gift/contributionBoard', { roomId })).body.data.entries;

  it('the same key for another gift in another room: 409 while remembered, never charged or shown once forgotten', async () => {
    const viewer = await login();
    const order = await viewer.client.post('/bank/payProduct', {
      productId,
      paySource: 1,
      payChannel: 0,
    });
    expect((await viewer.client.post('/bank/devPay', { orderId: order.body.data.orderId })).body.code).toBe(200);
    const roomA = await openRoom();
    const roomB = await openRoom();
    const key = 'tap-reused-1';
    const send = (giftId: number, room: { roomId: number; anchorId: number }) =>
      viewer.client.post(
        '/gift/send',
        { giftId, roomId: room.roomId, receiverId: room.anchorId },
        { 'idempotency-key': key },
      );
    const pushes = stack.pushes!;

    const first = await send(roseId, roomA);
    expect([first.status, first.body.code]).toEqual([200, 200]);
    const requestId = first.body.data.requestId;
    expect(requestId).toBe(`${viewer.userId}:${key}`);
    await waitFor('the 1-coin gift shown in room A', () => pushes.pushedIds().has(requestId));
    const gwKeys = new GatewayRedisKeys(stack.redis.prefix);
    const ttl = await stack.redis.redis.ttl(gwKeys.idempotencyKey(viewer.userId, key));
    // Remembered for the window (GATEWAY_IDEMPOTENCY_WINDOW_SECONDS, 600 s), not per gift for a day.
    expect(ttl).toBeGreaterThan(600 - 60);
    expect(ttl).toBeLessThanOrEqual(600);

    // While the gateway remembers the key: refused, with its own code.
    const reused = await send(castleId, roomB);
    expect([reused.status, reused.body]).toEqual([
      409,
      { code: 10007, msg: 'idempotency key reused with different parameters', data: null },
    ]);
    // The same key with the same parameters keeps getting the first answer.
    const retry = await send(roseId, roomA);
    expect([retry.status, retry.body.code, retry.body.data.requestId]).toEqual([200, 200, requestId]);

    const parkedTopic = stack.topicPrefix + KafkaTopic.SEND_GIFT_PARKED;
    const parked = await readParked(stack.kafka, parkedTopic);
    // Each reuse is a line of bank-service and of gift-service, in budgets (RefusalLog: 20 per 10 s, then a count):
    // a client can have 100 a second parked, with keys of its own gifts older than the gateway's window.
    const refusals = jest.spyOn(RefusalLog.prototype, 'refused');
    // 1. The gateway forgot the key (its Redis entry gone): it accepts, and the ledger refuses the reuse.
    await stack.redis.redis.del(gwKeys.idempotencyKey(viewer.userId, key));
    const forgotten = await send(castleId, roomB);
    expect([forgotten.status, forgotten.body.data.requestId]).toEqual([200, requestId]);
    // 2. Straight to Kafka, signed as the gateway signs (the development key).
    const mq = signedAsGateway({
      userId: viewer.userId,
      giftId: castleId,
      giftName: castleName,
      price: castlePrice,
      receiverId: roomB.anchorId,
      roomId: roomB.roomId,
      url: '',
      requestId,
      type: SendGiftType.DEFAULT,
      sendTime: Date.now(),
    });
    const producer = stack.kafka.kafka.producer();
    await producer.connect();
    await producer.send({
      topic: stack.topicPrefix + KafkaTopic.SEND_GIFT,
      messages: [{ key: String(viewer.userId), value: JSON.stringify(mq) }],
    });
    await waitFor('both reuses parked', () => parked.messages.length >= 2);
    // 3. A ledger row without a fingerprint (written before there were any): the outcome record, keyed by
    //    the request id alone, still knows the id was used in room A for something else.
    await stack.sql('UPDATE t_qiyu_currency_trade SET fingerprint = NULL WHERE request_id = ?', [requestId]);
    await producer.send({
      topic: stack.topicPrefix + KafkaTopic.SEND_GIFT,
      messages: [{ key: String(viewer.userId), value: JSON.stringify(mq) }],
    });
    await waitFor('the third reuse parked', () => parked.messages.length >= 3);
    await producer.disconnect();
    await parked.stop();
    const lines = refusals.mock.calls.map(([line]) => String(line));
    refusals.mockRestore();
    expect(
      lines.filter((l) => l.includes(`parked: not charged: request id ${requestId} `)).length,
    ).toBeGreaterThanOrEqual(3);
    expect(
      lines.filter((l) => l.startsWith(`request id ${requestId}: `) && l.includes('settled before for something else'))
        .length,
    ).toBeGreaterThanOrEqual(2);

    expect(parked.messages.map((p) => p.reason)).toEqual(
      Array.from(
        { length: 3 },
        () =>
          `not charged: request id ${requestId} was already used with different parameters (idempotency key reused)`,
      ),
    );
    // Charged once, for the rose in room A; nothing for the castle, in room B or anywhere.
    expect(await viewer.client.balance()).toBe(productCoins - rosePrice);
    const trades = await stack.sql<{ request_id: string; num: string }>(
      'SELECT request_id, num FROM t_qiyu_currency_trade WHERE user_id = ? AND type = 2',
      [viewer.userId],
    );
    expect(trades.map((t) => [t.request_id, Number(t.num)])).toEqual([[requestId, -rosePrice]]);
    const [earnedB] = await stack.sql<{ earnings: string }>(
      'SELECT earnings FROM t_qiyu_currency_account WHERE user_id = ?',
      [roomB.anchorId],
    );
    expect(Number(earnedB?.earnings ?? 0)).toBe(0);
    await waitForGiftRecords(stack.db.dataSource, [requestId]);
    const records = await stack.sql<{ room_id: string; gift_id: number }>(
      'SELECT room_id, gift_id FROM t_gift_record WHERE request_id = ?',
      [requestId],
    );
    expect(records.map((r) => [Number(r.room_id), Number(r.gift_id)])).toEqual([[roomA.roomId, roseId]]);
    expect(await board(viewer.client, roomB.roomId)).toEqual([]);
    expect(await board(viewer.client, roomA.roomId)).toEqual([
      expect.objectContaining({ userId: viewer.userId, score: rosePrice }),
    ]);
    expect(pushes.room.filter((m) => m.roomId === roomB.roomId)).toEqual([]);
    expect([...pushes.room, ...pushes.direct].filter((m) => m.msgId === requestId).map((m) => m.bizCode)).toEqual([
      5556,
    ]);
    const giftKeys = new GiftRedisKeys(stack.redis.prefix);
    expect(await stack.redis.redis.exists(giftKeys.roomGiftApplied(roomB.roomId, requestId))).toBe(0);
  });

  it('a retry of an accepted key gets the first answer even after the first charge emptied the wallet', async () => {
    const viewer = await login();
    const [smallId, , , smallCoins] = SEED_PRODUCTS[0];
    const order = await viewer.client.post('/bank/payProduct', {
      productId: smallId,
      paySource: 1,
      payChannel: 0,
    });
    expect((await viewer.client.post('/bank/devPay', { orderId: order.body.data.orderId })).body.code).toBe(200);
    const [giftId, , price] = SEED_GIFTS.filter(([, , p]) => p <= smallCoins).pop()!;
    expect(smallCoins - price).toBeLessThan(price);
    const room = await openRoom();
    const send = () =>
      viewer.client.post(
        '/gift/send',
        { giftId, roomId: room.roomId, receiverId: room.anchorId },
        { 'idempotency-key': 'once' },
      );
    const first = await send();
    expect(first.body.code).toBe(200);
    await waitFor('the gift shown', () => stack.pushes!.pushedIds().has(first.body.data.requestId));
    expect(await viewer.client.balance()).toBe(smallCoins - price);
    const retry = await send();
    expect([retry.status, retry.body.code, retry.body.data.requestId]).toEqual([200, 200, first.body.data.requestId]);
    // A new key for the same gift is a new request: the pre-check refuses it.
    const fresh = await viewer.client.post(
      '/gift/send',
      { giftId, roomId: room.roomId, receiverId: room.anchorId },
      { 'idempotency-key': 'twice' },
    );
    expect([fresh.status, fresh.body.code]).toEqual([402, 12001]);
  });

  it('copies of an accepted send get its answer; one is produced again (its first produce may have failed), the rest are not: no free Kafka messages', async () => {
    const viewer = await login();
    const order = await viewer.client.post('/bank/payProduct', { productId, paySource: 1, payChannel: 0 });
    expect((await viewer.client.post('/bank/devPay', { orderId: order.body.data.orderId })).body.code).toBe(200);
    const room = await openRoom();
    const topic = await readParked(stack.kafka, stack.topicPrefix + KafkaTopic.SEND_GIFT); // any topic's JSON
    try {
      const send = () =>
        viewer.client.post(
          '/gift/send',
          { giftId: roseId, roomId: room.roomId, receiverId: room.anchorId },
          { 'idempotency-key': 'copies' },
        );
      const first = await send();
      const requestId = first.body.data.requestId;
      await waitForGiftRecords(stack.db.dataSource, [requestId]);
      const copies = [];
      for (let i = 0; i < 20; i += 1) copies.push(await send());
      expect(copies.map((c) => [c.status, c.body.data.requestId])).toEqual(Array(20).fill([200, requestId]));
      // A gift after them on the same partition (same sender): once it is read, so is every copy produced.
      const marker = await viewer.client.post('/gift/send', {
        giftId: roseId,
        roomId: room.roomId,
        receiverId: room.anchorId,
      });
      const markerId = marker.body.data.requestId;
      await waitFor('the gift after the copies read', () =>
        topic.messages.some((m) => (m as unknown as { requestId: string }).requestId === markerId),
      );
      const produced = topic.messages.filter((m) => (m as unknown as { requestId: string }).requestId === requestId);
      expect(produced).toHaveLength(2); // the first, and one copy
      await waitForGiftRecords(stack.db.dataSource, [markerId]);
      expect(await viewer.client.balance()).toBe(productCoins - 2 * rosePrice); // charged once, and the marker
    } finally {
      await topic.stop();
    }
  });

  it('the same key sent several times at once gets one verdict: all refused, or all the one charged send', async () => {
    const burst = (client: HttpClient, room: { roomId: number; anchorId: number }, key: string) =>
      Promise.all(
        Array.from({ length: 6 }, () =>
          client.post(
            '/gift/send',
            { giftId: castleId, roomId: room.roomId, receiverId: room.anchorId },
            { 'idempotency-key': key },
          ),
        ),
      );
    const room = await openRoom();
    // A wallet that cannot pay: every copy is refused by the pre-check (none is taken for a retry of the first).
    const poor = await login();
    const refused = await burst(poor.client, room, 'double-tap');
    expect(refused.map((r) => [r.status, r.body.code])).toEqual(Array(6).fill([402, 12001]));
    const gwKeys = new GatewayRedisKeys(stack.redis.prefix);
    expect(await stack.redis.redis.exists(gwKeys.idempotencyKey(poor.userId, 'double-tap'))).toBe(0);
    // A wallet that can pay once: every copy is the one send, charged once.
    const rich = await login();
    const order = await rich.client.post('/bank/payProduct', { productId, paySource: 1, payChannel: 0 });
    expect((await rich.client.post('/bank/devPay', { orderId: order.body.data.orderId })).body.code).toBe(200);
    expect(productCoins).toBeGreaterThanOrEqual(castlePrice);
    const accepted = await burst(rich.client, room, 'double-tap');
    const requestId = `${rich.userId}:double-tap`;
    expect(accepted.map((r) => [r.status, r.body.code, r.body.data?.requestId])).toEqual(
      Array(6).fill([200, 200, requestId]),
    );
    await waitForGiftRecords(stack.db.dataSource, [requestId]);
    const trades = await stack.sql<{ n: string }>(
      'SELECT COUNT(*) AS n FROM t_qiyu_currency_trade WHERE request_id = ? AND direction = 1',
      [requestId],
    );
    expect(Number(trades[0].n)).toBe(1);
    expect(await rich.client.balance()).toBe(productCoins - castlePrice);
  });

  it('a key refused before Kafka (balance pre-check) names nothing: it may be used again for another gift', async () => {
    const poor = await login();
    const room = await openRoom();
    const send = async (giftId: number) => {
      const res = await poor.client.post(
        '/gift/send',
        { giftId, roomId: room.roomId, receiverId: room.anchorId },
        { 'idempotency-key': 'poor-1' },
      );
      return [res.status, res.body.code];
    };
    expect(await send(castleId)).toEqual([402, 12001]);
    // Not 409: the refused first use did not bind the key.
    expect(await send(roseId)).toEqual([402, 12001]);
    expect(
      await stack.redis.redis.exists(new GatewayRedisKeys(stack.redis.prefix).idempotencyKey(poor.userId, 'poor-1')),
    ).toBe(0);
  });
});

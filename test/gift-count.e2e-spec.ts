import { GiftEffectData, ImBizCode, KafkaTopic, SendGiftType } from '@live/contracts';
import { SEED_GIFTS } from '@live/database';
import { Producer } from 'kafkajs';
import { HttpClient } from './support/http-client';
import { ImTestClient } from './support/im-client';
import { readParked } from './support/parked-reader';
import { signedAsGateway } from './support/signed-gift';
import { startTestStack, TestStack } from './support/test-stack';
import { loginNewUser, rechargeCoins, startLiving, waitForImNode } from './support/test-users';
import { waitFor, waitForGiftRecords } from './support/wait-for';

/**
 * Issue 20, the gift count: POST /gift/send `count` (1..999, default 1) is ONE trade of price x count (the
 * sender's debit and the anchor's credit), ONE effect (a 5556 carrying `count`), board += price x count, one
 * gift record showing the count. Plain fetch and WebSockets against the five apps on real MariaDB, Redis and
 * Kafka.
 */
describe('gift count: one send of N gifts', () => {
  let stack: TestStack;
  let http: HttpClient;
  let producer: Producer;
  const sockets: ImTestClient[] = [];
  const [heartId, , heartPrice] = SEED_GIFTS[1];
  const [crownId, crownName, crownPrice] = SEED_GIFTS[3];

  beforeAll(async () => {
    // A combo window far longer than a test's sends (the combo assertions do not depend on timing).
    stack = await startTestStack({ realIm: true, env: { GIFT_COMBO_WINDOW_MS: '60000' } });
    http = new HttpClient(stack.baseUrl);
    producer = stack.kafka.kafka.producer();
    await producer.connect();
    await waitForImNode(http, stack.wsUrl);
  });

  afterAll(async () => {
    for (const s of sockets) s.close();
    await producer?.disconnect();
    await stack?.close();
  });

  async function openIm(client: HttpClient, roomId: number): Promise<ImTestClient> {
    const { body } = await client.post('/im/getImConfig');
    const socket = await ImTestClient.connect(body.data.wsImServerAddress, body.data.token, roomId);
    sockets.push(socket.startHeartbeat(5_000));
    return socket;
  }

  const effectsOf = (ws: ImTestClient, requestId: string): GiftEffectData[] =>
    ws
      .business(ImBizCode.GIFT_SUCCESS)
      .map((b) => b.data as unknown as GiftEffectData)
      .filter((e) => e.requestId === requestId);
  const giftTrades = async (client: HttpClient) =>
    (await client.post('/bank/trades', { page: 1, pageSize: 50 })).body.data.list
      .filter((t) => t.type === 2)
      .map((t) => [t.requestId, t.direction, t.counterpartyId, t.num]);
  const board = async (client: HttpClient, roomId: number) =>
    (await client.post('/gift/contributionBoard', { roomId })).body.data.entries.map((e) => [e.userId, e.score]);

  /** An anchor's room, a viewer holding `coins` with a socket in it, and the anchor's socket. */
  async function room(coins: number) {
    const anchor = await loginNewUser(http);
    const roomId = await startLiving(anchor.client);
    const viewer = await loginNewUser(http);
    await rechargeCoins(viewer.client, coins);
    const [anchorWs, viewerWs] = [await openIm(anchor.client, roomId), await openIm(viewer.client, roomId)];
    return { anchor, roomId, viewer, anchorWs, viewerWs };
  }

  it('count 10: ONE trade of price x 10 each side, ONE 5556 with count 10, board += price x 10, history shows the count; the same key and count again is the first answer, another count 409', async () => {
    const { anchor, roomId, viewer, anchorWs, viewerWs } = await room(980);
    const send = (count: number, key: string) =>
      viewer.client.post(
        '/gift/send',
        { giftId: crownId, roomId, receiverId: anchor.userId, count },
        {
          'idempotency-key': key,
        },
      );
    const ten = await send(10, 'ten');
    expect([ten.status, ten.body.code]).toEqual([200, 200]);
    const { requestId } = ten.body.data;

    for (const ws of [anchorWs, viewerWs])
      await waitFor('the effect', () => effectsOf(ws, requestId).length > 0, 20_000);
    // Retried with the same key and count: the first answer (produced again, charged at most once); with
    // another count: refused before anything is produced.
    const again = await send(10, 'ten');
    expect([again.status, again.body.data]).toEqual([200, { requestId }]);
    const other = await send(11, 'ten');
    expect([other.status, other.body.code, other.body.msg]).toEqual([
      409,
      10007,
      'idempotency key reused with different parameters',
    ]);
    // A single gift after them, from the same sender (same partition, in order): once its effect is here,
    // the retry above has been consumed.
    const after = await viewer.client.post(
      '/gift/send',
      { giftId: crownId, roomId, receiverId: anchor.userId },
      { 'idempotency-key': 'after' },
    );
    await waitFor('the single gift after', () => effectsOf(viewerWs, after.body.data.requestId).length > 0, 20_000);
    // The history below reads the gift records, written after the effect is pushed.
    await waitForGiftRecords(stack.db.dataSource, [requestId, after.body.data.requestId]);

    for (const ws of [anchorWs, viewerWs]) {
      expect(effectsOf(ws, requestId)).toEqual([
        {
          requestId,
          giftId: crownId,
          giftName: crownName,
          svgaUrl: expect.any(String),
          senderId: viewer.userId,
          receiverId: anchor.userId,
          roomId,
          combo: 1,
          count: 10,
        },
      ]);
      // A combo counts sends: the single Crown right after is the second of the streak, one gift.
      expect(effectsOf(ws, after.body.data.requestId).map((e) => [e.combo, e.count])).toEqual([[2, 1]]);
    }
    expect(await viewer.client.balance()).toBe(980 - 10 * crownPrice - crownPrice);
    expect(await giftTrades(viewer.client)).toEqual([
      [after.body.data.requestId, 'debit', anchor.userId, -crownPrice],
      [requestId, 'debit', anchor.userId, -10 * crownPrice],
    ]);
    expect(await giftTrades(anchor.client)).toEqual([
      [after.body.data.requestId, 'credit', viewer.userId, crownPrice],
      [requestId, 'credit', viewer.userId, 10 * crownPrice],
    ]);
    expect(await board(viewer.client, roomId)).toEqual([[viewer.userId, 11 * crownPrice]]);
    const history = (await viewer.client.post('/gift/history/sent', {})).body.data.list;
    expect(history.map((h) => [h.requestId, h.price, h.count, h.combo])).toEqual([
      [after.body.data.requestId, crownPrice, 1, 2],
      [requestId, crownPrice, 10, 1],
    ]);
    const received = (await anchor.client.post('/gift/history/room', { roomId })).body.data.list;
    expect(received.map((h) => [h.requestId, h.count])).toEqual([
      [after.body.data.requestId, 1],
      [requestId, 10],
    ]);
  });

  it('count 0, 1000, 1.5, "3", true, -1, {}: 400 100001 naming count; nothing charged, the key left free; a form body may give the digits', async () => {
    const { anchor, roomId, viewer, viewerWs } = await room(300);
    const base = `"giftId":${heartId},"roomId":${roomId},"receiverId":${anchor.userId}`;
    const bad: [string, string][] = [
      ['0', 'count must not be less than 1'],
      ['1000', 'count must not be greater than 999'],
      ['1.5', 'count must be an integer number'],
      ['"3"', 'count must be an integer number'],
      ['true', 'count must be an integer number'],
      ['-1', 'count must not be less than 1'],
      ['{}', 'count must be an integer number'],
    ];
    for (const [count, msg] of bad) {
      const answer = await viewer.client.request('POST', '/gift/send', `{${base},"count":${count}}`, {
        'content-type': 'application/json',
        'idempotency-key': 'bad-count',
      });
      expect([count, answer.status, answer.body.code, answer.body.msg, answer.body.data]).toEqual([
        count,
        400,
        100001,
        expect.stringContaining(msg),
        null,
      ]);
    }
    // Nothing was produced or bound: the key is free for a good send (a form's digits are the integer 3).
    const good = await viewer.client.request(
      'POST',
      '/gift/send',
      `giftId=${heartId}&roomId=${roomId}&receiverId=${anchor.userId}&count=3`,
      { 'content-type': 'application/x-www-form-urlencoded', 'idempotency-key': 'bad-count' },
    );
    expect([good.status, good.body.code]).toEqual([200, 200]);
    const { requestId } = good.body.data as { requestId: string };
    await waitFor('the effect of the good send', () => effectsOf(viewerWs, requestId).length > 0, 20_000);
    expect(effectsOf(viewerWs, requestId).map((e) => e.count)).toEqual([3]);
    expect(viewerWs.business(ImBizCode.GIFT_SUCCESS)).toHaveLength(1);
    expect(await giftTrades(viewer.client)).toEqual([[requestId, 'debit', anchor.userId, -3 * heartPrice]]);
    expect(await viewer.client.balance()).toBe(300 - 3 * heartPrice);
  });

  it('the pre-check compares the wallet with price x count: 402 12001 naming the amount, never produced; a count that fits is charged', async () => {
    const { anchor, roomId, viewer, viewerWs } = await room(60);
    const send = (count: number) =>
      viewer.client.post('/gift/send', { giftId: heartId, roomId, receiverId: anchor.userId, count });
    const tooMany = await send(13);
    expect([tooMany.status, tooMany.body.code, tooMany.body.msg]).toEqual([
      402,
      12001,
      `balance 60 is less than 13 x ${heartPrice} = ${13 * heartPrice}`,
    ]);
    const fits = await send(12);
    expect(fits.body.code).toBe(200);
    await waitFor('its effect', () => effectsOf(viewerWs, fits.body.data.requestId).length > 0, 20_000);
    // The refused send never reached the ledger (no debit, not even a refused one): only the one that fit.
    expect(await giftTrades(viewer.client)).toEqual([
      [fits.body.data.requestId, 'debit', anchor.userId, -12 * heartPrice],
    ]);
    expect(await viewer.client.balance()).toBe(0);
    expect(viewerWs.business(ImBizCode.GIFT_FAIL)).toEqual([]);
  });

  it('a message with count 10 delivered twice is charged once; its request id again with count 11 (signed) is parked, never charged', async () => {
    const { anchor, roomId, viewer, anchorWs } = await room(980);
    const requestId = `${viewer.userId}:redelivered-ten`;
    const order = (count: number) =>
      signedAsGateway({
        userId: viewer.userId,
        giftId: crownId,
        giftName: crownName,
        price: crownPrice,
        count,
        receiverId: anchor.userId,
        roomId,
        url: 'https://cdn.example/crown.svga',
        requestId,
        type: SendGiftType.DEFAULT,
        sendTime: Date.now(),
      });
    const parked = await readParked(stack.kafka, stack.topicPrefix + KafkaTopic.SEND_GIFT_PARKED);
    const ten = order(10);
    // Two deliveries of one message, then the id reused for 11 (a producer that lost the key), in order on one partition.
    for (const mq of [ten, ten, order(11)]) {
      await producer.send({
        topic: stack.topicPrefix + KafkaTopic.SEND_GIFT,
        messages: [{ key: String(viewer.userId), value: JSON.stringify(mq) }],
      });
    }
    await waitFor('the reuse parked', () => parked.messages.some((p) => p.rawValue?.includes(requestId)), 30_000);
    await parked.stop();
    await waitFor('the effect', () => effectsOf(anchorWs, requestId).length > 0, 20_000);

    expect(parked.messages.filter((p) => p.rawValue?.includes(requestId)).map((p) => p.reason)).toEqual([
      `not charged: request id ${requestId} was already used with different parameters (idempotency key reused)`,
    ]);
    expect(effectsOf(anchorWs, requestId).map((e) => e.count)).toEqual([10]);
    expect(await giftTrades(viewer.client)).toEqual([[requestId, 'debit', anchor.userId, -10 * crownPrice]]);
    expect(await giftTrades(anchor.client)).toEqual([[requestId, 'credit', viewer.userId, 10 * crownPrice]]);
    expect(await viewer.client.balance()).toBe(980 - 10 * crownPrice);
    expect(await board(anchor.client, roomId)).toEqual([[viewer.userId, 10 * crownPrice]]);
    await waitForGiftRecords(stack.db.dataSource, [requestId]);
    const records: { count: number; price: string }[] = await stack.db.dataSource.query(
      'SELECT count, price FROM t_gift_record WHERE request_id = ?',
      [requestId],
    );
    expect(records.map((r) => [Number(r.price), Number(r.count)])).toEqual([[crownPrice, 10]]);
  });
});

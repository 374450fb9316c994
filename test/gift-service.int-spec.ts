import { BankClient, BizException, createRpcClient, GiftClient, startApp } from '@live/common';
import {
  GiftEffectData,
  GiftFailData,
  GiftRpc,
  ImBizCode,
  KafkaConsumerGroup,
  KafkaTopic,
  SendGiftMq,
  sendGiftKey,
  SendGiftType,
  UpdateGiftConfigRequest,
  GetGiftConfigResponse,
} from '@live/contracts';
import { SEED_GIFTS } from '@live/database';
import {
  createTestDatabase,
  createTestKafka,
  createTestRedis,
  TestDatabase,
  TestRedis,
  uniqueName,
} from '@live/testing';
import { INestApplication, INestMicroservice } from '@nestjs/common';
import { Producer } from 'kafkajs';
import { DataSource } from 'typeorm';
import { CurrencyAccountService } from '../apps/bank-service/src/account/currency-account.service';
import { TradeType } from '../apps/bank-service/src/account/entities/currency-trade.entity';
import { BankServiceModule } from '../apps/bank-service/src/bank-service.module';
import { GiftServiceModule } from '../apps/gift-service/src/gift-service.module';
import { SendGiftConsumer } from '../apps/gift-service/src/send-gift/send-gift.consumer';
import { GiftCacheInvalidationConsumer } from '../apps/gift-service/src/gift-config/gift-cache-invalidation.consumer';
import { PushLog, startRecordingImRouter } from './support/recording-im-router';
import { readParked } from './support/parked-reader';
import { catalogueAsGateway, signedAsGateway } from './support/signed-gift';
import { portBlock } from './support/test-stack';
import { waitFor, waitForGiftRecords } from './support/wait-for';

describe('gift-service with real Kafka, MariaDB, Redis and bank-service', () => {
  const kafka = createTestKafka({ clientId: 'gift-it' });
  const topicPrefix = `${uniqueName('gift_it')}.`;
  const sendGiftTopic = `${topicPrefix}${KafkaTopic.SEND_GIFT}`;
  const parkedTopic = `${topicPrefix}${KafkaTopic.SEND_GIFT_PARKED}`;
  const groupId = `${topicPrefix}${KafkaConsumerGroup.GIFT_SEND_GIFT}`;
  // This worker's share of the range, away from the clusters' fixed ports (as every stack's).
  const [bankRpc, bankHttp, giftRpc, giftHttp, router, gift2Rpc, gift2Http] = portBlock(7);
  const ports = { bankRpc, bankHttp, giftRpc, giftHttp, router, gift2Rpc, gift2Http };
  let db: TestDatabase;
  let redisHelper: TestRedis;
  let bankApp: INestApplication;
  let giftApp: INestApplication;
  let routerApp: INestMicroservice;
  let pushes: PushLog;
  let bank: BankClient;
  let gift: GiftClient;
  let producer: Producer;
  let ds: DataSource;
  let nextId = 5_000;
  const newId = (): number => (nextId += 1);

  /** Starts a gift-service instance; `env`: settings of this instance only (restored after its start). */
  async function startGiftService(
    instance: string,
    rpcPort: number,
    httpPort: number,
    env: Record<string, string> = {},
  ): Promise<INestApplication> {
    const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
    Object.assign(process.env, { GIFT_INSTANCE_ID: instance, ...env });
    const app = await startApp({
      app: 'gift-service',
      module: GiftServiceModule,
      http: { host: '127.0.0.1', port: httpPort },
      rpc: { host: '127.0.0.1', port: rpcPort },
    }).finally(() => {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    });
    await app.get(SendGiftConsumer).waitForAssignment();
    await app.get(GiftCacheInvalidationConsumer).waitForAssignment();
    return app;
  }

  async function fund(userId: number, coins: number): Promise<void> {
    await bank.createAccount(userId);
    // A credit straight through bank-service's own service: manual credits are not on the RPC surface.
    if (coins > 0)
      await bankApp
        .get(CurrencyAccountService)
        .adjust({ userId, num: coins, requestId: uniqueName('fund'), type: TradeType.MANUAL_CREDIT });
  }

  function giftMq(
    userId: number,
    giftId: number,
    roomId: number,
    receiverId: number,
    sendTime = Date.now(),
  ): SendGiftMq {
    return signedAsGateway({
      userId,
      giftId,
      giftName: SEED_GIFTS[giftId - 1][1],
      price: SEED_GIFTS[giftId - 1][2],
      receiverId,
      roomId,
      url: `https://cdn.example/${giftId}.svga`,
      requestId: uniqueName('gift'),
      type: SendGiftType.DEFAULT,
      sendTime,
    });
  }

  /** A living room with its anchor (gift-service checks every gift's receiver against it). */
  async function openRoom(): Promise<{ roomId: number; anchorId: number }> {
    const room = { roomId: newId(), anchorId: newId() };
    await ds.query(`INSERT INTO t_living_room (id, anchor_id, room_name, status) VALUES (?, ?, 'it', 1)`, [
      room.roomId,
      room.anchorId,
    ]);
    return room;
  }

  async function produce(messages: SendGiftMq[]): Promise<void> {
    await producer.send({
      topic: sendGiftTopic,
      messages: messages.map((m) => ({ key: sendGiftKey(m), value: JSON.stringify(m) })),
    });
  }

  async function settledCount(requestIds: string[]): Promise<number> {
    const [{ n }] = await ds.query(
      `SELECT COUNT(*) AS n FROM t_qiyu_currency_trade WHERE direction = 1 AND request_id IN (?)`,
      [requestIds],
    );
    return Number(n);
  }

  const pushedIds = (): Set<string> => pushes.pushedIds();

  beforeAll(async () => {
    db = await createTestDatabase();
    redisHelper = await createTestRedis();
    ds = db.dataSource;
    Object.assign(process.env, {
      DB_NAME: db.name,
      REDIS_KEY_PREFIX: redisHelper.prefix,
      KAFKA_TOPIC_PREFIX: topicPrefix,
      LOG_LEVEL: 'warn',
      BANK_RPC_PORT: String(ports.bankRpc),
      IM_ROUTER_RPC_PORT: String(ports.router),
      GIFT_CONSUMER_BATCH_SIZE: '200',
      GIFT_COMBO_WINDOW_MS: '3000',
    });
    kafka.track({
      topics: [KafkaTopic.SEND_GIFT, KafkaTopic.REMOVE_GIFT_CACHE, KafkaTopic.SEND_GIFT_PARKED].map(
        (t) => topicPrefix + t,
      ),
      groups: [groupId],
    });
    routerApp = await startRecordingImRouter(ports.router);
    pushes = routerApp.get(PushLog);
    bankApp = await startApp({
      app: 'bank-service',
      module: BankServiceModule,
      http: { host: '127.0.0.1', port: ports.bankHttp },
      rpc: { host: '127.0.0.1', port: ports.bankRpc },
    });
    giftApp = await startGiftService('gift-it-1', ports.giftRpc, ports.giftHttp);
    bank = new BankClient(createRpcClient('gift-it', { host: '127.0.0.1', port: ports.bankRpc }));
    gift = new GiftClient(createRpcClient('gift-it', { host: '127.0.0.1', port: ports.giftRpc }));
    producer = kafka.kafka.producer();
    await producer.connect();
  });

  afterAll(async () => {
    await producer?.disconnect();
    bank?.close();
    gift?.close();
    await giftApp?.close();
    await bankApp?.close();
    await routerApp?.close();
    await kafka.cleanup();
    await redisHelper?.cleanup();
    await db?.drop();
  });

  it('1,000 gifts from 50 users (some short of money) give exactly the right charges, records, board and pushes', async () => {
    const rooms = await Promise.all(Array.from({ length: 5 }, () => openRoom()));
    const users = Array.from({ length: 50 }, () => newId());
    const balances = new Map<number, number | undefined>();
    // A fifth without a wallet, the others with 0..1,400 coins: many run out part way.
    await Promise.all(
      users.map(async (u, i) => {
        if (i % 5 === 0) return balances.set(u, undefined);
        const coins = (i * 97) % 1_400;
        await fund(u, coins);
        balances.set(u, coins);
      }),
    );
    let seed = 7;
    const rand = (n: number): number => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31), seed % n);
    const gifts = Array.from({ length: 1_000 }, () => {
      const room = rooms[rand(rooms.length)];
      return giftMq(users[rand(users.length)], 1 + rand(4), room.roomId, room.anchorId);
    });
    // The model: each sender's gifts in send order; charged while the balance covers the price.
    const expected = new Map<string, 'charged' | 'rejected'>();
    const board = new Map<string, number>();
    for (const g of gifts) {
      const balance = balances.get(g.userId);
      if (balance !== undefined && balance >= g.price) {
        balances.set(g.userId, balance - g.price);
        expected.set(g.requestId, 'charged');
        board.set(`${g.roomId}:${g.userId}`, (board.get(`${g.roomId}:${g.userId}`) ?? 0) + g.price);
      } else {
        expected.set(g.requestId, 'rejected');
      }
    }
    const charged = gifts.filter((g) => expected.get(g.requestId) === 'charged');
    const rejected = gifts.filter((g) => expected.get(g.requestId) === 'rejected');
    expect(charged.length).toBeGreaterThan(100);
    expect(rejected.length).toBeGreaterThan(100);

    await produce(gifts);
    const ids = gifts.map((g) => g.requestId);
    await waitFor(
      'every gift settled and pushed',
      async () => (await settledCount(ids)) === ids.length && ids.every((id) => pushedIds().has(id)),
    );

    const trades: { request_id: string; status: number; num: string }[] = await ds.query(
      'SELECT request_id, status, num FROM t_qiyu_currency_trade WHERE direction = 1 AND request_id IN (?)',
      [ids],
    );
    for (const t of trades) {
      expect([t.request_id, t.status === 1 ? 'charged' : 'rejected']).toEqual([
        t.request_id,
        expected.get(t.request_id),
      ]);
    }
    for (const u of users) {
      const [row] = await ds.query('SELECT current_balance FROM t_qiyu_currency_account WHERE user_id = ?', [u]);
      expect([u, row ? Number(row.current_balance) : undefined]).toEqual([u, balances.get(u)]);
    }
    await waitForGiftRecords(
      ds,
      charged.map((g) => g.requestId),
    );
    const records: { request_id: string; price: string; room_id: string }[] = await ds.query(
      'SELECT request_id, price, room_id FROM t_gift_record WHERE request_id IN (?)',
      [ids],
    );
    expect(records.map((r) => r.request_id).sort()).toEqual(charged.map((g) => g.requestId).sort());

    // Pushes: one 5556 per charged gift to its room, one 5557 per refused gift to its sender, nothing else.
    const effects = pushes.room.filter((m) => expected.has(m.msgId ?? ''));
    expect(effects.map((m) => m.msgId).sort()).toEqual(charged.map((g) => g.requestId).sort());
    for (const m of effects) {
      const g = charged.find((c) => c.requestId === m.msgId)!;
      const data = m.data as unknown as GiftEffectData;
      expect(m.bizCode).toBe(ImBizCode.GIFT_SUCCESS);
      expect([m.roomId, data.senderId, data.receiverId, data.giftId, data.svgaUrl]).toEqual([
        g.roomId,
        g.userId,
        g.receiverId,
        g.giftId,
        g.url,
      ]);
      expect(data.giftName).toBe(g.giftName);
      expect(data.combo).toBeGreaterThanOrEqual(1);
    }
    const failures = pushes.direct.filter((m) => expected.has(m.msgId ?? ''));
    expect(failures.map((m) => m.msgId).sort()).toEqual(rejected.map((g) => g.requestId).sort());
    for (const m of failures) {
      const g = rejected.find((r) => r.requestId === m.msgId)!;
      expect([m.userId, m.bizCode]).toEqual([g.userId, ImBizCode.GIFT_FAIL]);
      expect((m.data as unknown as GiftFailData).msg).toMatch(/balance|wallet|account/i);
    }

    // The contribution board of every room, over RPC.
    for (const { roomId } of rooms) {
      const { entries } = await gift.board({ roomId, limit: 100 });
      const want = [...board.entries()]
        .filter(([k]) => k.startsWith(`${roomId}:`))
        .map(([k, score]) => ({ userId: Number(k.split(':')[1]), score }))
        .sort((a, b) => b.score - a.score);
      expect(entries.map((e) => e.score)).toEqual(want.map((w) => w.score));
      expect(new Set(entries.map((e) => e.userId))).toEqual(new Set(want.map((w) => w.userId)));
      expect(entries.map((e) => e.rank)).toEqual(want.map((_, i) => i + 1));
    }

    // The gift records (t_gift_record): one row per charged gift, with the room and sender it names.
    const room0 = rooms[0].roomId;
    const inRoom: { request_id: string; room_id: number }[] = await ds.query(
      'SELECT request_id, room_id FROM t_gift_record WHERE room_id = ?',
      [room0],
    );
    expect(inRoom.map((r) => r.request_id).sort()).toEqual(
      charged
        .filter((g) => g.roomId === room0)
        .map((g) => g.requestId)
        .sort(),
    );
    const sender = charged[0].userId;
    const mine: { request_id: string }[] = await ds.query('SELECT request_id FROM t_gift_record WHERE user_id = ?', [
      sender,
    ]);
    expect(mine.map((r) => r.request_id).sort()).toEqual(
      charged
        .filter((g) => g.userId === sender)
        .map((g) => g.requestId)
        .sort(),
    );

    // Replay the whole topic from offset 0: no balance moves, no record is written, nothing is pushed again.
    const balancesBefore = await ds.query(
      'SELECT user_id, current_balance, earnings FROM t_qiyu_currency_account ORDER BY user_id',
    );
    const [{ n: recordsBefore }] = await ds.query('SELECT COUNT(*) AS n FROM t_gift_record');
    const [{ n: tradesBefore }] = await ds.query('SELECT COUNT(*) AS n FROM t_qiyu_currency_trade');
    const pushesBefore = pushes.room.length + pushes.direct.length;
    await giftApp.close();
    const admin = kafka.kafka.admin();
    await admin.connect();
    await admin.resetOffsets({ groupId, topic: sendGiftTopic, earliest: true });
    giftApp = await startGiftService('gift-it-1', ports.giftRpc, ports.giftHttp);
    // A closed Nest TCP server keeps its open connections: talk to the new instance on a new one.
    await gift.close();
    gift = new GiftClient(createRpcClient('gift-it', { host: '127.0.0.1', port: ports.giftRpc }));
    const ends = await admin.fetchTopicOffsets(sendGiftTopic);
    await waitFor('the replay to reach the end of the topic', async () => {
      const [committed] = await admin.fetchOffsets({ groupId, topics: [sendGiftTopic] });
      const at = (partition: number): number =>
        Math.max(0, Number(committed.partitions.find((p) => p.partition === partition)?.offset ?? -1));
      return ends.every((e) => at(e.partition) === Number(e.high));
    });
    await admin.disconnect();
    expect(
      await ds.query('SELECT user_id, current_balance, earnings FROM t_qiyu_currency_account ORDER BY user_id'),
    ).toEqual(balancesBefore);
    expect((await ds.query('SELECT COUNT(*) AS n FROM t_gift_record'))[0].n).toEqual(recordsBefore);
    expect((await ds.query('SELECT COUNT(*) AS n FROM t_qiyu_currency_trade'))[0].n).toEqual(tradesBefore);
    expect(pushes.room.length + pushes.direct.length).toBe(pushesBefore);
  });

  it('a poison message is parked and does not stop the others', async () => {
    const room = await openRoom();
    const sender = newId();
    await fund(sender, 100);
    const good = [giftMq(sender, 2, room.roomId, room.anchorId), giftMq(sender, 3, room.roomId, room.anchorId)];
    const invalid = { ...giftMq(sender, 1, room.roomId, room.anchorId), price: -5 };
    await producer.send({
      topic: sendGiftTopic,
      messages: [
        { key: String(sender), value: JSON.stringify(good[0]) },
        { key: String(sender), value: '{ this is not json' },
        { key: String(sender), value: JSON.stringify(invalid) },
        { key: String(sender), value: JSON.stringify(good[1]) },
      ],
    });
    await waitFor('the good gifts settled', async () => (await settledCount(good.map((g) => g.requestId))) === 2);
    const [row] = await ds.query('SELECT current_balance FROM t_qiyu_currency_account WHERE user_id = ?', [sender]);
    expect(Number(row.current_balance)).toBe(100 - 5 - 10);
    expect(await settledCount([invalid.requestId])).toBe(0);

    const reader = await readParked(kafka, parkedTopic);
    const parked = reader.messages;
    await waitFor('two parked messages', () => parked.length >= 2, 20_000);
    await reader.stop();
    expect(parked.map((p) => p.rawValue)).toEqual(['{ this is not json', JSON.stringify(invalid)]);
    expect(
      parked.every((p) => p.originTopic === sendGiftTopic && /^\d+$/.test(p.originOffset) && p.reason.length > 0),
    ).toBe(true);
  });

  it('a push that fails redelivers the batch: still charged once, recorded once, pushed once', async () => {
    const room = await openRoom();
    const sender = newId();
    await fund(sender, 30);
    const gifts = [
      giftMq(sender, 3, room.roomId, room.anchorId),
      giftMq(sender, 3, room.roomId, room.anchorId),
      giftMq(sender, 3, room.roomId, room.anchorId),
      giftMq(sender, 3, room.roomId, room.anchorId),
    ];
    pushes.failNext = 2;
    await produce(gifts);
    const ids = gifts.map((g) => g.requestId);
    await waitFor('every gift pushed after the router came back', () => ids.every((id) => pushedIds().has(id)));
    expect(pushes.failed).toBeGreaterThanOrEqual(2);
    expect(await settledCount(ids)).toBe(4);
    const [row] = await ds.query('SELECT current_balance FROM t_qiyu_currency_account WHERE user_id = ?', [sender]);
    expect(Number(row.current_balance)).toBe(0);
    await waitForGiftRecords(ds, ids, 3);
    const [{ n }] = await ds.query('SELECT COUNT(*) AS n FROM t_gift_record WHERE request_id IN (?)', [ids]);
    expect(Number(n)).toBe(3);
    const count = (id: string): number =>
      pushes.room.filter((m) => m.msgId === id).length + pushes.direct.filter((m) => m.msgId === id).length;
    expect(ids.map(count)).toEqual([1, 1, 1, 1]);
  });

  it('the same gift from the same sender in a short window carries a growing combo; another gift or a pause resets it', async () => {
    const room = await openRoom();
    const sender = newId();
    await fund(sender, 1_000);
    const t = Date.now();
    const gifts = [
      giftMq(sender, 2, room.roomId, room.anchorId, t),
      giftMq(sender, 2, room.roomId, room.anchorId, t + 500),
      giftMq(sender, 2, room.roomId, room.anchorId, t + 1_000),
      giftMq(sender, 3, room.roomId, room.anchorId, t + 1_200),
      giftMq(sender, 2, room.roomId, room.anchorId, t + 1_400),
      giftMq(sender, 2, room.roomId, room.anchorId, t + 9_000),
    ];
    await produce(gifts);
    await waitFor('all effects pushed', () => gifts.every((g) => pushedIds().has(g.requestId)));
    const combo = (id: string): number =>
      (pushes.room.find((m) => m.msgId === id)!.data as unknown as GiftEffectData).combo;
    expect(gifts.map((g) => combo(g.requestId))).toEqual([1, 2, 3, 1, 1, 1]);
    await waitForGiftRecords(
      ds,
      gifts.map((g) => g.requestId),
    );
    const rows: { request_id: string; combo: number }[] = await ds.query(
      'SELECT request_id, combo FROM t_gift_record WHERE user_id = ?',
      [sender],
    );
    expect(gifts.map((g) => rows.find((r) => r.request_id === g.requestId)?.combo)).toEqual([1, 2, 3, 1, 1, 1]);
  });

  describe('catalogue', () => {
    it('panel: valid gifts in a stable order; unknown and disabled gifts are null; bad input is 100001', async () => {
      const { gifts } = await gift.panel();
      // The seed gifts are on sale, by sort order (their ids), with their names and prices.
      expect(gifts.slice(0, 7).map((g) => [g.giftId, g.giftName, g.price])).toEqual(
        SEED_GIFTS.map(([id, name, price]) => [id, name, price]),
      );
      const again = await gift.panel();
      expect(again.gifts).toEqual(gifts);
      await expect(gift.config(999_999)).resolves.toEqual({ gift: null });
      await expect(gift.config(-1)).rejects.toMatchObject({ code: 100001 });
      await expect(
        gift.insert(catalogueAsGateway(GiftRpc.INSERT, { giftName: 'x', price: 0, coverImgUrl: '', svgaUrl: '' })),
      ).rejects.toMatchObject({
        code: 100001,
      });
      await expect(
        gift.update(catalogueAsGateway(GiftRpc.UPDATE, { giftId: 999_999, price: 3 })),
      ).rejects.toMatchObject({ code: 11001 });
      await expect(gift.update(catalogueAsGateway(GiftRpc.UPDATE, { giftId: 1 }))).rejects.toMatchObject({
        code: 100001,
      });
      await expect(
        gift.update(catalogueAsGateway(GiftRpc.UPDATE, { giftId: 1, coverImgUrl: 'x'.repeat(300) })),
      ).rejects.toBeInstanceOf(BizException);
      // What every viewer is shown: a picture of this site or https, a name by the rule of shown texts.
      for (const bad of [
        { coverImgUrl: 'javascript:alert(1)' },
        { svgaUrl: 'data:text/html,<script>alert(1)</script>' },
        { coverImgUrl: '//evil.example/t.png' },
        { giftName: 'evil\u202Etxt.exe' },
        { giftName: '   ' },
      ])
        await expect(gift.update(catalogueAsGateway(GiftRpc.UPDATE, { giftId: 1, ...bad }))).rejects.toMatchObject({
          code: 100001,
        });
    });

    it('a write is visible on a second instance through its invalidation (insert, update, disable)', async () => {
      // The second instance would keep a gift in memory for an hour: only the invalidation can show it a change.
      const second = await startGiftService('gift-it-2', ports.gift2Rpc, ports.gift2Http, {
        GIFT_CONFIG_LOCAL_TTL_MS: '3600000',
      });
      const gift2 = new GiftClient(createRpcClient('gift-it', { host: '127.0.0.1', port: ports.gift2Rpc }));
      try {
        const { gift: created } = await gift.insert(
          catalogueAsGateway(GiftRpc.INSERT, {
            giftName: 'Comet',
            price: 77,
            coverImgUrl: '/img/comet.png',
            svgaUrl: '/svga/comet.svga',
            sortOrder: 50,
          }),
        );
        // Warm every layer of the second instance (memory, Redis) with the current version.
        await expect(gift2.config(created.giftId)).resolves.toMatchObject({ gift: { price: 77 } });
        const panel = await gift2.panel();
        expect(panel.gifts.map((g) => g.giftId)).toContain(created.giftId);

        // Speed is the benchmarks' business: the deadline only keeps a lost invalidation from hanging the test.
        const becomesVisible = async (
          change: Omit<UpdateGiftConfigRequest, 'giftId' | 'authority'>,
          seen: (r: GetGiftConfigResponse) => boolean,
        ): Promise<void> => {
          await gift.update(catalogueAsGateway(GiftRpc.UPDATE, { giftId: created.giftId, ...change }));
          await waitFor(
            'the change on the second instance',
            async () => seen(await gift2.config(created.giftId)),
            60_000,
          );
        };
        await becomesVisible({ price: 88 }, (r) => r.gift?.price === 88);
        await becomesVisible({ status: 0 }, (r) => r.gift === null);
        const after = await gift2.panel();
        expect(after.gifts.map((g) => g.giftId)).not.toContain(created.giftId);
        const admin = await gift2.panel(true);
        expect(admin.gifts.map((g) => g.giftId)).toContain(created.giftId);
      } finally {
        await gift2.close();
        await second.close();
      }
    });
  });
});

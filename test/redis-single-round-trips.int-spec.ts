import { BankRedisKeys, deleteMany, getMany, GiftRedisKeys, ImRedisKeys, scanKeys } from '@live/redis';
import { BalanceCacheService } from '../apps/bank-service/src/account/balance-cache.service';
import { AccountStatus } from '../apps/bank-service/src/account/entities/currency-account.entity';
import { BankServiceEnv } from '../apps/bank-service/src/config/bank-service.env';
import { createTestRedis, TestRedis } from '@live/testing';
import { GiftOutcomeService } from '../apps/gift-service/src/board/gift-outcome.service';
import { ImPresenceService } from '../apps/im-core/src/connection/im-presence.service';
import { ImCoreEnv } from '../apps/im-core/src/config/im-core.env';
import { ChatMuteReader, ImTokenReader, UserNickReader } from '@live/contracts';
import { ImRouterClient } from '@live/common';
import { ChatEnv } from '../apps/im-core/src/chat/chat.env';
import { ChatService } from '../apps/im-core/src/chat/chat.service';
import { ChatStore } from '../apps/im-core/src/chat/chat.store';
import { LiveRooms } from '../apps/im-core/src/chat/live-rooms';
import { ImConnection } from '../apps/im-core/src/connection/im-connection';
import { ImPushService } from '../apps/im-core/src/push/im-push.service';

/**
 * On one Redis server the Cluster-safe call sites (one command per key, sent at once) cost what the
 * manual pipelines did: auto-pipelining writes the commands of one tick in one write, one round trip.
 */
/** `count` charged gifts of sender 7, 1 ms apart, spread over `rooms` rooms from `firstRoom`. */
function chargedGifts(count: number, idPrefix: string, firstRoom: number, rooms: number) {
  return Array.from({ length: count }, (_, i) => ({
    requestId: `${idPrefix}-${i}`,
    roomId: firstRoom + (i % rooms),
    senderId: 7,
    giftId: 1,
    price: 10,
    sendTime: 1_000 + i,
    charged: true,
    fingerprint: `fp-${i}`,
  }));
}

describe('Cluster-safe multi-key work on one Redis server', () => {
  let helper: TestRedis;
  let writes: number;

  beforeAll(async () => {
    helper = await createTestRedis();
    const stream = helper.redis.stream;
    const write = stream.write.bind(stream) as (...args: unknown[]) => boolean;
    (stream as unknown as { write: (...args: unknown[]) => boolean }).write = (...args: unknown[]) => {
      writes += 1;
      return write(...args);
    };
  });

  afterAll(async () => {
    await helper?.cleanup();
  });

  beforeEach(() => {
    writes = 0;
  });

  it('GiftOutcomeService.apply of 200 gifts in 50 rooms: two writes (claims, then room applies); markPushed: one', async () => {
    const outcomes = new GiftOutcomeService(helper.redis, new GiftRedisKeys(helper.prefix));
    const gifts = chargedGifts(200, 'r', 1, 50);
    // Scripts are sent by digest (EVALSHA): a Redis that never saw them answers NOSCRIPT once and ioredis
    // sends the source (one more write). Loaded first, as they are after an app's first batch.
    await outcomes.apply([{ ...gifts[0], requestId: 'warm-up', roomId: 999, senderId: 8 }], 1);
    await outcomes.markPushed(['warm-up']);
    writes = 0;
    const applied = await outcomes.apply(gifts, 1);
    expect(applied.every((o) => o.combo === 1 && !o.conflict)).toBe(true);
    // 400 script calls in two steps leave in a write per step, 2; on a loaded machine a step's commands
    // sometimes straddle two ticks of the auto-pipeline (seen once in CI: 3). One write per call would be 400.
    expect(writes).toBeGreaterThanOrEqual(2);
    expect(writes).toBeLessThanOrEqual(4);
    writes = 0;
    await outcomes.markPushed(gifts.map((g) => g.requestId));
    expect(writes).toBeGreaterThanOrEqual(1);
    expect(writes).toBeLessThanOrEqual(2); // one write; two if the commands straddle a tick
  });

  it('GiftOutcomeService.apply: the charged gifts of one room in ONE script call, in order (combos chain); a redelivery changes nothing', async () => {
    const keys = new GiftRedisKeys(helper.prefix);
    const outcomes = new GiftOutcomeService(helper.redis, keys);
    const gifts = chargedGifts(30, 'chain', 500, 3).map((g, i) => ({ ...g, charged: i !== 29 }));
    // Both scripts loaded first (a Redis that never saw one answers NOSCRIPT, and ioredis sends it again as EVAL).
    await outcomes.apply([{ ...gifts[0], requestId: 'chain-warm-up', roomId: 999, senderId: 8 }], 1);
    const sent: string[] = [];
    const redis = helper.redis as unknown as { sendCommand: (c: { name: string }) => unknown };
    const send = redis.sendCommand.bind(redis);
    redis.sendCommand = (command) => (sent.push(command.name), send(command));
    try {
      const first = await outcomes.apply(gifts, 10_000);
      // Room by room, the same sender's same gift within the window: 1, 2, 3... (the refused one: 0).
      expect(first.map((o) => o.combo)).toEqual(gifts.map((g, i) => (g.charged ? Math.floor(i / 3) + 1 : 0)));
      // One claim call for the 30 request ids (one server: no slots to respect; a Cluster sends one per
      // request id), then 3 room calls (not 29).
      expect(sent.filter((name) => name === 'evalsha' || name === 'eval')).toHaveLength(1 + 3);
    } finally {
      redis.sendCommand = send;
    }
    const board = async (roomId: number) => outcomes.board(roomId, 10);
    expect(await board(500)).toEqual([{ rank: 1, userId: 7, score: 100 }]);
    expect(await board(502)).toEqual([{ rank: 1, userId: 7, score: 90 }]);
    const again = await outcomes.apply(gifts, 10_000);
    expect(again.map((o) => o.combo)).toEqual(gifts.map((g, i) => (g.charged ? Math.floor(i / 3) + 1 : 0)));
    expect(await board(500)).toEqual([{ rank: 1, userId: 7, score: 100 }]);
    expect(await board(502)).toEqual([{ rank: 1, userId: 7, score: 90 }]);
  });

  it('BalanceCacheService.refreshMany of 300 users: one script call per 256 users; a newer version is never replaced, no-account markers go', async () => {
    const keys = new BankRedisKeys(helper.prefix);
    const cache = new BalanceCacheService(helper.redis, keys, { BANK_DAILY_SPEND_CAP: 500 } as BankServiceEnv);
    // Every wallet at version 5 with its user id as balance (the first two: version 1, to load the script).
    const wallet = { version: 5, status: AccountStatus.ACTIVE, spentDay: null, spentToday: 0 };
    const entry = (userId: number, balance: number, version: number) => ({ ...wallet, userId, balance, version });
    const users = Array.from({ length: 300 }, (_, i) => 4_000 + i);
    await cache.refreshMany([entry(1, 1, 1), entry(2, 1, 1)]); // loads the script (a first EVALSHA is NOSCRIPT)
    await helper.redis.set(keys.balance(users[0]), '9:999:1:-:0:500'); // newer than what comes next
    await helper.redis.set(keys.noAccountMarker(users[1]), '1');
    const sent: string[] = [];
    const redis = helper.redis as unknown as { sendCommand: (c: { name: string }) => unknown };
    const send = redis.sendCommand.bind(redis);
    redis.sendCommand = (command) => (sent.push(command.name), send(command));
    try {
      await cache.refreshMany(users.map((u) => entry(u, u, 5)));
    } finally {
      redis.sendCommand = send;
    }
    expect(sent.filter((name) => name === 'evalsha' || name === 'eval')).toHaveLength(Math.ceil(300 / 256));
    expect(await cache.get(users[0])).toMatchObject({ balance: 999 });
    expect(await cache.get(users[1])).toMatchObject({ balance: users[1] });
    expect(await helper.redis.exists(keys.noAccountMarker(users[1]))).toBe(0);
    expect(await cache.get(users[299])).toMatchObject({ balance: users[299], dailySpendCap: 500 });
    cache.onApplicationShutdown();
  });

  it('ImPresenceService.refresh of 300 users and 100 rooms: one write', async () => {
    const env = { IM_CORE_NODE_ID: 'n1', IM_HEARTBEAT_TIMEOUT_MS: 30_000 } as ImCoreEnv;
    const keys = new ImRedisKeys(helper.prefix);
    const presence = new ImPresenceService(helper.redis, keys, new ImTokenReader(helper.redis, helper.prefix), env);
    const users = Array.from({ length: 300 }, (_, i) => i + 1);
    const rooms = Array.from({ length: 100 }, (_, i) => i + 1);
    await presence.refresh(users, rooms, { nodeId: 'n1', wsUrl: 'ws://x', rpcHost: 'h', rpcPort: 1, heartbeatAt: 0 });
    expect(writes).toBeGreaterThanOrEqual(1);
    expect(writes).toBeLessThanOrEqual(2); // one write; two if the commands straddle a tick
    expect(await helper.redis.zscore(keys.userNode(300), 'n1')).not.toBeNull();
    // The key itself expires with its binding (a dead node's users and rooms do not stay forever).
    expect(await helper.redis.pttl(keys.roomNodes(100))).toBeGreaterThan(0);
    expect(await helper.redis.pttl(keys.roomNodes(100))).toBeLessThanOrEqual(presence.bindingTtlMs);
  });

  it('ChatService.say: the mute, the rate and the nickname in one write; the history append in one more', async () => {
    const env = new ChatEnv();
    const keys = new ImRedisKeys(helper.prefix);
    const pushed: unknown[] = [];
    const router = { sendToRoom: (m: unknown) => (pushed.push(m), Promise.resolve({ pushed: 1, offline: [] })) };
    const chat = new ChatService(
      new ChatStore(helper.redis, keys, env),
      new ChatMuteReader(helper.redis, helper.prefix),
      new UserNickReader(helper.redis, helper.prefix),
      router as unknown as ImRouterClient,
      {} as ImPushService,
      env,
      // Room 5 is live (the database's part is chat.e2e-spec's; here only Redis is counted).
      { isLive: (roomId: number) => Promise.resolve(roomId === 5) } as unknown as LiveRooms,
    );
    const conn = (userId: number) => ({ userId, roomId: 5 }) as ImConnection;
    // Scripts loaded first (a Redis that never saw one answers NOSCRIPT once, and ioredis sends its source).
    expect(await chat.say(conn(1), { roomId: 5, text: 'warm-up' })).toBeNull();
    writes = 0;
    expect(await chat.say(conn(2), { roomId: 5, text: 'hello' })).toBeNull();
    expect(writes).toBeGreaterThanOrEqual(2);
    expect(writes).toBeLessThanOrEqual(3); // two writes; three if the first step's commands straddle a tick
    expect(pushed).toHaveLength(2);
    expect(await helper.redis.llen(keys.chatHistory(5))).toBe(2);
    // A socket past the rate (its window made a minute long here) is refused for the rest of the window
    // without Redis: one round trip for the first refusal, none for the next.
    await helper.redis.set(keys.chatRate(3), '5', 'PX', 60_000);
    const flooder = conn(3);
    writes = 0;
    expect((await chat.say(flooder, { roomId: 5, text: 'spam 1' }))?.error.code).toBe(13006);
    expect(writes).toBeGreaterThanOrEqual(1);
    expect(writes).toBeLessThanOrEqual(2); // one write; two if the commands straddle a tick
    writes = 0;
    expect((await chat.say(flooder, { roomId: 5, text: 'spam 2' }))?.error.code).toBe(13006);
    expect(writes).toBe(0);
    expect(await helper.redis.get(keys.chatRate(3))).toBe('6');
    expect(pushed).toHaveLength(2);
  });

  it('getMany / deleteMany / scanKeys over 2500 keys: values in order, in MGETs of at most 1000 keys', async () => {
    const keys = Array.from({ length: 2_500 }, (_, i) => `${helper.prefix}:many:{k:${i}}`);
    await Promise.all(keys.filter((_, i) => i % 2 === 0).map((k) => helper.redis.set(k, k)));
    writes = 0;
    const values = await getMany(helper.redis, keys);
    expect(writes).toBeGreaterThanOrEqual(1);
    expect(writes).toBeLessThanOrEqual(2); // one write; two if the commands straddle a tick
    expect(values).toEqual(keys.map((k, i) => (i % 2 === 0 ? k : null)));
    expect((await scanKeys(helper.redis, `${helper.prefix}:many:*`)).length).toBe(1_250);
    expect(await deleteMany(helper.redis, keys)).toBe(1_250);
    expect(await scanKeys(helper.redis, `${helper.prefix}:many:*`)).toEqual([]);
  });
});

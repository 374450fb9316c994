import { KafkaTopic, SendGiftMq } from '@live/contracts';
import { SEED_GIFTS } from '@live/database';
import { GiftRedisKeys } from '@live/redis';
import { Producer } from 'kafkajs';
import { GiftOutcomeService } from '../apps/gift-service/src/board/gift-outcome.service';
import { GiftServiceEnv } from '../apps/gift-service/src/config/gift-service.env';
import { OUTCOME_WINDOW_SECONDS, waitForGiftKeysCut } from './support/gift-done';
import { signedGift } from './support/signed-gift';
import { startTestStack, TestStack } from './support/test-stack';
import { waitFor } from './support/wait-for';

/**
 * Issue 23: per-gift state in Redis lives only for the redelivery window (GIFT_OUTCOME_WINDOW_MS) once a
 * gift is done; past it, t_gift_record is the authority. A batch redelivered after its keys expired is
 * applied, pushed and recorded nothing twice; a delivery that failed half way keeps its keys until done.
 */
describe('per-gift Redis state only for the redelivery window; the database past it', () => {
  let stack: TestStack;
  let producer: Producer;
  let keys: GiftRedisKeys;
  let seq = 80_000 + Math.floor(Math.random() * 10_000) * 10;
  const newId = (): number => (seq += 1);
  const windowSeconds = OUTCOME_WINDOW_SECONDS;
  const [roseId, , rosePrice] = SEED_GIFTS[0];
  const [heartId] = SEED_GIFTS[1];

  beforeAll(async () => {
    stack = await startTestStack();
    producer = stack.kafka.kafka.producer();
    await producer.connect();
    keys = new GiftRedisKeys(stack.redis.prefix);
  });

  afterAll(async () => {
    await producer?.disconnect();
    await stack?.close();
  });

  const topic = (): string => stack.topicPrefix + KafkaTopic.SEND_GIFT;
  /** `key`: every message on that one key's partition, in order (else each on its sender's). */
  const send = (messages: SendGiftMq[], key?: string) =>
    producer.send({
      topic: topic(),
      messages: messages.map((m) => ({ key: key ?? String(m.userId), value: JSON.stringify(m) })),
    });

  async function account(userId: number, balance: number): Promise<void> {
    await stack.sql(
      'INSERT INTO t_qiyu_currency_account (user_id, current_balance, total_recharged) VALUES (?, ?, ?)',
      [userId, balance, balance],
    );
  }
  async function wallets(userIds: number[]): Promise<Record<number, string>> {
    const rows = await stack.sql<{ user_id: string; current_balance: string; earnings: string }>(
      `SELECT user_id, current_balance, earnings FROM t_qiyu_currency_account WHERE user_id IN (${userIds.map(() => '?').join(',')})`,
      userIds,
    );
    return Object.fromEntries(rows.map((r) => [Number(r.user_id), `${r.current_balance}/${r.earnings}`]));
  }
  const boards = (rooms: number[]) =>
    Promise.all(rooms.map((r) => stack.redis.redis.zrange(keys.roomContributionBoard(r), 0, -1, 'WITHSCORES')));
  const recordCount = async (ids: string[]): Promise<number> =>
    Number(
      (
        await stack.sql<{ n: string }>(
          `SELECT COUNT(*) AS n FROM t_gift_record WHERE request_id IN (${ids.map(() => '?').join(',')})`,
          ids,
        )
      )[0].n,
    );

  const gift = signedGift;

  /** A done gift's keys live for the window only, and are alive until it ends. */
  const expectCutToWindow = async (perGiftKeys: string[]): Promise<void> => {
    for (const ttl of await waitForGiftKeysCut(stack.redis.redis, perGiftKeys))
      expect(ttl).toBeLessThanOrEqual(windowSeconds);
  };

  /** 3 rooms; 6 funded senders, 3 roses each (combos), and 2 senders too poor for a heart (refused: 5557). */
  async function scene() {
    const rooms: number[] = [];
    const anchors: number[] = [];
    for (let r = 0; r < 3; r++) {
      const anchor = newId();
      const room = newId();
      await stack.sql(`INSERT INTO t_living_room (id, anchor_id, room_name, status) VALUES (?, ?, 'window', 1)`, [
        room,
        anchor,
      ]);
      rooms.push(room);
      anchors.push(anchor);
    }
    const senders: number[] = [];
    const batch: SendGiftMq[] = [];
    for (let s = 0; s < 8; s++) {
      const sender = newId();
      const poor = s >= 6;
      await account(sender, poor ? 0 : 100);
      senders.push(sender);
      const r = s % 3;
      for (let k = 0; k < (poor ? 1 : 3); k++)
        batch.push(gift(sender, anchors[r], rooms[r], `w${s}-${k}`, poor ? SEED_GIFTS[1] : SEED_GIFTS[0]));
    }
    return { rooms, anchors, senders, batch };
  }

  it('a batch redelivered after its outcome keys expired: nothing applied, pushed or recorded twice; the keys of done gifts live for the window only', async () => {
    const { rooms, anchors, senders, batch } = await scene();
    const ids = batch.map((m) => m.requestId);
    const charged = batch.filter((m) => m.giftId === roseId).map((m) => m.requestId);
    const refused = batch.filter((m) => m.giftId === heartId).map((m) => m.requestId);
    const pushes = stack.pushes!;
    await send(batch);
    await waitFor('every gift pushed', () => ids.every((id) => pushes.pushedIds().has(id)));
    await waitFor('every charged gift recorded', async () => (await recordCount(charged)) === charged.length);

    // Done gifts keep their keys for the window at most (not the 8 days a gift not yet done is held). The
    // pipeline cuts them after the records are written, so the cut is awaited; every key must then be alive.
    const applied = batch.filter((m) => m.giftId === roseId).map((m) => keys.roomGiftApplied(m.roomId, m.requestId));
    await expectCutToWindow([...ids.map((id) => keys.giftOutcome(id)), ...applied]);
    for (const room of rooms) expect(await stack.redis.redis.ttl(keys.roomContributionBoard(room))).toBeGreaterThan(0);

    const boardsBefore = await boards(rooms);
    expect(boardsBefore.map((b) => b.length)).toEqual([4, 4, 4]); // two funded senders per room
    expect(boardsBefore.flat().filter((_, i) => i % 2 === 1)).toEqual(Array(6).fill(String(3 * rosePrice)));
    const walletsBefore = await wallets([...senders, ...anchors]);
    const combos = await stack.sql<{ request_id: string; combo: number }>(
      `SELECT request_id, combo FROM t_gift_record WHERE request_id IN (${charged.map(() => '?').join(',')})`,
      charged,
    );
    expect(combos.map((c) => Number(c.combo)).sort()).toEqual([1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3]);

    // Past the window: the per-gift keys are gone (expired) and the ledger's answers are older than it.
    // The same batch comes again (a rebalance that lost the commit, a replay after a long outage).
    await stack.redis.redis.del(...ids.map((id) => keys.giftOutcome(id)), ...applied);
    await stack.sql(
      `UPDATE t_qiyu_currency_trade SET create_time = NOW(3) - INTERVAL ${2 * windowSeconds} SECOND WHERE request_id IN (${ids.map(() => '?').join(',')})`,
      ids,
    );
    pushes.room = [];
    pushes.direct = [];
    const marker = gift(senders[0], anchors[0], rooms[0], 'marker', SEED_GIFTS[0]);
    // One partition, in order: once the marker is pushed, every replay before it was handled.
    await send([...batch, marker], String(senders[0]));
    await waitFor('the gift after them pushed', () => pushes.pushedIds().has(marker.requestId));
    await expectCutToWindow([keys.giftOutcome(marker.requestId)]); // its delivery over: recorded after the push

    expect([...pushes.pushedIds()]).toEqual([marker.requestId]);
    const boardsAfter = await boards(rooms);
    expect(boardsAfter.slice(1)).toEqual(boardsBefore.slice(1));
    const scores = (b: string[]) => Object.fromEntries(b.flatMap((v, i) => (i % 2 === 0 ? [[v, b[i + 1]]] : [])));
    expect(scores(boardsAfter[0])).toEqual({
      ...scores(boardsBefore[0]),
      [String(senders[0])]: String(3 * rosePrice + rosePrice),
    });
    expect(await recordCount(charged)).toBe(charged.length);
    expect(await recordCount([marker.requestId])).toBe(1);
    expect(await wallets([...senders, ...anchors])).toEqual({
      ...walletsBefore,
      [senders[0]]: `${100 - 4 * rosePrice}/0`,
      [anchors[0]]: `0/${2 * 3 * rosePrice + rosePrice}`,
    });
    // The replays created no per-gift keys again: the database answered for them.
    expect(await stack.redis.redis.exists(...ids.map((id) => keys.giftOutcome(id)), ...applied)).toBe(0);
    // The two refused gifts (too poor for a heart) stay without a record after their replay too.
    expect(refused).toHaveLength(2);
    expect(await recordCount(refused)).toBe(0);
  });

  it('a delivery that failed half way (applied, not pushed, not recorded) keeps its keys until done, then pushes once and applies nothing again', async () => {
    const { rooms, batch } = await scene();
    const pushes = stack.pushes!;
    const one = batch[0];
    await send([one]);
    await waitFor('pushed', () => pushes.pushedIds().has(one.requestId));
    await waitFor('recorded', async () => (await recordCount([one.requestId])) === 1);
    const perGiftKeys = [keys.giftOutcome(one.requestId), keys.roomGiftApplied(one.roomId, one.requestId)];
    await expectCutToWindow(perGiftKeys); // the first delivery is over: nothing of it lands on the staged crash
    const boardBefore = await boards(rooms);

    // The state of a crash after the room step: board and combo applied, keys held, no push, no record.
    await stack.sql('DELETE FROM t_gift_record WHERE request_id = ?', [one.requestId]);
    await stack.redis.redis.hset(keys.giftOutcome(one.requestId), 'pushed', 0);
    await stack.redis.redis.expire(keys.giftOutcome(one.requestId), 7 * 24 * 3_600);
    await stack.redis.redis.expire(keys.roomGiftApplied(one.roomId, one.requestId), 7 * 24 * 3_600);
    await stack.sql(
      `UPDATE t_qiyu_currency_trade SET create_time = NOW(3) - INTERVAL ${2 * windowSeconds} SECOND WHERE request_id = ?`,
      [one.requestId],
    );
    pushes.room = [];
    await send([one]);
    await waitFor('pushed again and recorded', async () => (await recordCount([one.requestId])) === 1);

    expect(pushes.room.map((m) => m.msgId)).toEqual([one.requestId]);
    expect(await boards(rooms)).toEqual(boardBefore);
    await expectCutToWindow(perGiftKeys);
  });

  it('a board keeps its top GIFT_BOARD_MAX_MEMBERS senders and expires GIFT_BOARD_IDLE_TTL_MS after the last gift', async () => {
    const env = Object.assign(new GiftServiceEnv(), { GIFT_BOARD_MAX_MEMBERS: 10, GIFT_BOARD_IDLE_TTL_MS: 120_000 });
    const outcomes = new GiftOutcomeService(stack.redis.redis, keys, env);
    const room = newId();
    // Senders 1..15 give 1..15 coins each, in one batch: the 5 lowest fall off the board.
    const gifts = Array.from({ length: 15 }, (_, i) => ({
      requestId: `${room}:cap-${i}`,
      roomId: room,
      senderId: i + 1,
      giftId: 1,
      price: i + 1,
      sendTime: 1_000 + i,
      charged: true,
      fingerprint: `fp-${i}`,
    }));
    await outcomes.apply(gifts, 3_000);
    const board = await outcomes.board(room, 100);
    expect(board.map((e) => e.userId)).toEqual([15, 14, 13, 12, 11, 10, 9, 8, 7, 6]);
    const ttl = await stack.redis.redis.pttl(keys.roomContributionBoard(room));
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(120_000);
    // Not done yet: the per-gift keys are held (8 days) until the gift is pushed and recorded.
    expect(await stack.redis.redis.ttl(keys.giftOutcome(gifts[0].requestId))).toBeGreaterThan(windowSeconds);
    await outcomes.done(gifts.map((g) => ({ ...g, charged: true })));
    expect(await stack.redis.redis.ttl(keys.giftOutcome(gifts[0].requestId))).toBeLessThanOrEqual(windowSeconds);
    expect(await stack.redis.redis.ttl(keys.roomGiftApplied(room, gifts[14].requestId))).toBeLessThanOrEqual(
      windowSeconds,
    );
  });
});

import {
  GiftEffectData,
  ImBizCode,
  KafkaTopic,
  SendGiftMq,
  SendGiftType,
  signSendGift,
  UnsignedSendGift,
} from '@live/contracts';
import { SEED_GIFTS } from '@live/database';
import { GiftRedisKeys } from '@live/redis';
import { uniqueName } from '@live/testing';
import { Producer } from 'kafkajs';
import { GiftConfigService } from '../apps/gift-service/src/gift-config/gift-config.service';
import { waitForGiftKeysCut } from './support/gift-done';
import { readParked } from './support/parked-reader';
import { gatewaySigningKey, signedAsGateway, signedGift } from './support/signed-gift';
import { startTestStack, TestStack } from './support/test-stack';
import { waitFor, waitForGiftRecords } from './support/wait-for';

/**
 * Issue 15, point 3: a send_gift message carries no authority of its own. An attacker with a plain
 * kafkajs producer (no project code) writes gifts that make a victim pay the attacker; none is charged,
 * each is parked with its reason, and a correctly signed gift in the same stream is charged.
 */
describe('send_gift messages written straight to Kafka by an attacker', () => {
  let stack: TestStack;
  let producer: Producer;
  let seq = 70_000 + Math.floor(Math.random() * 10_000) * 10;
  const newId = (): number => (seq += 1);
  const [dearestId, dearestName, dearestPrice] = SEED_GIFTS[SEED_GIFTS.length - 1];
  const [roseId, roseName, rosePrice] = SEED_GIFTS[0];

  beforeAll(async () => {
    stack = await startTestStack();
    producer = stack.kafka.kafka.producer();
    await producer.connect();
  });

  afterAll(async () => {
    await producer?.disconnect();
    await stack?.close();
  });

  async function openRoom(anchorId: number): Promise<number> {
    const roomId = newId();
    await stack.sql(`INSERT INTO t_living_room (id, anchor_id, room_name, status) VALUES (?, ?, 'authority', 1)`, [
      roomId,
      anchorId,
    ]);
    return roomId;
  }

  async function wallet(userId: number): Promise<{ balance: number; earnings: number }> {
    const [row] = await stack.sql<{ current_balance: string; earnings: string }>(
      'SELECT current_balance, earnings FROM t_qiyu_currency_account WHERE user_id = ?',
      [userId],
    );
    return { balance: Number(row?.current_balance ?? 0), earnings: Number(row?.earnings ?? 0) };
  }
  /** A sender holding 1000 coins, an anchor's open room, and a gift of SEED_GIFTS[seed] between them, signed as the gateway signs it. */
  async function fundedGift(seed: number, label: string) {
    const sender = newId();
    const anchor = newId();
    await stack.sql(
      'INSERT INTO t_qiyu_currency_account (user_id, current_balance, total_recharged) VALUES (?, 1000, 1000)',
      [sender],
    );
    const room = await openRoom(anchor);
    const [giftId, giftName, price] = SEED_GIFTS[seed];
    const mq = signedGift(sender, anchor, room, label, SEED_GIFTS[seed]);
    return { sender, anchor, room, giftId, giftName, price, mq };
  }

  it('unsigned, forged, unknown-key, mispriced and wrongly addressed gifts are parked with their reason, never charged; a signed one is', async () => {
    const victim = newId();
    const attacker = newId();
    const honestAnchor = newId();
    await stack.sql(
      'INSERT INTO t_qiyu_currency_account (user_id, current_balance, total_recharged) VALUES (?, 10000, 10000), (?, 0, 0)',
      [victim, attacker],
    );
    const attackersRoom = await openRoom(attacker);
    const honestRoom = await openRoom(honestAnchor);

    const gift = (fields: Partial<UnsignedSendGift>): UnsignedSendGift => ({
      userId: victim,
      giftId: dearestId,
      giftName: dearestName,
      price: dearestPrice,
      receiverId: attacker,
      roomId: attackersRoom,
      url: 'https://cdn.example/castle.svga',
      requestId: `${victim}:${uniqueName('atk')}`,
      type: SendGiftType.DEFAULT,
      sendTime: Date.now(),
      ...fields,
    });
    const devKey = gatewaySigningKey();
    const attacks: { what: string; mq: SendGiftMq | UnsignedSendGift; reason: RegExp }[] = [
      { what: 'no signature', mq: gift({ price: 1 }), reason: /^not charged: signature missing$/ },
      {
        what: 'a forged signature under the real key id',
        mq: signSendGift(gift({ price: 1 }), { id: devKey.id, secret: 'an-attacker-guess-of-the-secret-0123456789' }),
        reason: new RegExp(`^not charged: signature does not match \\(key id ${devKey.id}\\)$`),
      },
      {
        what: 'a valid-looking signature under an unknown key id',
        mq: signSendGift(gift({ price: 1 }), {
          id: 'attacker-key',
          secret: 'the-attacker-own-secret-0123456789abcdef',
        }),
        reason: /^not charged: signature under an unknown key id "attacker-key"$/,
      },
      {
        what: 'correctly signed, the price 1 for the dearest gift',
        mq: signedAsGateway(gift({ price: 1 })),
        reason: new RegExp(`^not charged: price 1 is not the catalogue price ${dearestPrice} of gift ${dearestId}$`),
      },
      {
        what: 'correctly signed, the attacker as receiver in a room whose anchor is someone else',
        mq: signedAsGateway(gift({ roomId: honestRoom })),
        reason: new RegExp(`^not charged: receiver ${attacker} is not the anchor of room ${honestRoom}$`),
      },
      {
        what: 'correctly signed, a room that does not exist',
        mq: signedAsGateway(gift({ roomId: newId() })),
        reason: /^not charged: room \d+ does not exist$/,
      },
    ];
    const honest = signedAsGateway(
      gift({ giftId: roseId, giftName: roseName, price: rosePrice, receiverId: honestAnchor, roomId: honestRoom }),
    );

    const parkedTopic = stack.topicPrefix + KafkaTopic.SEND_GIFT_PARKED;
    const parked = await readParked(stack.kafka, parkedTopic);
    // The attacker's own client: raw JSON values, the victim as key (the partition the victim's gifts use).
    await producer.send({
      topic: stack.topicPrefix + KafkaTopic.SEND_GIFT,
      messages: [...attacks.map((a) => a.mq), honest].map((mq) => ({ key: String(victim), value: JSON.stringify(mq) })),
    });

    const pushes = stack.pushes!;
    await waitFor(
      'the signed gift pushed and every attack parked',
      () => pushes.pushedIds().has(honest.requestId) && parked.messages.length >= attacks.length,
    );
    await parked.stop();

    // Each attack parked once, with its reason and its bytes, in the order written.
    expect(parked.messages).toHaveLength(attacks.length);
    attacks.forEach((attack, i) => {
      const p = parked.messages[i];
      expect([attack.what, p.reason]).toEqual([attack.what, expect.stringMatching(attack.reason)]);
      expect((JSON.parse(p.rawValue ?? '{}') as SendGiftMq).requestId).toBe(attack.mq.requestId);
      expect(p.originTopic).toBe(stack.topicPrefix + KafkaTopic.SEND_GIFT);
    });

    // Money: only the signed gift moved; the attacker earned nothing.
    expect(await wallet(victim)).toEqual({ balance: 10_000 - rosePrice, earnings: 0 });
    expect(await wallet(attacker)).toEqual({ balance: 0, earnings: 0 });
    expect(await wallet(honestAnchor)).toEqual({ balance: 0, earnings: rosePrice });
    // The unsigned ones left no trace in the ledger; the signed ones that do not check out are recorded as
    // refused (nothing moved): a redelivery gets the same answer.
    const trades = await stack.sql<{ request_id: string; num: string }>(
      'SELECT request_id, num FROM t_qiyu_currency_trade WHERE user_id IN (?, ?) ORDER BY id',
      [victim, attacker],
    );
    const signedAttacks = attacks.slice(3).map((a) => a.mq.requestId);
    expect(trades.filter((t) => Number(t.num) !== 0).map((t) => t.request_id)).toEqual([honest.requestId]);
    expect(
      trades
        .filter((t) => Number(t.num) === 0)
        .map((t) => t.request_id)
        .sort(),
    ).toEqual([...signedAttacks].sort());
    await waitForGiftRecords(stack.db.dataSource, [honest.requestId]);
    const records = await stack.sql<{ request_id: string }>(
      'SELECT request_id FROM t_gift_record WHERE user_id = ? OR receiver_id = ?',
      [victim, attacker],
    );
    expect(records.map((r) => r.request_id)).toEqual([honest.requestId]);

    // Boards and pushes: nothing for the attacks.
    const keys = new GiftRedisKeys(stack.redis.prefix);
    expect(await stack.redis.redis.zrange(keys.roomContributionBoard(attackersRoom), 0, -1, 'WITHSCORES')).toEqual([]);
    expect(await stack.redis.redis.zrange(keys.roomContributionBoard(honestRoom), 0, -1, 'WITHSCORES')).toEqual([
      String(victim),
      String(rosePrice),
    ]);
    // No effect for any attack; a signed one is the gateway's word that the victim sent it, so the victim
    // (only) hears it was not charged.
    const attackIds = new Set(attacks.map((a) => a.mq.requestId));
    expect(pushes.room.filter((m) => attackIds.has(m.msgId ?? '') || m.roomId === attackersRoom)).toEqual([]);
    const told = pushes.direct.filter((m) => attackIds.has(m.msgId ?? ''));
    expect(told.map((m) => m.msgId).sort()).toEqual([...signedAttacks].sort());
    expect(
      told.every(
        (m) =>
          m.userId === victim && m.bizCode === ImBizCode.GIFT_FAIL && 'msg' in m.data && /not charged/.test(m.data.msg),
      ),
    ).toBe(true);
    const effect = pushes.room.find((m) => m.msgId === honest.requestId)!;
    expect(effect.data as unknown as GiftEffectData).toMatchObject({
      senderId: victim,
      receiverId: honestAnchor,
      roomId: honestRoom,
      giftId: roseId,
    });
  });

  it('a message with a key of most of a megabyte and no gift in it is parked (without that key) and the partition moves on: a signed gift after it is charged', async () => {
    const { sender, anchor, price, mq } = await fundedGift(0, 'after-a-huge-key');
    const topic = stack.topicPrefix + KafkaTopic.SEND_GIFT;
    const parked = await readParked(stack.kafka, stack.topicPrefix + KafkaTopic.SEND_GIFT_PARKED);
    // One partition for both, named (the attacker's client does not hash its own key either). Re-produced as it
    // came, such a key took kafkajs' partitioner minutes with gift-service's event loop blocked, at each redelivery.
    const hugeKey = 'K'.repeat(1_000_000);
    await producer.send({ topic, messages: [{ partition: 0, key: hugeKey, value: '"'.repeat(2_000) }] });
    await producer.send({ topic, messages: [{ partition: 0, key: String(sender), value: JSON.stringify(mq) }] });
    await waitFor(
      'the huge-keyed message parked and the gift after it pushed',
      () =>
        stack.pushes!.pushedIds().has(mq.requestId) &&
        parked.messages.some((p) => p.originPartition === 0 && /^undecodable: /.test(p.reason)),
      60_000,
    );
    await parked.stop();
    const huge = parked.messages.find((p) => p.originPartition === 0 && /^undecodable: /.test(p.reason))!;
    expect(huge.rawValue).toBe('"'.repeat(2_000));
    expect(huge.reason.length).toBeLessThanOrEqual(2_048);
    expect(await wallet(sender)).toEqual({ balance: 1000 - price, earnings: 0 });
    expect(await wallet(anchor)).toEqual({ balance: 0, earnings: price });
  });

  it('a value of most of a megabyte of wide JSON is parked as too wide, judged from its text before any parse, and a signed gift after it is charged', async () => {
    const { sender, anchor, price, mq } = await fundedGift(0, 'after-wide-json');
    const topic = stack.topicPrefix + KafkaTopic.SEND_GIFT;
    const parked = await readParked(stack.kafka, stack.topicPrefix + KafkaTopic.SEND_GIFT_PARKED);
    // 60,000 fields in 0.88 MB (the broker takes 1 MB): parsed, then validated, it cost that parse and a walk of each.
    const wide = JSON.stringify(Object.fromEntries(Array.from({ length: 60_000 }, (_, i) => [`f${i}`, i])));
    await producer.send({ topic, messages: [{ partition: 0, key: 'wide', value: wide }] });
    await producer.send({ topic, messages: [{ partition: 0, key: String(sender), value: JSON.stringify(mq) }] });
    const tooWide = (p: { originPartition: number; reason: string }) =>
      p.originPartition === 0 && /^undecodable: SendGiftMq: the message has more than 64 fields/.test(p.reason);
    await waitFor(
      'the wide message parked and the gift after it pushed',
      () => stack.pushes!.pushedIds().has(mq.requestId) && parked.messages.some(tooWide),
      60_000,
    );
    await parked.stop();
    expect(parked.messages.find(tooWide)!.rawValue).toHaveLength(2_048);
    expect(await wallet(sender)).toEqual({ balance: 1000 - price, earnings: 0 });
    expect(await wallet(anchor)).toEqual({ balance: 0, earnings: price });
  });

  it("a gift taken off sale (past the gateway's cache of the catalogue) is not charged: parked with the reason, 5557 to its sender", async () => {
    const { sender, anchor, room } = await fundedGift(0, 'off-sale');
    const giftId = newId();
    await stack.sql(
      "INSERT INTO t_gift_config (gift_id, gift_name, price, status, cover_img_url, svga_url, sort_order) VALUES (?, 'retired', 7, 0, '/a.svg', '/a.svg', 99)",
      [giftId],
    );
    const mq = signedGift(sender, anchor, room, 'off-sale', [giftId, 'retired', 7]);
    const parked = await readParked(stack.kafka, stack.topicPrefix + KafkaTopic.SEND_GIFT_PARKED);
    await producer.send({
      topic: stack.topicPrefix + KafkaTopic.SEND_GIFT,
      messages: [{ key: String(sender), value: JSON.stringify(mq) }],
    });
    const pushes = stack.pushes!;
    await waitFor(
      'the sender told and the gift parked',
      () =>
        pushes.direct.some((m) => m.msgId === mq.requestId) &&
        parked.messages.some((p) => p.rawValue?.includes(mq.requestId)),
    );
    await parked.stop();
    expect(parked.messages.filter((p) => p.rawValue?.includes(mq.requestId)).map((p) => p.reason)).toEqual([
      `not charged: gift ${giftId} is off sale`,
    ]);
    const told = pushes.direct.filter((m) => m.msgId === mq.requestId);
    expect(told).toHaveLength(1);
    expect(told[0]).toMatchObject({ userId: sender, bizCode: ImBizCode.GIFT_FAIL });
    expect((told[0].data as { msg: string }).msg).toMatch(/this gift is no longer on sale: not charged/);
    expect(pushes.room.filter((m) => m.msgId === mq.requestId)).toEqual([]);
    expect(await wallet(sender)).toEqual({ balance: 1000, earnings: 0 });
    expect(await wallet(anchor)).toEqual({ balance: 0, earnings: 0 });
  });

  it("a gift sent after its room closed (past the gateway's cache of the room) is not charged: parked with the reason, 5557 to its sender; one sent before the close is charged, settled after it", async () => {
    const { sender, anchor, room, price, mq: before } = await fundedGift(0, 'before-close');
    const closedAt = before.sendTime + 1_000;
    await stack.sql('UPDATE t_living_room SET status = 0, close_time = ? WHERE id = ?', [new Date(closedAt), room]);
    const after = signedAsGateway({
      ...before,
      requestId: `${sender}:${uniqueName('after-close')}`,
      sendTime: closedAt + 5,
    });
    const parked = await readParked(stack.kafka, stack.topicPrefix + KafkaTopic.SEND_GIFT_PARKED);
    await producer.send({
      topic: stack.topicPrefix + KafkaTopic.SEND_GIFT,
      messages: [before, after].map((mq) => ({ key: String(sender), value: JSON.stringify(mq) })),
    });
    const pushes = stack.pushes!;
    await waitFor(
      'the gift before the close pushed, the one after it told and parked',
      () =>
        pushes.pushedIds().has(before.requestId) &&
        pushes.direct.some((m) => m.msgId === after.requestId) &&
        parked.messages.some((p) => p.rawValue?.includes(after.requestId)),
    );
    await parked.stop();
    expect(parked.messages.filter((p) => p.rawValue?.includes(after.requestId)).map((p) => p.reason)).toEqual([
      expect.stringMatching(new RegExp(`^not charged: room ${room} closed at .+, before the gift was sent`)),
    ]);
    expect(parked.messages.filter((p) => p.rawValue?.includes(before.requestId))).toEqual([]);
    expect(await wallet(sender)).toEqual({ balance: 1000 - price, earnings: 0 });
    expect(await wallet(anchor)).toEqual({ balance: 0, earnings: price });
    const told = pushes.direct.filter((m) => m.msgId === after.requestId);
    expect(told).toHaveLength(1);
    expect(told[0]).toMatchObject({ userId: sender, bizCode: ImBizCode.GIFT_FAIL });
    expect((told[0].data as { msg: string }).msg).toMatch(/the room has closed: not charged/);
    expect(pushes.room.filter((m) => m.msgId === after.requestId)).toEqual([]);
    await waitForGiftRecords(stack.db.dataSource, [before.requestId]);
    const records = await stack.sql<{ request_id: string }>('SELECT request_id FROM t_gift_record WHERE room_id = ?', [
      room,
    ]);
    expect(records.map((r) => r.request_id)).toEqual([before.requestId]);
  });

  it('a gift charged before its price changed, redelivered after: its first answer (recorded and pushed), never parked, never charged twice', async () => {
    const { sender, anchor, giftId, price, mq } = await fundedGift(1, 'reprice');
    const topic = stack.topicPrefix + KafkaTopic.SEND_GIFT;
    const pushes = stack.pushes!;
    await producer.send({ topic, messages: [{ key: String(sender), value: JSON.stringify(mq) }] });
    await waitFor('the first delivery settled and pushed', () => pushes.pushedIds().has(mq.requestId));
    const outcomeKey = new GiftRedisKeys(stack.redis.prefix).giftOutcome(mq.requestId);
    await waitForGiftKeysCut(stack.redis.redis, [outcomeKey]); // the first delivery is over: recorded, cut

    // The state a crash between settlement and records/pushes leaves (the offsets never moved): the
    // charge is in the ledger, the record and the push are not. Then the catalogue changes the price.
    await stack.sql('DELETE FROM t_gift_record WHERE request_id = ?', [mq.requestId]);
    await stack.redis.redis.del(outcomeKey);
    pushes.room = pushes.room.filter((m) => m.msgId !== mq.requestId);
    const configs = stack.gift.get(GiftConfigService);
    await configs.update({ giftId, price: price + 7 });
    try {
      const parked = await readParked(stack.kafka, stack.topicPrefix + KafkaTopic.SEND_GIFT_PARKED);
      await producer.send({ topic, messages: [{ key: String(sender), value: JSON.stringify(mq) }] });
      await waitFor(
        'the redelivery recorded and pushed again',
        async () =>
          pushes.pushedIds().has(mq.requestId) &&
          (await stack.sql('SELECT 1 FROM t_gift_record WHERE request_id = ?', [mq.requestId])).length === 1,
      );
      await parked.stop();
      expect(parked.messages.filter((p) => p.rawValue?.includes(mq.requestId))).toEqual([]);
      expect(await wallet(sender)).toEqual({ balance: 1000 - price, earnings: 0 });
      expect(await wallet(anchor)).toEqual({ balance: 0, earnings: price });
      expect(pushes.room.filter((m) => m.msgId === mq.requestId)).toHaveLength(1);
      expect(pushes.direct.filter((m) => m.msgId === mq.requestId)).toEqual([]);
    } finally {
      await configs.update({ giftId, price });
    }
  });

  it('a message from the past (settled before the redelivery window, its outcome records expired) gets no effect or board points again', async () => {
    const { sender, room, price, mq } = await fundedGift(2, 'past');
    const topic = stack.topicPrefix + KafkaTopic.SEND_GIFT;
    const pushes = stack.pushes!;
    const keys = new GiftRedisKeys(stack.redis.prefix);
    const board = () => stack.redis.redis.zrange(keys.roomContributionBoard(room), 0, -1, 'WITHSCORES');
    await producer.send({ topic, messages: [{ key: String(sender), value: JSON.stringify(mq) }] });
    await waitFor('the gift settled and shown', () => pushes.pushedIds().has(mq.requestId));
    await waitForGiftKeysCut(stack.redis.redis, [
      keys.giftOutcome(mq.requestId),
      keys.roomGiftApplied(room, mq.requestId),
    ]);
    expect(await board()).toEqual([String(sender), String(price)]);

    // Two hours later: the outcome records are gone (expired), and the same signed message comes again
    // (a captured one sent by whoever can write to Kafka, or a redelivery after a long outage).
    await stack.sql('UPDATE t_qiyu_currency_trade SET create_time = NOW(3) - INTERVAL 2 HOUR WHERE request_id = ?', [
      mq.requestId,
    ]);
    await stack.redis.redis.del(keys.giftOutcome(mq.requestId), keys.roomGiftApplied(room, mq.requestId));
    pushes.room = [];
    const marker = signedAsGateway({
      ...mq,
      giftId: SEED_GIFTS[0][0],
      giftName: SEED_GIFTS[0][1],
      price: SEED_GIFTS[0][2],
      requestId: `${sender}:${uniqueName('after')}`,
    });
    await producer.send({
      topic,
      messages: [mq, mq, marker].map((m) => ({ key: String(sender), value: JSON.stringify(m) })),
    });
    await waitFor('the message after them shown', () => pushes.pushedIds().has(marker.requestId));

    expect(pushes.room.map((m) => m.msgId)).toEqual([marker.requestId]);
    expect(await board()).toEqual([String(sender), String(price + SEED_GIFTS[0][2])]);
    expect(await wallet(sender)).toEqual({ balance: 1000 - price - SEED_GIFTS[0][2], earnings: 0 });
    expect((await stack.sql('SELECT 1 FROM t_gift_record WHERE request_id = ?', [mq.requestId])).length).toBe(1);

    // But a delivery that never finished (charged, then Redis or im-router down for longer than the window:
    // no record written) still gets its effect and board points when it finally comes through.
    const unfinished = signedAsGateway({ ...mq, requestId: `${sender}:${uniqueName('unfinished')}` });
    await producer.send({ topic, messages: [{ key: String(sender), value: JSON.stringify(unfinished) }] });
    await waitFor('the unfinished one settled', () => pushes.pushedIds().has(unfinished.requestId));
    await waitForGiftKeysCut(stack.redis.redis, [
      keys.giftOutcome(unfinished.requestId),
      keys.roomGiftApplied(room, unfinished.requestId),
    ]);
    await stack.sql('UPDATE t_qiyu_currency_trade SET create_time = NOW(3) - INTERVAL 2 HOUR WHERE request_id = ?', [
      unfinished.requestId,
    ]);
    await stack.sql('DELETE FROM t_gift_record WHERE request_id = ?', [unfinished.requestId]);
    await stack.redis.redis.del(
      keys.giftOutcome(unfinished.requestId),
      keys.roomGiftApplied(room, unfinished.requestId),
    );
    pushes.room = [];
    await stack.redis.redis.zincrby(keys.roomContributionBoard(room), -price, String(sender)); // as if never boarded
    await producer.send({ topic, messages: [{ key: String(sender), value: JSON.stringify(unfinished) }] });
    await waitFor('its effect shown at last', () => pushes.room.some((m) => m.msgId === unfinished.requestId));
    await waitForGiftRecords(stack.db.dataSource, [unfinished.requestId]); // written after the push
    expect(await board()).toEqual([String(sender), String(2 * price + SEED_GIFTS[0][2])]);
    expect((await stack.sql('SELECT 1 FROM t_gift_record WHERE request_id = ?', [unfinished.requestId])).length).toBe(
      1,
    );
    expect(await wallet(sender)).toEqual({ balance: 1000 - 2 * price - SEED_GIFTS[0][2], earnings: 0 });
  });
});

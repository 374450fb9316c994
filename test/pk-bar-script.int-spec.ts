import { parsePkHash } from '@live/contracts';
import { createTestRedis, TestRedis } from '@live/testing';
import { GiftRedisKeys } from '@live/redis';
import { GiftOutcome, GiftOutcomeService } from '../apps/gift-service/src/board/gift-outcome.service';
import { PK_END, PK_FINISHED, PK_ONLINE } from '../apps/gift-service/src/pk/pk-scripts';
import { anchorOfRoom, drivePkService } from './support/pk-service-drive';

/**
 * Issue 21, the room scripts on a real Redis: the bar move inside APPLY_IN_ROOM (the rule, the clamp, the
 * guards, once per request id) and the PK hash scripts' edge cases (seat taken, retry, due, ends once, draw).
 */
describe('PK scripts (the bar in the room script, the seat, the end)', () => {
  let redis: TestRedis;
  let keys: GiftRedisKeys;
  let outcomes: GiftOutcomeService;
  let room = 70_000 + Math.floor(Math.random() * 10_000) * 10;
  let seq = 0;
  const ANCHOR = 501;
  const CHALLENGER = 502;
  const DAY_MS = 86_400_000;

  beforeAll(async () => {
    redis = await createTestRedis();
    keys = new GiftRedisKeys(redis.prefix);
    outcomes = new GiftOutcomeService(redis.redis, keys);
  });

  afterAll(async () => {
    await redis?.cleanup();
  });

  const online = (roomId: number, challenger: number, now = Date.now(), duration = 60_000, lastSeq = 0) =>
    redis.redis.eval(
      PK_ONLINE,
      1,
      keys.roomPk(roomId),
      ANCHOR,
      challenger,
      now,
      duration,
      roomId,
      lastSeq,
      DAY_MS,
    ) as Promise<(string | number)[]>;
  const end = (roomId: number, reason: string, challenger: number | '' = '', now = Date.now()) =>
    redis.redis.eval(PK_END, 1, keys.roomPk(roomId), reason, now, '', challenger, 86_400) as Promise<
      (string | number)[]
    >;
  const state = async (roomId: number) => parsePkHash(await redis.redis.hgetall(keys.roomPk(roomId)))!;

  /** One charged gift of `amount` coins (price amount, count 1) to `receiverId`, naming `pkId`. */
  const gift = (
    roomId: number,
    receiverId: number,
    amount: number,
    pkId?: string,
    requestId = `9:g${(seq += 1)}`,
    sendTime = Date.now(),
  ) => ({
    requestId,
    roomId,
    senderId: 9,
    giftId: 1,
    price: amount,
    sendTime,
    receiverId,
    charged: true,
    fingerprint: `fp-${requestId}`,
    ...(pkId === undefined ? {} : { pkId }),
  });
  const apply = (...gifts: ReturnType<typeof gift>[]): Promise<GiftOutcome[]> => outcomes.apply(gifts, 3_000);
  const moves = (answers: GiftOutcome[]) => answers.map((a) => (a.pk ? [a.pk.step, a.pk.progress, a.pk.ended] : null));

  async function pkRoom(): Promise<{ roomId: number; pkId: string; seq: number }> {
    const roomId = (room += 1);
    const [answer, pkId, , startSeq] = await online(roomId, CHALLENGER);
    expect(answer).toBe('new');
    return { roomId, pkId: String(pkId), seq: Number(startSeq) };
  }

  it('moves the bar by min(10, ceil(amount / 10)) toward the side, seq + 1 each; a redelivery gets the same answer and moves nothing', async () => {
    const { roomId, pkId, seq: start } = await pkRoom();
    expect(pkId).toBe(`pk-${roomId}-1`);
    const toAnchor = gift(roomId, ANCHOR, 52, pkId);
    const toChallenger = gift(roomId, CHALLENGER, 5, pkId);
    const first = await apply(toAnchor, toChallenger, gift(roomId, ANCHOR, 520, pkId));
    expect(moves(first)).toEqual([
      [6, 56, false],
      [-1, 55, false],
      [10, 65, false],
    ]);
    expect(first.map((a) => a.pk!.seq)).toEqual([start + 1, start + 2, start + 3]);
    expect(first[0].pk).toMatchObject({ pkId, anchorId: ANCHOR, challengerId: CHALLENGER });
    // Redelivered (alone, or with a new gift): the first answers again, only the new gift moves.
    const again = await apply(toChallenger, toAnchor, gift(roomId, CHALLENGER, 11, pkId));
    expect(moves(again)).toEqual([
      [-1, 55, false],
      [6, 56, false],
      [-2, 63, false],
    ]);
    expect(again[1].pk!.seq).toBe(start + 1);
    expect(await state(roomId)).toMatchObject({ progress: 63, seq: start + 4, endReason: '' });
  });

  it('moves nothing for a gift to neither side, naming another PK or none, sent after endsAt, or not charged', async () => {
    const { roomId, pkId } = await pkRoom();
    const answers = await apply(
      gift(roomId, 777, 100, pkId),
      gift(roomId, ANCHOR, 100, `pk-${roomId}-99`),
      gift(roomId, ANCHOR, 100),
      gift(roomId, ANCHOR, 100, pkId, undefined, Date.now() + 120_000),
    );
    expect(moves(answers)).toEqual([null, null, null, null]);
    expect(answers.map((a) => a.combo > 0)).toEqual([true, true, true, true]);
    expect(moves(await outcomes.apply([{ ...gift(roomId, ANCHOR, 100, pkId), charged: false }], 3_000))).toEqual([
      null,
    ]);
    expect(await state(roomId)).toMatchObject({ progress: 50, endReason: '' });
  });

  it('clamps at a bound and ends the PK there (anchor at 100, challenger at 0); later gifts move nothing', async () => {
    const a = await pkRoom();
    const toAnchor = await apply(...Array.from({ length: 6 }, () => gift(a.roomId, ANCHOR, 88, a.pkId)));
    expect(moves(toAnchor)).toEqual([
      [9, 59, false],
      [9, 68, false],
      [9, 77, false],
      [9, 86, false],
      [9, 95, false],
      [5, 100, true],
    ]);
    expect(moves(await apply(gift(a.roomId, CHALLENGER, 100, a.pkId)))).toEqual([null]);
    expect(await state(a.roomId)).toMatchObject({ progress: 100, endReason: 'bound', winnerId: ANCHOR });
    const c = await pkRoom();
    const toChallenger = await apply(...Array.from({ length: 5 }, () => gift(c.roomId, CHALLENGER, 100, c.pkId)));
    expect(moves(toChallenger).at(-1)).toEqual([-10, 0, true]);
    expect(await state(c.roomId)).toMatchObject({ progress: 0, endReason: 'bound', winnerId: CHALLENGER });
    // A PK ended by its bound is not ended again.
    expect((await end(c.roomId, 'offline'))[0]).toBe(0);
  });

  it('the seat: taken by another, the same PK for a retry, due past its time; a new PK continues the seq', async () => {
    const { roomId, pkId, seq: start } = await pkRoom();
    expect((await online(roomId, 503)).slice(0, 2)).toEqual(['taken', pkId]);
    expect((await online(roomId, CHALLENGER)).slice(0, 2)).toEqual(['same', pkId]);
    expect((await online(roomId, 503, Date.now() + 120_000))[0]).toBe('due');
    // Ended (the challenger left): the anchor wins; a second end ends nothing.
    const ended = await end(roomId, 'offline', CHALLENGER);
    expect(ended.slice(0, 5)).toEqual([1, pkId, ANCHOR, 50, start + 1]);
    // Ended before: the same end fields again (a retried follow-up), not finished yet.
    expect(await end(roomId, 'offline', CHALLENGER)).toEqual([
      0,
      'ended',
      pkId,
      expect.any(Number),
      CHALLENGER,
      ANCHOR,
      50,
      start + 1,
      ANCHOR,
      'offline',
      expect.any(Number),
      '',
    ]);
    // Its follow-up not done: no new PK may take the hash yet; once marked finished (PkService.finish), one may.
    expect((await online(roomId, 503)).slice(0, 2)).toEqual(['unfinished', pkId]);
    expect(await redis.redis.eval(PK_FINISHED, 1, keys.roomPk(roomId), 'pk-other')).toBe(0);
    expect(await redis.redis.eval(PK_FINISHED, 1, keys.roomPk(roomId), pkId)).toBe(1);
    const next = await online(roomId, 503);
    expect(next.slice(0, 2)).toEqual(['new', `pk-${roomId}-${start + 2}`]);
    // The database's last seq wins over a hash that expired (a new room's hash has none).
    const fresh = (room += 1);
    expect((await online(fresh, CHALLENGER, Date.now(), 60_000, 41)).slice(0, 2)).toEqual(['new', `pk-${fresh}-42`]);
  });

  it('the end: not before its time, only by its challenger, a draw at 50, the leaning side at time', async () => {
    const { roomId, pkId } = await pkRoom();
    expect((await end(roomId, 'time')).slice(0, 2)).toEqual([0, 'running']);
    expect((await end(roomId, 'session', 503)).slice(0, 2)).toEqual([0, 'not-challenger']);
    const draw = await end(roomId, 'time', '', Date.now() + 120_000);
    expect([draw[0], draw[1], draw[2], draw[8]]).toEqual([1, pkId, 0, 'time']);
    const leaning = await pkRoom();
    await apply(gift(leaning.roomId, CHALLENGER, 30, leaning.pkId));
    // The challenger leaving after the time ran out: the time decided it (the bar leans to the challenger).
    const late = await end(leaning.roomId, 'session', CHALLENGER, Date.now() + 120_000);
    expect([late[0], late[2], late[3], late[8]]).toEqual([1, CHALLENGER, 47, 'time']);
    expect(await redis.redis.ttl(keys.roomPk(leaning.roomId))).toBeGreaterThan(86_000);
  });
});

describe('PkService over its scripts (online, the bar, offline, session end, the sweeper)', () => {
  let redis: TestRedis;

  beforeAll(async () => {
    redis = await createTestRedis();
  });

  afterAll(async () => {
    await redis?.cleanup();
  });

  it('each room its PK, one move each, then ended by leaving, by the session, by time: the lists are empty after', async () => {
    const rooms = [81, 82, 83, 84];
    const challengers = [91, 92, 93, 94];
    const run = await drivePkService(redis.redis, redis.prefix, rooms, challengers);
    expect(run.started.map((s) => s.pkId)).toEqual(rooms.map((r) => `pk-${r}-1`));
    expect(run.applied.map((a) => [a.pk?.step, a.pk?.progress])).toEqual(rooms.map(() => [-3, 47]));
    expect([run.sessionEnded, run.swept]).toEqual([1, 2]);
    expect(run.states.map((s) => [s.endReason, s.winnerId, s.progress])).toEqual([
      ['offline', anchorOfRoom(81), 47],
      ['session', anchorOfRoom(82), 47],
      ['time', 93, 47],
      ['time', 94, 47],
    ]);
    expect(run.leftOver).toEqual([0, 0, 0, 0, 0]);
    // 5559 on each start and each leaving, 5561 on each end.
    expect(run.pushes.map((p) => p.msgId).sort()).toEqual(
      [...rooms.map((r) => `pk-${r}-1:on`), 'pk-81-1:off', 'pk-82-1:off', ...rooms.map((r) => `pk-${r}-1:end`)].sort(),
    );
  });
});

import { createTestDatabase, createTestRedis, TestDatabase, TestRedis } from '@live/testing';
import { deleteMatching, GiftRedisKeys } from '@live/redis';
import { auditGifts, auditPk, AuditedPk, verdict } from '../../bench/support/gift-audit';

/**
 * The PK check of the gift audit (issue 21) against a real database and Redis, on hand-written rows: exact
 * on a consistent history, and each defect fails the verdict with its own figure.
 */
describe('auditPk', () => {
  let db: TestDatabase;
  let r: TestRedis;

  const q = (sql: string, params: unknown[] = []): Promise<unknown> => db.dataSource.query(sql, params);

  beforeAll(async () => {
    db = await createTestDatabase();
    r = await createTestRedis();
  });
  afterAll(async () => {
    await db.drop();
    await r.cleanup();
  });
  // Each test writes its own history: none reads the rows or keys of another (each also runs alone, with -t).
  afterEach(async () => {
    for (const table of ['t_qiyu_currency_trade', 't_gift_record', 't_living_pk']) await q(`DELETE FROM ${table}`);
    await deleteMatching(r.redis, `${r.prefix}:*`);
  });

  const ROOM = 3;
  const ANCHOR = 2;
  const SENDER = 1;
  /** A gift of the harness: its debit (status 1 charged, 0 refused) and, unless refused, its record with its step. */
  async function gift(
    requestId: string,
    o: { receiver: number; price: number; pkId: string; step: number; status?: 0 | 1; room?: number },
  ): Promise<void> {
    const status = o.status ?? 1;
    await q(
      "INSERT INTO t_qiyu_currency_trade (request_id, user_id, direction, counterparty_id, num, balance_after, type, status, remark) VALUES (?, ?, 1, ?, ?, 0, 2, ?, 'pk spec')",
      [requestId, SENDER, o.receiver, status === 1 ? -o.price : 0, status],
    );
    if (status === 1) await record(requestId, o);
  }
  const record = (
    requestId: string,
    o: { receiver: number; price: number; pkId: string; step: number; room?: number },
  ): Promise<unknown> =>
    q(
      'INSERT INTO t_gift_record (request_id, user_id, receiver_id, room_id, gift_id, price, send_time, pk_id, pk_step) VALUES (?, ?, ?, ?, 1, ?, NOW(3), ?, ?)',
      [requestId, SENDER, o.receiver, o.room ?? ROOM, o.price, o.pkId, o.step],
    );
  const pkRow = (
    pkId: string,
    room: number,
    challenger: number,
    end: { reason: string; winner: number; progress: number } | null,
  ): Promise<unknown> =>
    q(
      `INSERT INTO t_living_pk (pk_id, room_id, anchor_id, challenger_id, started_at, ends_at, ended_at, winner_id, end_reason, final_progress)
       VALUES (?, ?, ?, ?, NOW(3), NOW(3) + INTERVAL 5 MINUTE, ?, ?, ?, ?)`,
      [
        pkId,
        room,
        ANCHOR,
        challenger,
        end ? new Date() : null,
        end?.winner ?? null,
        end?.reason ?? null,
        end?.progress ?? null,
      ],
    );
  /** The room's PK hash, fields as PK-DESIGN.md names them. */
  const hash = (room: number, fields: Record<string, string | number>): Promise<unknown> =>
    r.redis.hset(
      new GiftRedisKeys(r.prefix).roomPk(room),
      Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, String(v)])),
    );
  const running = (pkId: string, challenger: number, progress: number): Record<string, string | number> => ({
    pkId,
    anchorId: ANCHOR,
    challengerId: challenger,
    progress,
    seq: 9,
    startedAt: Date.now(),
    endsAt: Date.now() + 300_000,
    winnerId: '',
    endReason: '',
  });

  const audit = async (pk: AuditedPk, stateLossAllowed = 0) => {
    const result = verdict(
      await auditPk({ ds: db.dataSource, redis: r.redis, keyPrefix: r.prefix, pk, stateLossAllowed, waitMs: 0 }),
    );
    return { failed: result.checks.filter((c) => !c.ok).map((c) => c.name), figures: result.figures };
  };
  const BAR = 'PK: bar = 50 + the steps of its records';
  const STEPS = 'PK: steps of the rule, on charged gifts, to the side of their sign';
  const ENDS = 'PK: the winner of each ended PK fits its end and bar; every end and pkId in t_living_pk';
  const KNOWN = "PK: a bar known for every PK (its hash or its ended row; 0 may be gone with Redis' data)";
  const seen: AuditedPk = { roomIds: [ROOM], pkIds: ['pk-3-1', 'pk-3-4'] };
  /** Room 8: eight gifts of 52 coins to the anchor (+6 each: 98), the ninth clamped to +2: 100, the anchor won. */
  async function boundPk(): Promise<void> {
    await pkRow('pk-8-1', 8, 9, { reason: 'bound', winner: ANCHOR, progress: 100 });
    for (let i = 0; i < 9; i++)
      await gift(`1:b-${i}`, { receiver: ANCHOR, price: 52, pkId: 'pk-8-1', step: i < 8 ? 6 : 2, room: 8 });
  }

  it('is exact on a consistent history, and fails the verdict on each defect with its figure', async () => {
    // pk-3-1, challenger 5, ended by time at 51: the anchor won. pk-3-4, challenger 4, running at 55.
    await pkRow('pk-3-1', ROOM, 5, { reason: 'time', winner: ANCHOR, progress: 51 });
    await gift('1:c-1', { receiver: ANCHOR, price: 5, pkId: 'pk-3-1', step: 1 });
    await pkRow('pk-3-4', ROOM, 4, null);
    await gift('1:c-2', { receiver: ANCHOR, price: 5, pkId: 'pk-3-4', step: 1 }); // ceil(5 / 10) = 1
    await gift('1:c-3', { receiver: 4, price: 52, pkId: 'pk-3-4', step: -6 }); // ceil(52 / 10) = 6, to the challenger
    await gift('1:c-4', { receiver: ANCHOR, price: 199, pkId: 'pk-3-4', step: 10 }); // min(10, 20)
    await gift('1:c-5', { receiver: 4, price: 5, pkId: 'pk-3-4', step: 0, status: 0 }); // refused: no record
    await gift('1:c-6', { receiver: 4, price: 5, pkId: 'pk-3-4', step: 0 }); // charged, did not move the bar
    await hash(ROOM, running('pk-3-4', 4, 55));

    const exact = await audit(seen);
    expect(exact.failed).toEqual([]);
    expect(exact.figures).toMatchObject({
      pkRooms: 1,
      pks: 2,
      pksEnded: 1,
      pkGiftsCharged: 5,
      pkStepsMoved: 4,
      pkStepSum: 6,
      pkMismatches: 0,
      pkStateLost: 0,
    });

    // A step on a refused gift (its record should not exist; the bar moved with it).
    await record('1:c-5', { receiver: 4, price: 5, pkId: 'pk-3-4', step: -1 });
    await hash(ROOM, { progress: 54 });
    const refused = await audit(seen);
    expect([refused.failed, refused.figures.pkRecordsNotCharged]).toEqual([[STEPS], 1]);
    await q("DELETE FROM t_gift_record WHERE request_id = '1:c-5'");
    await hash(ROOM, { progress: 55 });

    // A gift that moved the bar twice (a redelivery applied again: one record, the bar two steps on).
    await hash(ROOM, { progress: 65 });
    const twice = await audit(seen);
    expect([twice.failed, twice.figures.pkMismatches]).toEqual([[BAR], 1]);
    await hash(ROOM, { progress: 55 });
    // The same in an ended PK's final_progress.
    await q("UPDATE t_living_pk SET final_progress = 52 WHERE pk_id = 'pk-3-1'");
    const final = await audit(seen);
    expect([final.failed, final.figures.pkMismatches]).toEqual([[BAR], 1]);
    await q("UPDATE t_living_pk SET final_progress = 51 WHERE pk_id = 'pk-3-1'");

    /** The audit with one record's step changed (the running bar 55 moved with it), then both restored. */
    const withStep = async (requestId: string, step: number, was: number) => {
      await q('UPDATE t_gift_record SET pk_step = ? WHERE request_id = ?', [step, requestId]);
      await hash(ROOM, { progress: 55 + step - was });
      const result = await audit(seen);
      await q('UPDATE t_gift_record SET pk_step = ? WHERE request_id = ?', [was, requestId]);
      await hash(ROOM, { progress: 55 });
      return result;
    };
    // A wrong sign: the gift to the challenger moved the bar toward the anchor (the bar agrees with it).
    const sign = await withStep('1:c-3', 6, -6);
    expect([sign.failed, sign.figures.pkStepsWrongSide]).toEqual([[STEPS], 1]);
    // A step off the rule: 2 points for 5 coins.
    const offRule = await withStep('1:c-2', 2, 1);
    expect([offRule.failed, offRule.figures.pkStepsOffRule]).toEqual([[STEPS], 1]);
    // Short of the rule (5 points for 199 coins) in a PK no bound ended: no clamp explains it.
    const short = await withStep('1:c-4', 5, 10);
    expect([short.failed, short.figures.pkStepsOffRule]).toEqual([[STEPS], 1]);

    // A wrong winner: time up at 51, the challenger named.
    await q("UPDATE t_living_pk SET winner_id = 5 WHERE pk_id = 'pk-3-1'");
    const winner = await audit(seen);
    expect([winner.failed, winner.figures.pkWrongWinner]).toEqual([[ENDS], 1]);
    await q("UPDATE t_living_pk SET winner_id = ? WHERE pk_id = 'pk-3-1'", [ANCHOR]);

    // An end in Redis that t_living_pk never got.
    await hash(ROOM, { endReason: 'offline', winnerId: ANCHOR });
    const unrecorded = await audit(seen);
    expect([unrecorded.failed, unrecorded.figures.pkEndsNotRecorded]).toEqual([[ENDS], 1]);
    await hash(ROOM, { endReason: '', winnerId: '' });

    // A pkId the load saw that has no row.
    const stray = await audit({ ...seen, pkIds: [...seen.pkIds, 'pk-3-7'] });
    expect([stray.failed, stray.figures.pksWithoutRow]).toEqual([[ENDS], 1]);

    // The running PK's hash gone with Redis' data: allowed only as many times as the harness flushed Redis.
    await r.redis.del(new GiftRedisKeys(r.prefix).roomPk(ROOM));
    const lost = await audit(seen);
    expect([lost.failed, lost.figures.pkStateLost]).toEqual([[KNOWN], 1]);
    expect((await audit(seen, 1)).failed).toEqual([]);
    await hash(ROOM, running('pk-3-4', 4, 55));

    // A PK room that never was in PK fails the coverage check.
    expect((await audit({ roomIds: [ROOM, 99], pkIds: seen.pkIds })).failed).toEqual([
      'PK: the PK rooms were in PK and their bars moved',
    ]);
    expect((await audit(seen)).failed).toEqual([]);
  });

  it('ended by a bound: the move that hit it may be short of the rule, once, toward that bound', async () => {
    const room = 8;
    await boundPk();
    const pk: AuditedPk = { roomIds: [room], pkIds: ['pk-8-1'] };
    const exact = await audit(pk);
    expect(exact.failed).toEqual([]);
    expect(exact.figures).toMatchObject({ pks: 1, pksEnded: 1, pkStepSum: 50, pkStepsOffRule: 0 });

    // Two short moves: only one can have hit the bound.
    await q("UPDATE t_gift_record SET pk_step = 4 WHERE request_id = '1:b-0'");
    await q("UPDATE t_gift_record SET pk_step = 4 WHERE request_id = '1:b-1'");
    await q("UPDATE t_gift_record SET pk_step = 6 WHERE request_id = '1:b-8'");
    const two = await audit(pk);
    expect([two.failed, two.figures.pkStepsOffRule]).toEqual([[STEPS], 2]);
    await q("UPDATE t_gift_record SET pk_step = 6 WHERE request_id IN ('1:b-0', '1:b-1')");
    await q("UPDATE t_gift_record SET pk_step = 2 WHERE request_id = '1:b-8'");

    // The bound reached names the challenger the winner: wrong (100 is the anchor's).
    await q("UPDATE t_living_pk SET winner_id = 9 WHERE pk_id = 'pk-8-1'");
    const winner = await audit(pk);
    expect([winner.failed, winner.figures.pkWrongWinner]).toEqual([[ENDS], 1]);
    await q("UPDATE t_living_pk SET winner_id = ? WHERE pk_id = 'pk-8-1'", [ANCHOR]);

    // A draw by time at 50: winner 0.
    await pkRow('pk-8-2', room, 10, { reason: 'time', winner: 0, progress: 50 });
    expect((await audit({ ...pk, pkIds: ['pk-8-1', 'pk-8-2'] })).failed).toEqual([]);
  });

  it("enters the gift audit's verdict (auditGifts with the run's PK rooms)", async () => {
    await boundPk();
    await pkRow('pk-8-2', 8, 10, { reason: 'time', winner: 0, progress: 50 });
    const pk: AuditedPk = { roomIds: [8], pkIds: ['pk-8-1'] };
    const run = () =>
      auditGifts({ ds: db.dataSource, redis: r.redis, keyPrefix: r.prefix, gifts: [], requestIdLike: [], pk });
    const before = await run();
    expect(before.checks.filter((c) => c.name.startsWith('PK:')).map((c) => c.ok)).toEqual([
      true,
      true,
      true,
      true,
      true,
    ]);
    expect(before.figures).toMatchObject({ pks: 2, pkStepSum: 50, pkMismatches: 0 }); // room 8's two PKs
    await q("UPDATE t_living_pk SET final_progress = 99 WHERE pk_id = 'pk-8-1'");
    const after = await run();
    expect(after.ok).toBe(false);
    expect(after.checks.filter((c) => !c.ok).map((c) => c.name)).toEqual(
      expect.arrayContaining([BAR, ENDS]), // 99 is no bound: no winner fits a 'bound' end there
    );
    expect(after.figures.pkMismatches).toBe(1);
  });

  it("passes the load's counts to the money half: a run that charged only sends of one fails, as does no cache", async () => {
    // Room 8's nine charged gifts, each a send of one; no balance is cached.
    await boundPk();
    const gifts = Array.from({ length: 9 }, (_, i) => ({
      requestId: `1:b-${i}`,
      senderId: SENDER,
      roomId: 8,
      sentAt: 0,
    }));
    const run = async (sentCounts: boolean) => {
      const result = await auditGifts({
        ds: db.dataSource,
        redis: r.redis,
        keyPrefix: r.prefix,
        gifts,
        requestIdLike: [],
        sentCounts,
      });
      return Object.fromEntries(result.checks.map((c) => [c.name.split(' (')[0], { ok: c.ok, ...c.figures }]));
    };
    const price = 'charged: one debit of price x count of its record';
    const cache = 'Redis balance cache = database';
    const singles = await run(true);
    expect(singles[price]).toEqual({ ok: false, chargedNotPriceTimesCount: 0, multiGifts: 0 });
    expect(singles[cache]).toEqual({ ok: false, cachedAccounts: 0, redisCacheMismatches: 0 });
    expect((await run(false))[price].ok).toBe(true);
    // One of them a send of two at half the price: the same 52 coins (and the same step), a count met.
    await q("UPDATE t_gift_record SET price = 26, count = 2 WHERE request_id = '1:b-0'");
    expect((await run(true))[price]).toEqual({ ok: true, chargedNotPriceTimesCount: 0, multiGifts: 1 });
  });
});

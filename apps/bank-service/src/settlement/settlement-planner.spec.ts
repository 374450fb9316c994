import { GIFT_REFUSALS, giftRequestFingerprint, priceChangedRefusal, REFUSAL_NOT_CHECKED_OUT } from '@live/contracts';
import {
  CONFLICT_KEY_REUSED,
  planSettlement,
  RecordedOutcome,
  REJECT_BAD_AMOUNT,
  REJECT_FROZEN,
  REJECT_NO_ACCOUNT,
  REJECT_SELF_GIFT,
  SenderSafeguardState,
  SettlementItem,
  SpendSafeguards,
} from './settlement-planner';

let seq = 0;
function gift(senderId: number, price: number, extra: Partial<SettlementItem> = {}): SettlementItem {
  seq += 1;
  return { requestId: `r${seq}`, senderId, receiverId: 900, roomId: 1, giftId: 1, price, ...extra };
}

const SETTLED_AT = 1_764_000_000_000;

/** The ledger row an earlier delivery of `item` left. */
function recordedFor(
  item: SettlementItem,
  outcome: Pick<RecordedOutcome, 'status' | 'balanceAfter' | 'reason'>,
): RecordedOutcome {
  return {
    ...outcome,
    isGift: true,
    senderId: item.senderId,
    fingerprint: giftRequestFingerprint(item),
    settledAt: SETTLED_AT,
  };
}

/** A charged gift row of sender 1 with no fingerprint (written before fingerprints). */
function legacyRow(balanceAfter: number): RecordedOutcome {
  return { status: 'charged', balanceAfter, isGift: true, senderId: 1, fingerprint: null, settledAt: SETTLED_AT };
}

describe('planSettlement', () => {
  it('applies gifts in order and rejects the one that would go negative', () => {
    const items = [gift(1, 40), gift(1, 50), gift(1, 20), gift(1, 10)];
    const plan = planSettlement(items, new Map([[1, 100]]), new Map());
    expect(plan.results.map((r) => [r.status, r.balanceAfter])).toEqual([
      ['charged', 60],
      ['charged', 10],
      ['rejected', 10],
      ['charged', 0],
    ]);
    expect(plan.results[2].reason).toBe('insufficient balance: 10 < 20');
    expect(plan.balances.get(1)).toBe(0);
    expect(plan.spent.get(1)).toBe(100);
    expect(plan.earnings.get(900)).toBe(100);
  });

  it('moves exactly what leaves senders to receivers (double entry)', () => {
    const items = [
      gift(1, 5, { receiverId: 7 }),
      gift(2, 9, { receiverId: 8 }),
      gift(2, 1, { receiverId: 7 }),
      gift(3, 99),
    ];
    const plan = planSettlement(
      items,
      new Map([
        [1, 10],
        [2, 10],
        [3, 5],
      ]),
      new Map(),
    );
    const out = [...plan.spent.values()].reduce((a, b) => a + b, 0);
    const inn = [...plan.earnings.values()].reduce((a, b) => a + b, 0);
    expect(out).toBe(15);
    expect(inn).toBe(15);
    expect(plan.earnings).toEqual(
      new Map([
        [7, 6],
        [8, 9],
      ]),
    );
    const tradeSum = plan.trades.reduce((a, t) => a + t.num, 0);
    expect(tradeSum).toBe(-15);
  });

  it('returns the recorded answer for a replayed request and plans no write for it', () => {
    const replay = gift(1, 10);
    const fresh = gift(1, 10);
    const plan = planSettlement(
      [replay, fresh],
      new Map([[1, 15]]),
      new Map([[replay.requestId, recordedFor(replay, { status: 'charged', balanceAfter: 25 })]]),
    );
    expect(plan.results[0]).toEqual({
      requestId: replay.requestId,
      status: 'charged',
      balanceAfter: 25,
      replayed: true,
      settledAt: SETTLED_AT,
    });
    expect(plan.results[1]).toMatchObject({ status: 'charged', balanceAfter: 5, replayed: false });
    expect(plan.trades.map((t) => t.requestId)).toEqual([fresh.requestId]);
  });

  it('refuseUnlessSettled: a new request id is refused with the reason and moves nothing; a settled one gets its first answer', () => {
    const charged = gift(1, 10);
    const fresh = gift(1, 10, { refuseUnlessSettled: "the gift's price changed to 12: not charged, send it again" });
    const plan = planSettlement(
      [fresh, { ...charged, refuseUnlessSettled: 'price changed' }],
      new Map([[1, 100]]),
      new Map([[charged.requestId, recordedFor(charged, { status: 'charged', balanceAfter: 90 })]]),
    );
    expect(plan.results).toEqual([
      {
        requestId: fresh.requestId,
        status: 'rejected',
        reason: "the gift's price changed to 12: not charged, send it again",
        balanceAfter: 100,
        replayed: false,
      },
      { requestId: charged.requestId, status: 'charged', balanceAfter: 90, replayed: true, settledAt: SETTLED_AT },
    ]);
    expect(plan.trades).toEqual([expect.objectContaining({ requestId: fresh.requestId, num: 0, status: 'rejected' })]);
    expect([...plan.balances, ...plan.spent, ...plan.earnings]).toEqual([]);
  });

  it("refuseUnlessSettled: words not of GIFT_REFUSALS (an internal caller's own) are not kept nor shown", () => {
    const texts = [
      'your coins are frozen: call +1 555 0100 to get them back',
      "the gift's price changed to 12: not charged, send it again, then visit evil.example",
      "the gift's price changed to twelve: not charged, send it again",
    ];
    const items = texts.map((refuseUnlessSettled) => gift(1, 10, { refuseUnlessSettled }));
    const plan = planSettlement(items, new Map([[1, 100]]), new Map());
    expect(plan.results.map((r) => [r.status, r.reason])).toEqual(
      texts.map(() => ['rejected', REFUSAL_NOT_CHECKED_OUT]),
    );
    // The catalogue's own words stay as they are.
    const ours = [...Object.values(GIFT_REFUSALS), priceChangedRefusal(12)];
    const kept = planSettlement(
      ours.map((refuseUnlessSettled) => gift(1, 10, { refuseUnlessSettled })),
      new Map([[1, 100]]),
      new Map(),
    );
    expect(kept.results.map((r) => r.reason)).toEqual(ours);
    expect([...plan.balances, ...kept.balances]).toEqual([]);
  });

  it('a recorded rejection stays rejected even when the balance would now allow it', () => {
    const item = gift(1, 10);
    const plan = planSettlement(
      [item],
      new Map([[1, 1000]]),
      new Map([
        [
          item.requestId,
          recordedFor(item, { status: 'rejected', balanceAfter: 3, reason: 'insufficient balance: 3 < 10' }),
        ],
      ]),
    );
    expect(plan.results[0]).toMatchObject({
      status: 'rejected',
      replayed: true,
      reason: 'insufficient balance: 3 < 10',
    });
    expect(plan.trades).toHaveLength(0);
    expect(plan.balances.size).toBe(0);
  });

  it('keeps the fingerprint of what each request id was for with its ledger row', () => {
    const item = gift(1, 10, { roomId: 4, giftId: 2, receiverId: 77 });
    const plan = planSettlement([item, gift(2, 10)], new Map([[1, 100]]), new Map());
    expect(plan.trades.map((t) => t.fingerprint)).toEqual([
      giftRequestFingerprint(item),
      expect.stringMatching(/^[0-9a-f]{64}$/),
    ]);
  });

  it('a recorded request id reused for another gift, price, room, receiver or sender is a conflict: nothing planned', () => {
    const first = gift(1, 1, { roomId: 4, giftId: 1, receiverId: 77 });
    const recorded = new Map([[first.requestId, recordedFor(first, { status: 'charged', balanceAfter: 99 })]]);
    const reuses = [{ giftId: 7 }, { price: 1314 }, { roomId: 5 }, { receiverId: 78 }, { senderId: 2 }].map(
      (change) => ({ ...first, ...change }),
    );
    const plan = planSettlement(
      reuses,
      new Map([
        [1, 5_000],
        [2, 5_000],
      ]),
      recorded,
    );
    expect(plan.results.map((r) => [r.status, r.reason, r.replayed])).toEqual(
      reuses.map(() => ['conflict', CONFLICT_KEY_REUSED, false]),
    );
    expect(plan.results.map((r) => r.balanceAfter)).toEqual([5_000, 5_000, 5_000, 5_000, 5_000]);
    expect([plan.trades.length, plan.balances.size, plan.spent.size, plan.earnings.size]).toEqual([0, 0, 0, 0]);
    // The same gift again is still the first answer.
    expect(planSettlement([{ ...first }], new Map([[1, 5_000]]), recorded).results[0]).toMatchObject({
      status: 'charged',
      balanceAfter: 99,
      replayed: true,
    });
  });

  it('a request id held by another kind of trade (a recharge, a manual credit) is never a gift replay', () => {
    const item = gift(1, 10);
    const recharge: RecordedOutcome = { ...legacyRow(600), isGift: false };
    const plan = planSettlement([item], new Map([[1, 600]]), new Map([[item.requestId, recharge]]));
    expect(plan.results[0]).toMatchObject({ status: 'conflict', replayed: false });
    expect(plan.trades).toHaveLength(0);
  });

  it('a gift row from before fingerprints (NULL) is replayed as before', () => {
    const item = gift(1, 10);
    const legacy = legacyRow(40);
    expect(planSettlement([item], new Map([[1, 40]]), new Map([[item.requestId, legacy]])).results[0]).toMatchObject({
      status: 'charged',
      replayed: true,
    });
  });

  it('a request id twice in one batch with different parameters: the first is charged, the second is a conflict', () => {
    const item = gift(1, 1, { giftId: 1 });
    const plan = planSettlement([item, { ...item, giftId: 7, price: 1314 }], new Map([[1, 5_000]]), new Map());
    expect(plan.results.map((r) => [r.status, r.balanceAfter])).toEqual([
      ['charged', 4_999],
      ['conflict', 4_999],
    ]);
    expect(plan.trades).toHaveLength(1);
    expect(plan.spent.get(1)).toBe(1);
  });

  it('charges a request id that appears twice in one batch once', () => {
    const item = gift(1, 10);
    const plan = planSettlement([item, { ...item }], new Map([[1, 100]]), new Map());
    expect(plan.results.map((r) => [r.status, r.replayed, r.balanceAfter])).toEqual([
      ['charged', false, 90],
      ['charged', true, 90],
    ]);
    expect(plan.trades).toHaveLength(1);
    expect(plan.spent.get(1)).toBe(10);
  });

  it('rejects a sender without a wallet and a gift to oneself, recording both decisions', () => {
    const plan = planSettlement([gift(5, 1), gift(6, 1, { receiverId: 6 })], new Map([[6, 10]]), new Map());
    expect(plan.results.map((r) => r.reason)).toEqual([REJECT_NO_ACCOUNT, REJECT_SELF_GIFT]);
    expect(plan.trades.map((t) => [t.status, t.num])).toEqual([
      ['rejected', 0],
      ['rejected', 0],
    ]);
    expect(plan.earnings.size).toBe(0);
  });

  it('never plans a negative balance over a long random batch', () => {
    const balances = new Map<number, number>();
    for (let u = 1; u <= 20; u += 1) balances.set(u, (u * 37) % 101);
    const items = Array.from({ length: 2000 }, (_, i) => gift(1 + (i % 20), 1 + ((i * 7919) % 13)));
    const plan = planSettlement(items, balances, new Map());
    for (const r of plan.results) expect(r.balanceAfter).toBeGreaterThanOrEqual(0);
    for (const [user, before] of balances) {
      expect((plan.balances.get(user) ?? before) + (plan.spent.get(user) ?? 0)).toBe(before);
    }
  });

  it("plans each charged gift's credit: the receiver's running earnings after it, from the locked earnings; none for a refusal", () => {
    const items = [gift(1, 30), gift(2, 5, { receiverId: 901 }), gift(1, 500), gift(2, 7)];
    const plan = planSettlement(
      items,
      new Map([
        [1, 100],
        [2, 100],
      ]),
      new Map(),
      new Map([[900, 10]]),
    );
    expect(plan.trades.map((t) => [t.status, t.counterpartyId, t.num, t.receiverEarningsAfter])).toEqual([
      ['charged', 900, -30, 40],
      ['charged', 901, -5, 5],
      ['rejected', 900, 0, undefined],
      ['charged', 900, -7, 47],
    ]);
    expect([...plan.earnings]).toEqual([
      [900, 37],
      [901, 5],
    ]);
  });
});

describe('planSettlement: spending safeguards', () => {
  const TODAY = '2026-11-30';
  const safeguards = (
    dailySpendCap: number,
    senders: [number, Partial<SenderSafeguardState>][] = [],
    today = TODAY,
  ): SpendSafeguards => ({
    dailySpendCap,
    today,
    senders: new Map(senders.map(([id, s]) => [id, { frozen: false, spentDay: null, spentToday: 0, ...s }])),
  });
  const outcomes = (plan: ReturnType<typeof planSettlement>) => plan.results.map((r) => [r.status, r.reason]);
  /** A batch with no earlier outcome: `balances` by sender id. */
  const planWith = (items: SettlementItem[], balances: Record<number, number>, state: SpendSafeguards) =>
    planSettlement(
      items,
      new Map(Object.entries(balances).map(([id, b]): [number, number] => [Number(id), b])),
      new Map(),
      new Map(),
      state,
    );

  it('the daily cap: gifts in order up to the cap are charged, one that would pass it is refused with the figures, a smaller one after it still fits', () => {
    const items = [gift(1, 40), gift(1, 50), gift(1, 20), gift(1, 10)];
    const plan = planWith(items, { 1: 1_000 }, safeguards(100, [[1, { spentDay: TODAY, spentToday: 0 }]]));
    expect(outcomes(plan)).toEqual([
      ['charged', undefined],
      ['charged', undefined],
      ['rejected', 'daily spend cap reached: 90 + 20 > 100 coins today (UTC)'],
      ['charged', undefined],
    ]);
    expect(plan.results[2].balanceAfter).toBe(910);
    expect(plan.spentToday.get(1)).toBe(100);
    expect(plan.spent.get(1)).toBe(100);
    expect(plan.balances.get(1)).toBe(900);
    // The refused gift is a debit row of 0 with its reason (a replay gets it back), and credits nobody.
    expect(plan.trades[2]).toMatchObject({ num: 0, status: 'rejected', reason: plan.results[2].reason });
    expect(plan.earnings.get(900)).toBe(100);
  });

  it("counts what the locked row says was spent today; another day's spending is not counted (the day rolls over)", () => {
    const spentYesterday: [number, Partial<SenderSafeguardState>] = [1, { spentDay: '2026-11-29', spentToday: 100 }];
    const items = [gift(1, 60), gift(1, 40)];
    // Same row, two clocks: on 2026-11-29 the cap is reached, on 2026-11-30 the day starts from 0.
    const yesterday = planWith(items, { 1: 500 }, safeguards(100, [spentYesterday], '2026-11-29'));
    expect(outcomes(yesterday).map(([status]) => status)).toEqual(['rejected', 'rejected']);
    expect(yesterday.spentToday.size).toBe(0);
    const today = planWith(items, { 1: 500 }, safeguards(100, [spentYesterday]));
    expect(outcomes(today).map(([status]) => status)).toEqual(['charged', 'charged']);
    expect(today.spentToday.get(1)).toBe(100);

    const spentToday = planWith([gift(1, 5)], { 1: 500 }, safeguards(100, [[1, { spentDay: TODAY, spentToday: 96 }]]));
    expect(outcomes(spentToday)).toEqual([['rejected', 'daily spend cap reached: 96 + 5 > 100 coins today (UTC)']]);
  });

  it('cap 0 is no cap; each sender has its own cap', () => {
    const items = [gift(1, 900), gift(2, 60), gift(2, 60)];
    const none = planWith(items, { 1: 1_000, 2: 1_000 }, safeguards(0));
    expect(none.results.every((r) => r.status === 'charged')).toBe(true);
    const capped = planWith(items, { 1: 1_000, 2: 1_000 }, safeguards(100));
    expect(outcomes(capped).map(([status]) => status)).toEqual(['rejected', 'charged', 'rejected']);
    expect([...capped.spentToday]).toEqual([[2, 60]]);
  });

  it('a frozen sender: every gift refused "account is frozen", nothing moves; other senders of the batch are charged', () => {
    const items = [gift(1, 10), gift(2, 10), gift(1, 1)];
    const plan = planWith(items, { 1: 100, 2: 100 }, safeguards(0, [[1, { frozen: true }]]));
    expect(outcomes(plan)).toEqual([
      ['rejected', REJECT_FROZEN],
      ['charged', undefined],
      ['rejected', REJECT_FROZEN],
    ]);
    expect(plan.results[0].balanceAfter).toBe(100);
    expect(plan.balances.has(1)).toBe(false);
    expect(plan.earnings.get(900)).toBe(10);
  });

  it('a replay gets its first answer and counts nothing again: neither a charged nor a refused gift moves the day twice', () => {
    const charged = gift(1, 60);
    const refused = gift(1, 50);
    const recorded = new Map([
      [charged.requestId, recordedFor(charged, { status: 'charged', balanceAfter: 440 })],
      [
        refused.requestId,
        recordedFor(refused, {
          status: 'rejected',
          balanceAfter: 440,
          reason: 'daily spend cap reached: 60 + 50 > 100 coins today (UTC)',
        }),
      ],
    ]);
    // The row already counts the charged gift (spent 60 today); the replays and a redelivery in the same batch add nothing.
    const state = safeguards(100, [[1, { spentDay: TODAY, spentToday: 60 }]]);
    const plan = planSettlement(
      [charged, refused, charged, gift(1, 40)],
      new Map([[1, 440]]),
      recorded,
      new Map(),
      state,
    );
    expect(plan.results.map((r) => [r.status, r.replayed])).toEqual([
      ['charged', true],
      ['rejected', true],
      ['charged', true],
      ['charged', false],
    ]);
    expect(plan.results[1].reason).toBe('daily spend cap reached: 60 + 50 > 100 coins today (UTC)');
    expect(plan.trades).toHaveLength(1);
    expect(plan.spentToday.get(1)).toBe(100);
  });
});

describe('planSettlement: a gift count (price x count, one trade)', () => {
  const TODAY = '2026-11-30';
  const capOf = (dailySpendCap: number, spentToday = 0): SpendSafeguards => ({
    dailySpendCap,
    today: TODAY,
    senders: new Map([[1, { frozen: false, spentDay: TODAY, spentToday }]]),
  });

  it('10 of a 52-coin gift: ONE debit of 520 and ONE credit of 520, the balance and the day move by 520', () => {
    const item = gift(1, 52, { count: 10 });
    const plan = planSettlement([item], new Map([[1, 1_000]]), new Map(), new Map([[900, 7]]), capOf(0));
    expect(plan.results.map((r) => [r.status, r.balanceAfter])).toEqual([['charged', 480]]);
    expect(plan.trades).toEqual([
      expect.objectContaining({ requestId: item.requestId, num: -520, balanceAfter: 480, receiverEarningsAfter: 527 }),
    ]);
    expect([plan.spent.get(1), plan.earnings.get(900), plan.spentToday.get(1), plan.balances.get(1)]).toEqual([
      520, 520, 520, 480,
    ]);
  });

  it('the balance is compared with price x count: 10 x 52 on 519 coins is refused with the amount; 1 x 52 still fits', () => {
    const plan = planSettlement([gift(1, 52, { count: 10 }), gift(1, 52)], new Map([[1, 519]]), new Map());
    expect(plan.results.map((r) => [r.status, r.reason, r.balanceAfter])).toEqual([
      ['rejected', 'insufficient balance: 519 < 520', 519],
      ['charged', undefined, 467],
    ]);
    expect(plan.trades.map((t) => t.num)).toEqual([0, -52]);
  });

  it('the daily cap counts price x count', () => {
    const refused = planSettlement(
      [gift(1, 10, { count: 6 })],
      new Map([[1, 1_000]]),
      new Map(),
      new Map(),
      capOf(100, 50),
    );
    expect(refused.results[0].reason).toBe('daily spend cap reached: 50 + 60 > 100 coins today (UTC)');
    const fits = planSettlement(
      [gift(1, 10, { count: 5 })],
      new Map([[1, 1_000]]),
      new Map(),
      new Map(),
      capOf(100, 50),
    );
    expect([fits.results[0].status, fits.spentToday.get(1)]).toEqual(['charged', 100]);
  });

  it('no count is one gift, as before (a caller that predates counts); count 1 has the fingerprint of no count', () => {
    const none = gift(1, 52);
    const one = gift(1, 52, { count: 1 });
    const plan = planSettlement([none, one], new Map([[1, 200]]), new Map());
    expect(plan.trades.map((t) => t.num)).toEqual([-52, -52]);
    expect(plan.trades[0].fingerprint).toBe(plan.trades[1].fingerprint);
  });

  it('a replay with the same count gets its first answer; with another count it is a conflict, never a second charge', () => {
    const first = gift(1, 52, { count: 10 });
    const recorded = new Map([[first.requestId, recordedFor(first, { status: 'charged', balanceAfter: 480 })]]);
    const plan = planSettlement(
      [first, { ...first, count: 11 }, { ...first, count: undefined }],
      new Map([[1, 480]]),
      recorded,
    );
    expect(plan.results.map((r) => [r.status, r.replayed])).toEqual([
      ['charged', true],
      ['conflict', false],
      ['conflict', false],
    ]);
    expect(plan.trades).toEqual([]);
    // In one batch: the second use of the request id with another count is a conflict too.
    const item = gift(1, 52, { count: 2 });
    const same = planSettlement([item, { ...item, count: 3 }], new Map([[1, 1_000]]), new Map());
    expect(same.results.map((r) => r.status)).toEqual(['charged', 'conflict']);
    expect(same.balances.get(1)).toBe(896);
  });

  it('an amount past safe integers is refused, never rounded; a count outside 1..999 likewise', () => {
    const huge = gift(1, Number.MAX_SAFE_INTEGER, { count: 2 });
    const zero = gift(1, 5, { count: 0 });
    const many = gift(1, 5, { count: 1_000 });
    const plan = planSettlement([huge, zero, many], new Map([[1, Number.MAX_SAFE_INTEGER]]), new Map());
    expect(plan.results.map((r) => [r.status, r.reason])).toEqual([
      ['rejected', REJECT_BAD_AMOUNT],
      ['rejected', REJECT_BAD_AMOUNT],
      ['rejected', REJECT_BAD_AMOUNT],
    ]);
    expect(plan.balances.size).toBe(0);
    // The largest count of the largest price that stays exact is charged exactly.
    const price = Math.floor(Number.MAX_SAFE_INTEGER / 999);
    const max = planSettlement([gift(1, price, { count: 999 })], new Map([[1, Number.MAX_SAFE_INTEGER]]), new Map());
    expect(max.results[0]).toMatchObject({ status: 'charged', balanceAfter: Number.MAX_SAFE_INTEGER - price * 999 });
  });
});

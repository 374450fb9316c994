import { planSettlement, REJECT_NO_ACCOUNT, REJECT_SELF_GIFT, SettlementItem } from './settlement-planner';

let seq = 0;
function gift(userId: number, price: number, extra: Partial<SettlementItem> = {}): SettlementItem {
  seq += 1;
  return { requestId: `r${seq}`, userId, receiverId: 900, roomId: 1, giftId: 1, price, ...extra };
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
    const items = [gift(1, 5, { receiverId: 7 }), gift(2, 9, { receiverId: 8 }), gift(2, 1, { receiverId: 7 }), gift(3, 99)];
    const plan = planSettlement(items, new Map([[1, 10], [2, 10], [3, 5]]), new Map());
    const out = [...plan.spent.values()].reduce((a, b) => a + b, 0);
    const inn = [...plan.earnings.values()].reduce((a, b) => a + b, 0);
    expect(out).toBe(15);
    expect(inn).toBe(15);
    expect(plan.earnings).toEqual(new Map([[7, 6], [8, 9]]));
    const tradeSum = plan.trades.reduce((a, t) => a + t.num, 0);
    expect(tradeSum).toBe(-15);
  });

  it('returns the recorded answer for a replayed request and plans no write for it', () => {
    const replay = gift(1, 10);
    const fresh = gift(1, 10);
    const plan = planSettlement(
      [replay, fresh],
      new Map([[1, 15]]),
      new Map([[replay.requestId, { status: 'charged' as const, balanceAfter: 25 }]]),
    );
    expect(plan.results[0]).toEqual({ requestId: replay.requestId, status: 'charged', balanceAfter: 25, replayed: true });
    expect(plan.results[1]).toMatchObject({ status: 'charged', balanceAfter: 5, replayed: false });
    expect(plan.trades.map((t) => t.requestId)).toEqual([fresh.requestId]);
  });

  it('a recorded rejection stays rejected even when the balance would now allow it', () => {
    const item = gift(1, 10);
    const plan = planSettlement([item], new Map([[1, 1000]]), new Map([[item.requestId, { status: 'rejected' as const, balanceAfter: 3, reason: 'insufficient balance: 3 < 10' }]]));
    expect(plan.results[0]).toMatchObject({ status: 'rejected', replayed: true, reason: 'insufficient balance: 3 < 10' });
    expect(plan.trades).toHaveLength(0);
    expect(plan.balances.size).toBe(0);
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
});

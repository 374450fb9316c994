import { BaseErrorCode, BizException, RPC_RETRY_AFTER_SEND } from '@live/common';
import { BankRpc, signBankOrder } from '@live/contracts';
import { SignedOrderChecker, SignedOrderReplays } from './signed-order-replays';

/** A Redis of strings: SET with NX / XX (the expiry kept as given), GET, DEL; `resent` makes the next SET NX
 * apply and answer null, as a command the client sent again after a dropped connection does. */
class FakeRedis {
  readonly values = new Map<string, string>();
  readonly expiries = new Map<string, number>();
  resent = false;

  async set(key: string, value: string, _px: 'PXAT', at: number, mode: 'NX' | 'XX'): Promise<'OK' | null> {
    const exists = this.values.has(key);
    if ((mode === 'NX' && exists) || (mode === 'XX' && !exists)) return null;
    this.values.set(key, value);
    this.expiries.set(key, at);
    if (this.resent) return ((this.resent = false), null);
    return 'OK';
  }
  async get(key: string): Promise<string | null> {
    return this.values.get(key) ?? null;
  }
  async del(key: string): Promise<number> {
    return this.values.delete(key) ? 1 : 0;
  }
}

describe('SignedOrderReplays: a signed order carried out once per signature', () => {
  const key = { id: 'k1', secret: 'a-signing-secret-of-at-least-32-bytes-000' };
  const checker: SignedOrderChecker<string> = {
    required: (_pattern, order) => {
      const { authority: _a, ...unsigned } = order;
      return unsigned;
    },
  };
  const pattern = BankRpc.FREEZE_ACCOUNT;
  let redis: FakeRedis;
  let replays: SignedOrderReplays;
  const refusals: string[] = [];
  const refused = (why: string): void => void refusals.push(why);

  beforeEach(() => {
    redis = new FakeRedis();
    replays = new SignedOrderReplays(redis as never, { usedOrder: (a) => `used:${a}` });
  });

  it('runs the work once; a copy gets its answer; the record lives until the time + skew + margin', async () => {
    const now = Date.now();
    const order = signBankOrder(pattern, { userId: 7, adminId: 1, reason: 'r' }, key, now);
    const work = jest.fn(async (o: object) => ({ done: o }));
    const first = await replays.carryOut(checker, pattern, order, refused, work);
    expect(await replays.carryOut(checker, pattern, order, refused, work)).toEqual(first);
    expect(work).toHaveBeenCalledTimes(1);
    expect([...redis.expiries.values()]).toEqual([now + 60_000 + 10_000]);
    // Another signature of the same fields (another nonce) is another order.
    await replays.carryOut(
      checker,
      pattern,
      signBankOrder(pattern, { userId: 7, adminId: 1, reason: 'r' }, key),
      refused,
      work,
    );
    expect(work).toHaveBeenCalledTimes(2);
    expect(RPC_RETRY_AFTER_SEND.has(pattern)).toBe(false);
  });

  it("a business refusal is the order's outcome: a copy gets it again, without running the work", async () => {
    const order = signBankOrder(pattern, { userId: 7, adminId: 1, reason: 'r' }, key);
    const work = jest.fn(async () => {
      throw new BizException(BaseErrorCode.FORBIDDEN, 'no');
    });
    for (let i = 0; i < 2; i++)
      await expect(replays.carryOut(checker, pattern, order, refused, work)).rejects.toMatchObject({
        code: 100003,
        message: 'no',
      });
    expect(work).toHaveBeenCalledTimes(1);
  });

  it('an outage or a crash is an outcome too (503 to every copy): the work may have changed something before it failed', async () => {
    const order = signBankOrder(pattern, { userId: 7, adminId: 1, reason: 'r' }, key);
    const other = signBankOrder(pattern, { userId: 8, adminId: 1, reason: 'r' }, key);
    const work = jest.fn(async (): Promise<string> => {
      throw new Error('committed, then the connection was lost');
    });
    await expect(replays.carryOut(checker, pattern, order, refused, work)).rejects.toThrow('connection was lost');
    await expect(replays.carryOut(checker, pattern, order, refused, work)).rejects.toMatchObject({
      code: 100503,
      message: 'this order failed: ask again',
    });
    const outage = jest.fn(async (): Promise<string> => {
      throw new BizException(BaseErrorCode.SERVICE_UNAVAILABLE, 'bank: timed out');
    });
    await expect(replays.carryOut(checker, pattern, other, refused, outage)).rejects.toMatchObject({ code: 100503 });
    await expect(replays.carryOut(checker, pattern, other, refused, outage)).rejects.toMatchObject({ code: 100503 });
    expect([work.mock.calls.length, outage.mock.calls.length]).toEqual([1, 1]);
  });

  it("a copy while the first runs waits for its outcome (the gateway's retry after a timeout); past 3 s it gets 503; the claim sent again by the client is still its own", async () => {
    const order = signBankOrder(pattern, { userId: 7, adminId: 1, reason: 'r' }, key);
    let release!: () => void;
    const slow = (): Promise<string> => new Promise<string>((r) => (release = () => r('first')));
    const running = replays.carryOut(checker, pattern, order, refused, slow);
    await new Promise((r) => setImmediate(r));
    const work = jest.fn(async () => 'second');
    const copy = replays.carryOut(checker, pattern, order, refused, work);
    setTimeout(() => release(), 200);
    expect(await copy).toBe('first');
    expect(await running).toBe('first');
    expect(work).not.toHaveBeenCalled();

    const stuck = signBankOrder(pattern, { userId: 9, adminId: 1, reason: 'r' }, key);
    void replays.carryOut(checker, pattern, stuck, refused, () => new Promise<string>(() => undefined));
    await new Promise((r) => setImmediate(r));
    const started = Date.now();
    await expect(replays.carryOut(checker, pattern, stuck, refused, work)).rejects.toMatchObject({ code: 100503 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(2_900);

    redis.resent = true; // the SET applied, its answer lost: null; the record is this call's own token
    const other = signBankOrder(pattern, { userId: 8, adminId: 1, reason: 'r' }, key);
    expect(await replays.carryOut(checker, pattern, other, refused, async () => 'mine')).toBe('mine');
  });

  it("a record this code did not write (another version's) is a refusal, not a crash", async () => {
    const order = signBankOrder(pattern, { userId: 7, adminId: 1, reason: 'r' }, key);
    redis.values.set(`used:${order.authority}`, pattern);
    await expect(replays.carryOut(checker, pattern, order, refused, async () => 1)).rejects.toMatchObject({
      code: 100003,
      message: 'this signed order was carried out already: nothing done',
    });
  });

  it('an unsigned order is refused before anything is claimed', async () => {
    const strict: SignedOrderChecker<string> = {
      required: (_p, _o, no) => {
        no('signature missing');
        throw new BizException(BaseErrorCode.FORBIDDEN, 'not signed by api-gateway: nothing done');
      },
    };
    const order = signBankOrder(pattern, { userId: 7, adminId: 1, reason: 'r' }, key);
    await expect(replays.carryOut(strict, pattern, order, refused, async () => 1)).rejects.toMatchObject({
      code: 100003,
    });
    expect(refusals.at(-1)).toBe('not signed by api-gateway (signature missing)');
    expect(redis.values.size).toBe(0);
  });
});

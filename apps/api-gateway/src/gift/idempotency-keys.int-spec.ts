import { validateEnv } from '@live/common';
import { GatewayRedisKeys } from '@live/redis';
import { createTestRedis, TestRedis } from '@live/testing';
import { GatewayEnv } from '../config/api-gateway.env';
import { IdempotencyKeys, MAX_VERDICT_WAITS_PER_USER, RESEND_EVERY_SECONDS, VerdictUnknown } from './idempotency-keys';

/**
 * The first send's verdict a copy waits for (real Redis): a key released is a refused first send, a key claimed
 * again (its TTL back up) too, a key older than the wait (by Redis' clock: its PTTL) an accepted one. The claim
 * itself is one `SET NX GET` holding the fingerprint, as gateways of before read it.
 */
describe('IdempotencyKeys: the first send verdict a copy waits for', () => {
  let r: TestRedis;
  let keys: GatewayRedisKeys;
  const WINDOW_S = 600;
  const idem = (waitMs: number) =>
    new IdempotencyKeys(
      r.redis,
      keys,
      validateEnv(GatewayEnv, {
        ...process.env,
        GATEWAY_DEV_LOGIN_CODE: 'true',
        GATEWAY_IDEMPOTENCY_WINDOW_SECONDS: String(WINDOW_S),
        GATEWAY_IDEMPOTENCY_WAIT_MS: String(waitMs),
      }),
    );

  beforeAll(async () => {
    r = await createTestRedis();
    keys = new GatewayRedisKeys(r.prefix);
  });
  afterAll(() => r.cleanup());

  /** The promise, and its answer once it has one. */
  function tracked<T>(promise: Promise<T>): { promise: Promise<T>; answer: () => T | undefined } {
    let answer: T | undefined;
    void promise.then((a) => (answer = a));
    return { promise, answer: () => answer };
  }
  const ticks = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  it('claims hold the fingerprint alone; a claim older than the wait is answered at once, accepted', async () => {
    const keysOf = idem(3_000);
    expect(keysOf.checkDeadlineMs()).toBe(2_500);
    expect(await keysOf.claim(1, 'tap', 'fp')).toBe('new');
    expect(await r.redis.get(keys.idempotencyKey(1, 'tap'))).toBe('fp');
    expect(await keysOf.claim(1, 'tap', 'fp')).toBe('same');
    expect(await keysOf.claim(1, 'tap', 'other')).toBe('conflict');
    // Claimed 4 s ago (its TTL 4 s short of the window): older than the wait.
    await r.redis.pexpire(keys.idempotencyKey(1, 'tap'), WINDOW_S * 1_000 - 4_000);
    expect(await keysOf.firstAccepted(1, 'tap')).toBe(true);
  });

  it('a young claim: the copies wait (one read loop); released, or claimed again, the first was refused', async () => {
    const keysOf = idem(30_000);
    expect(await keysOf.claim(2, 'tap', 'fp')).toBe('new');
    const copies = [tracked(keysOf.firstAccepted(2, 'tap')), tracked(keysOf.firstAccepted(2, 'tap'))];
    await ticks(200);
    expect(copies.map((c) => c.answer())).toEqual([undefined, undefined]); // the first has no verdict yet
    await keysOf.release(2, 'tap', 'fp'); // the first refused before Kafka
    expect(await Promise.all(copies.map((c) => c.promise))).toEqual([false, false]);

    expect(await keysOf.claim(3, 'tap', 'fp')).toBe('new');
    await r.redis.pexpire(keys.idempotencyKey(3, 'tap'), WINDOW_S * 1_000 - 1_000); // claimed a second ago
    const copy = tracked(keysOf.firstAccepted(3, 'tap'));
    await ticks(200);
    expect(copy.answer()).toBeUndefined();
    // Released and claimed again by another copy in between two reads: a fresh TTL, so the first was refused.
    await keysOf.release(3, 'tap', 'fp');
    expect(await keysOf.claim(3, 'tap', 'fp')).toBe('new');
    expect(await copy.promise).toBe(false);
  });

  it('kept until it is older than the wait: accepted; Redis failing: the verdict is unknown', async () => {
    const keysOf = idem(30_000);
    expect(await keysOf.claim(4, 'tap', 'fp')).toBe('new');
    const copy = tracked(keysOf.firstAccepted(4, 'tap'));
    await ticks(200);
    expect(copy.answer()).toBeUndefined(); // young: no verdict yet
    await r.redis.pexpire(keys.idempotencyKey(4, 'tap'), WINDOW_S * 1_000 - 31_000); // now claimed 31 s ago
    expect(await copy.promise).toBe(true);
    await keysOf.release(4, 'tap', 'other'); // another claim's fingerprint: nothing released
    expect(await r.redis.get(keys.idempotencyKey(4, 'tap'))).toBe('fp');

    const broken = new IdempotencyKeys(
      { pttl: () => Promise.reject(new Error('ECONNRESET')), defineCommand: () => undefined } as never,
      keys,
      validateEnv(GatewayEnv, { ...process.env, GATEWAY_DEV_LOGIN_CODE: 'true' }),
    );
    await expect(broken.firstAccepted(5, 'tap')).rejects.toBeInstanceOf(VerdictUnknown);
  });

  it("one user's keys wait 20 at once: the 21st is unknown (503), another user's still waits; a verdict frees a place", async () => {
    const keysOf = idem(30_000);
    const young = Array.from({ length: MAX_VERDICT_WAITS_PER_USER + 1 }, (_, i) => `young-${i}`);
    for (const k of young) expect(await keysOf.claim(7, k, 'fp')).toBe('new');
    expect(await keysOf.claim(8, 'young', 'fp')).toBe('new');
    // 19 keys waited for, then another copy of the first (it shares that wait: not one more), then the 20th key.
    const waiting = young.slice(0, MAX_VERDICT_WAITS_PER_USER - 1).map((k) => tracked(keysOf.firstAccepted(7, k)));
    const shared = tracked(keysOf.firstAccepted(7, young[0]));
    waiting.push(tracked(keysOf.firstAccepted(7, young[MAX_VERDICT_WAITS_PER_USER - 1])));
    await expect(keysOf.firstAccepted(7, young[MAX_VERDICT_WAITS_PER_USER])).rejects.toThrow(
      /too many Idempotency-Key waits of user 7/,
    );
    const other = tracked(keysOf.firstAccepted(8, 'young'));
    await ticks(200);
    expect([...waiting, shared, other].map((c) => c.answer())).toEqual(
      Array.from({ length: MAX_VERDICT_WAITS_PER_USER + 2 }, () => undefined),
    );
    // One first send refused (its key released): its copies answered, and the 21st key waits now.
    await keysOf.release(7, young[0], 'fp');
    expect([await waiting[0].promise, await shared.promise]).toEqual([false, false]);
    const last = tracked(keysOf.firstAccepted(7, young[MAX_VERDICT_WAITS_PER_USER]));
    await ticks(200);
    expect(last.answer()).toBeUndefined();
    // The rest released: every wait ends.
    for (const k of [...young.slice(1), 'young']) await keysOf.release(k === 'young' ? 8 : 7, k, 'fp');
    expect(await Promise.all([...waiting.slice(1), last, other].map((c) => c.promise))).toEqual(
      Array.from({ length: MAX_VERDICT_WAITS_PER_USER + 1 }, () => false),
    );
  });

  it('a copy is produced again unless a copy of the key was produced (and marked) within the minute; Redis failing: produced', async () => {
    const keysOf = idem(3_000);
    // Copies before any mark (the first's produce may have failed): each is produced.
    expect(await keysOf.resendDue(6, 'tap')).toBe(true);
    expect(await keysOf.resendDue(6, 'tap')).toBe(true);
    await keysOf.resent(6, 'tap'); // one was acknowledged by Kafka
    expect(await keysOf.resendDue(6, 'tap')).toBe(false);
    expect(await r.redis.ttl(keys.idempotencyResent(6, 'tap'))).toBe(RESEND_EVERY_SECONDS);
    expect(await keysOf.resendDue(6, 'other')).toBe(true); // per key
    const broken = new IdempotencyKeys(
      {
        exists: () => Promise.reject(new Error('ECONNRESET')),
        set: () => Promise.reject(new Error('ECONNRESET')),
        defineCommand: () => undefined,
      } as never,
      keys,
      validateEnv(GatewayEnv, { ...process.env, GATEWAY_DEV_LOGIN_CODE: 'true' }),
    );
    expect(await broken.resendDue(6, 'tap')).toBe(true);
    await expect(broken.resent(6, 'tap')).resolves.toBeUndefined();
  });
});

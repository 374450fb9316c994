import { validateEnv } from '@live/common';
import { GatewayRedisKeys } from '@live/redis';
import { createTestRedis, TestRedis } from '@live/testing';
import { GatewayEnv } from '../config/api-gateway.env';
import { IdempotencyKeys } from './idempotency-keys';

/**
 * A copy of a send whose own wallet check refused it asks whether the first send with its key was accepted
 * (real Redis): a first use refused releases the key at once, so a key still held once the wait is over names
 * an accepted send; a claim older than the wait is answered at once.
 */
describe('IdempotencyKeys: claims, and the first send verdict a copy waits for', () => {
  let r: TestRedis;
  let keys: GatewayRedisKeys;
  const idem = (waitMs: number) =>
    new IdempotencyKeys(
      r.redis,
      keys,
      validateEnv(GatewayEnv, {
        ...process.env,
        GATEWAY_DEV_LOGIN_CODE: 'true',
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

  it('claims: new with its time, same and conflict by fingerprint; a claim of before (no time) is an old one', async () => {
    const keysOf = idem(3_000);
    const before = Date.now();
    const first = await keysOf.claim(1, 'tap', 'fp');
    expect(first.kind).toBe('new');
    expect(first.value).toBe(`fp@${first.claimedAt}`);
    expect(first.claimedAt).toBeGreaterThanOrEqual(before);
    expect(await keysOf.claim(1, 'tap', 'fp')).toEqual({
      kind: 'same',
      value: first.value,
      claimedAt: first.claimedAt,
    });
    expect((await keysOf.claim(1, 'tap', 'other')).kind).toBe('conflict');
    await r.redis.set(keys.idempotencyKey(2, 'old'), 'fp');
    expect(await keysOf.claim(2, 'old', 'fp')).toEqual({ kind: 'same', value: 'fp', claimedAt: 0 });
    expect(await keysOf.firstAccepted(2, 'old', { kind: 'same', value: 'fp', claimedAt: 0 })).toBe(true); // at once
  });

  it('a young claim: the copy waits; released (the first refused), it is refused; kept past the wait, accepted', async () => {
    const keysOf = idem(30_000);
    const first = await keysOf.claim(3, 'tap', 'fp');
    const copy = await keysOf.claim(3, 'tap', 'fp');
    const refusedFirst = tracked(keysOf.firstAccepted(3, 'tap', copy));
    await ticks(100);
    expect(refusedFirst.answer()).toBeUndefined(); // still waiting: the first has no verdict yet
    await keysOf.release(3, 'tap', copy); // the copy's claim names the first's value: that is what is released
    expect(await refusedFirst.promise).toBe(false);
    expect(await r.redis.exists(keys.idempotencyKey(3, 'tap'))).toBe(0);

    // Re-claimed by another send after the release: the first was refused all the same.
    const again = await keysOf.claim(3, 'tap', 'fp');
    expect(again.kind).toBe('new');
    expect(await keysOf.firstAccepted(3, 'tap', first)).toBe(false);

    const short = idem(150);
    const kept = await short.claim(4, 'tap', 'fp');
    const accepted = tracked(short.firstAccepted(4, 'tap', kept));
    await ticks(50);
    expect(accepted.answer()).toBeUndefined();
    expect(await accepted.promise).toBe(true); // nobody released it within the wait
    await short.release(4, 'tap', { ...kept, value: 'fp@1' }); // another claim's value: nothing released
    expect(await r.redis.get(keys.idempotencyKey(4, 'tap'))).toBe(kept.value);
  });
});

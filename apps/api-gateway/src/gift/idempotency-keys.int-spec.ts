import { validateEnv } from '@live/common';
import { GatewayRedisKeys } from '@live/redis';
import { createTestRedis, TestRedis } from '@live/testing';
import { GatewayEnv } from '../config/api-gateway.env';
import { IdempotencyKeys } from './idempotency-keys';

/**
 * Two sends with one Idempotency-Key at once get one verdict (real Redis): the second waits while the first
 * is pending, then gets the same answer (settled) or is checked as a first use (released); a wait that runs
 * out takes the key for an accepted one.
 */
describe('IdempotencyKeys: a claim pending until its send is answered', () => {
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

  /** The claim's promise, and whether it has settled yet (it is then its answer). */
  function tracked(claim: Promise<string>): { promise: Promise<string>; answer: () => string | undefined } {
    let answer: string | undefined;
    void claim.then((a) => (answer = a));
    return { promise: claim, answer: () => answer };
  }
  const ticks = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  it('a second claim waits for the first: settled, it is the same send; released, it is a first use', async () => {
    const keysOf = idem(30_000);
    expect(await keysOf.claim(1, 'tap', 'fp')).toBe('new');
    expect(await r.redis.get(keys.idempotencyKey(1, 'tap'))).toBe('pending:fp');
    expect(await keysOf.claim(1, 'tap', 'other')).toBe('conflict'); // other parameters: at once
    const second = tracked(keysOf.claim(1, 'tap', 'fp'));
    await ticks(100);
    expect(second.answer()).toBeUndefined(); // still waiting: the first has no verdict yet
    await keysOf.settled(1, 'tap', 'fp');
    expect(await second.promise).toBe('same');
    expect(await keysOf.claim(1, 'tap', 'fp')).toBe('same'); // at once now
    await keysOf.release(1, 'tap', 'fp'); // an answered claim is never released
    expect(await r.redis.get(keys.idempotencyKey(1, 'tap'))).toBe('fp');

    expect(await keysOf.claim(2, 'tap', 'fp')).toBe('new');
    const waiting = tracked(keysOf.claim(2, 'tap', 'fp'));
    await ticks(100);
    expect(waiting.answer()).toBeUndefined();
    await keysOf.release(2, 'tap', 'fp'); // the first refused before Kafka
    expect(await waiting.promise).toBe('new'); // the waiting send now holds the key itself
    expect(await r.redis.get(keys.idempotencyKey(2, 'tap'))).toBe('pending:fp');
  });

  it('a wait that runs out takes the key for an answered send, and marks it so; settled never creates a key', async () => {
    const keysOf = idem(50);
    expect(await keysOf.claim(3, 'tap', 'fp')).toBe('new');
    expect(await keysOf.claim(3, 'tap', 'fp')).toBe('same');
    expect(await r.redis.get(keys.idempotencyKey(3, 'tap'))).toBe('fp'); // so the next retry does not wait
    await keysOf.settled(4, 'gone', 'fp');
    expect(await r.redis.exists(keys.idempotencyKey(4, 'gone'))).toBe(0);
    const ttl = await r.redis.ttl(keys.idempotencyKey(3, 'tap'));
    await keysOf.settled(3, 'tap', 'fp');
    expect(await r.redis.ttl(keys.idempotencyKey(3, 'tap'))).toBeGreaterThan(ttl - 2); // the window kept
  });
});

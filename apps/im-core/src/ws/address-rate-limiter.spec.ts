import { AddressRateLimiter } from './address-rate-limiter';

describe('AddressRateLimiter', () => {
  it('lets a burst through, then the refill rate; each address on its own', () => {
    const limiter = new AddressRateLimiter(2, 3);
    const t = 1_000_000;
    expect([1, 2, 3, 4].map(() => limiter.take('a', t))).toEqual([true, true, true, false]);
    expect(limiter.take('b', t)).toBe(true);
    expect(limiter.take('a', t + 400)).toBe(false); // 0.8 of a token
    expect(limiter.take('a', t + 500)).toBe(true); // 1 token after 500 ms at 2/s
    expect(limiter.take('a', t + 500)).toBe(false);
  });

  it('keeps at most maxAddresses (the least recently seen goes) and sweeps the buckets that are full again', () => {
    const limiter = new AddressRateLimiter(1, 2, 100);
    const t = 5_000;
    for (let i = 0; i < 1_000; i++) limiter.take(`10.0.${i >> 8}.${i & 255}`, t);
    expect(limiter.size).toBe(100);
    limiter.take('hot', t);
    limiter.take('hot', t);
    limiter.sweep(t + 1_500); // the others are full again after 1 s; 'hot' needs 2 s
    expect(limiter.size).toBe(1);
    expect(limiter.take('hot', t + 1_500)).toBe(true);
    expect(limiter.take('hot', t + 1_500)).toBe(false);
    limiter.sweep(t + 10_000);
    expect(limiter.size).toBe(0);
  });
});

import { FrameBucket } from './frame-bucket';

describe('FrameBucket', () => {
  it('gives the burst at once, then refills at its rate, never above the burst', () => {
    const bucket = new FrameBucket(3, 2, 0);
    expect([bucket.take(0), bucket.take(0), bucket.take(0), bucket.take(0)]).toEqual([true, true, true, false]);
    expect(bucket.take(250)).toBe(false); // half a token
    expect(bucket.take(500)).toBe(true); // one token after 0.5 s at 2 a second
    expect(bucket.take(500)).toBe(false);
    // A long pause refills up to the burst only.
    const after = [1, 2, 3, 4].map(() => bucket.take(60_000));
    expect(after).toEqual([true, true, true, false]);
  });

  it('a refused take costs nothing: a flood does not push the next token further away', () => {
    const bucket = new FrameBucket(1, 1, 0);
    expect(bucket.take(0)).toBe(true);
    for (let t = 1; t < 1_000; t += 1) expect(bucket.take(t)).toBe(false);
    expect(bucket.take(1_000)).toBe(true);
  });
});

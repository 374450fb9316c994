import { fittedDrift } from '../../bench/support/soak';

describe('soak: RSS drift along the fitted line', () => {
  it('is the growth of the line, not of two samples of a sawing heap', () => {
    // The 2026-11-30 soak's im-core, minutes 2-10: 162 -> 171 MB endpoint to endpoint (+5.6%), no creep.
    const sawing = [162, 167, 188, 179, 157, 161, 179, 170, 171];
    expect(fittedDrift(sawing)).toBeCloseTo(0.0071, 3);
  });

  it('sees a steady creep whole', () => {
    expect(fittedDrift([100, 101, 102, 103, 104, 105])).toBeCloseTo(0.05, 6);
    expect(fittedDrift([100, 110])).toBeCloseTo(0.1, 6);
  });

  it('is 0 for fewer than two samples', () => {
    expect(fittedDrift([120])).toBe(0);
  });
});

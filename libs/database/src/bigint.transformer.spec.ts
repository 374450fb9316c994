import { bigintTransformer } from './bigint.transformer';

describe('bigintTransformer', () => {
  it('reads numbers and numeric strings as numbers', () => {
    expect(bigintTransformer.from(42)).toBe(42);
    expect(bigintTransformer.from('9007199254740991')).toBe(Number.MAX_SAFE_INTEGER);
    expect(bigintTransformer.from('-5')).toBe(-5);
  });

  it('passes null', () => {
    expect(bigintTransformer.from(null)).toBeNull();
  });

  it('refuses what would lose precision', () => {
    expect(() => bigintTransformer.from('9007199254740993')).toThrow(/not a safe integer/);
    expect(() => bigintTransformer.from('abc')).toThrow(/not a safe integer/);
  });

  it('writes values unchanged', () => {
    expect(bigintTransformer.to(7)).toBe(7);
  });
});

import { BaseErrorCode, BizException } from '@live/common';
import { decodeHistoryCursor, encodeHistoryCursor } from './gift-history.cursor';

describe('gift history cursor', () => {
  it.each([1, 42, 9_007_199_254_740_991])('round-trips row id %p through an opaque base64url string', (id) => {
    const cursor = encodeHistoryCursor(id);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(cursor).not.toContain(String(id));
    expect(decodeHistoryCursor(cursor)).toBe(id);
  });

  it.each([
    ['not base64url of a cursor', 'garbage'],
    ['a bare id', '123'],
    ['id 0', Buffer.from('h1.0').toString('base64url')],
    ['a leading zero', Buffer.from('h1.012').toString('base64url')],
    ['past the safe integers', Buffer.from('h1.9007199254740993').toString('base64url')],
    ['another version', Buffer.from('h2.5').toString('base64url')],
    ['a non-canonical spelling of a good cursor', `${encodeHistoryCursor(5)}A`],
  ])('refuses %s with PARAM_ERROR', (_what, cursor) => {
    let caught: unknown;
    try {
      decodeHistoryCursor(cursor);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(BizException);
    expect((caught as BizException).code).toBe(BaseErrorCode.PARAM_ERROR.code);
  });
});

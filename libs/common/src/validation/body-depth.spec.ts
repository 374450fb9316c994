import { MAX_BODY_DEPTH, nestedDeeperThan } from './body-depth';

/** `levels` objects and arrays nested in turn: {"a":[{"a":[...]}]}, the outermost counted as level 1. */
function nested(levels: number): unknown {
  let value: unknown = 1;
  for (let i = levels; i >= 1; i -= 1) value = i % 2 === 0 ? [value] : { a: value };
  return value;
}

describe('nestedDeeperThan (the body depth limit)', () => {
  it('counts objects and arrays alike; exactly the limit passes, one more level is refused', () => {
    expect(nestedDeeperThan(nested(MAX_BODY_DEPTH), MAX_BODY_DEPTH)).toBe(false);
    expect(nestedDeeperThan(nested(MAX_BODY_DEPTH + 1), MAX_BODY_DEPTH)).toBe(true);
    expect(nestedDeeperThan(nested(2), 1)).toBe(true);
    expect(nestedDeeperThan(nested(1), 1)).toBe(false);
  });

  it('scalars, null and flat bodies are never too deep; a deep branch among shallow ones is found', () => {
    for (const flat of [null, undefined, 'x', 3, {}, [], { giftId: 1, roomId: 2, requestId: null }])
      expect(nestedDeeperThan(flat, 1)).toBe(false);
    expect(nestedDeeperThan({ a: 1, b: [1, 2], c: { d: nested(5) } }, 6)).toBe(true);
    expect(nestedDeeperThan({ a: 1, b: [1, 2], c: { d: nested(5) } }, 7)).toBe(false);
  });

  it('200,000 levels: answered without recursion (no stack overflow)', () => {
    expect(nestedDeeperThan(JSON.parse(`${'['.repeat(200_000)}${']'.repeat(200_000)}`), MAX_BODY_DEPTH)).toBe(true);
  });
});

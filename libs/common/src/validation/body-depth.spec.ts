import { joinProblems, MAX_BODY_DEPTH, MAX_BODY_FIELDS, MAX_BODY_VALUES, shapeProblem } from './body-depth';

/** shapeProblem's depth alone (no field or value limit). */
const nestedDeeperThan = (value: unknown, limit: number): boolean =>
  shapeProblem(value, limit, Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY) !== null;

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
    // Each level one value: the depth is what is named, and what stops the walk (shapeProblem, limits as in use).
    expect(shapeProblem(JSON.parse(`${'['.repeat(200_000)}${']'.repeat(200_000)}`))).toBe(
      `is nested deeper than ${MAX_BODY_DEPTH} levels`,
    );
    expect(nestedDeeperThan(JSON.parse(`${'['.repeat(200_000)}${']'.repeat(200_000)}`), MAX_BODY_DEPTH)).toBe(true);
  });
});

describe('shapeProblem (the depth and field limits of a body or frame)', () => {
  /** An object of `n` fields f0..f(n-1). */
  const fields = (n: number, prefix = 'f'): Record<string, number> =>
    Object.fromEntries(Array.from({ length: n }, (_, i) => [`${prefix}${i}`, i]));

  it('counts the fields of every object, at every level, together: exactly the limit passes, one more is refused', () => {
    expect(shapeProblem(fields(MAX_BODY_FIELDS))).toBeNull();
    expect(shapeProblem(fields(MAX_BODY_FIELDS + 1))).toBe(`has more than ${MAX_BODY_FIELDS} fields`);
    // 2 + 29 + 33 = 64, then one more in the nested array's object.
    const nested = { a: { ...fields(29, 'b') }, c: [{ ...fields(33, 'd') }] };
    expect(shapeProblem(nested)).toBeNull();
    nested.c.push({ e: 1 });
    expect(shapeProblem(nested)).toBe(`has more than ${MAX_BODY_FIELDS} fields`);
    // 100 objects of one field each: the same fields, spread out.
    expect(shapeProblem({ list: Array.from({ length: 100 }, () => ({ x: 1 })) })).toBe(
      `has more than ${MAX_BODY_FIELDS} fields`,
    );
  });

  it("an array's elements are values, not fields: 1,024 values in all pass, one more is refused", () => {
    expect(shapeProblem({ userIds: Array.from({ length: MAX_BODY_VALUES - 1 }, (_, i) => i) })).toBeNull();
    expect(shapeProblem({ userIds: Array.from({ length: MAX_BODY_VALUES }, (_, i) => i) })).toBe(
      `has more than ${MAX_BODY_VALUES} values`,
    );
    // Empty objects hold no field, but each is a value.
    expect(shapeProblem({ x: Array.from({ length: 21_000 }, () => ({})) })).toBe(
      `has more than ${MAX_BODY_VALUES} values`,
    );
    expect(shapeProblem(JSON.parse(`{"x":${'['.repeat(40)}${']'.repeat(40)}}`))).toBe(
      `is nested deeper than ${MAX_BODY_DEPTH} levels`,
    );
    for (const scalar of [null, undefined, 'x', 3]) expect(shapeProblem(scalar)).toBeNull();
  });

  it('joinProblems: the first 10, then how many more', () => {
    expect(joinProblems(['a', 'b'])).toBe('a; b');
    const many = Array.from({ length: 25 }, (_, i) => `p${i} should not exist`);
    expect(joinProblems(many)).toBe(`${many.slice(0, 10).join('; ')}; and 15 more`);
    expect(joinProblems([])).toBe('');
  });
});

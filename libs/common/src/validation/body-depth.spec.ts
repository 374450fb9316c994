import {
  formTextProblem,
  joinProblems,
  jsonTextProblem,
  MAX_BODY_DEPTH,
  MAX_BODY_FIELDS,
  MAX_BODY_VALUES,
  parseJsonWithin,
  SCAN_BEFORE_PARSE_FROM,
  shapeProblem,
} from './body-depth';

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
    // A name of the caller's, a megabyte long, is said in its first 200 characters.
    const long = `${'k'.repeat(1_000_000)}: property should not exist`;
    expect(joinProblems([long, 'b'])).toBe(`${'k'.repeat(200)}…; b`);
  });
});

describe('jsonTextProblem, parseJsonWithin, formTextProblem (the limits told before the parse)', () => {
  const array = (n: number): string => `[${Array.from({ length: n }, () => '0').join(',')}]`;
  const object = (n: number): string =>
    JSON.stringify(Object.fromEntries(Array.from({ length: n }, (_, i) => [`f${i}`, i])));
  const deep = (levels: number): string => JSON.stringify(nested(levels));

  it("each limit at its boundary, in shapeProblem's words: the limit passes, one more is refused", () => {
    for (const [text, problem] of [
      [deep(MAX_BODY_DEPTH), null],
      [deep(MAX_BODY_DEPTH + 1), `is nested deeper than ${MAX_BODY_DEPTH} levels`],
      [object(MAX_BODY_FIELDS), null],
      [object(MAX_BODY_FIELDS + 1), `has more than ${MAX_BODY_FIELDS} fields`],
      [array(MAX_BODY_VALUES), null],
      [array(MAX_BODY_VALUES + 1), `has more than ${MAX_BODY_VALUES} values`],
    ] as const) {
      expect([text.length, jsonTextProblem(text)]).toEqual([text.length, problem]);
      expect([text.length, shapeProblem(JSON.parse(text))]).toEqual([text.length, problem]);
    }
  });

  it('never refuses what shapeProblem accepts (500 random values, compact and indented)', () => {
    let seed = 7;
    const random = (n: number): number => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) % n;
    /** A random value of at most ~2,000 nodes (`budget`), some wide, some deep. */
    let budget = 0;
    const value = (depth: number): unknown => {
      const kind = budget-- <= 0 ? random(3) : random(depth > 36 ? 3 : 6);
      if (kind === 0) return random(1_000);
      if (kind === 1) return ['a:b', '{"x":[1,2]}', 'q\\"', '\\', ',,', ''][random(6)];
      if (kind === 2) return null;
      const size = random(random(4) === 0 ? 120 : 4);
      if (kind === 3) return Array.from({ length: size }, () => value(depth + 1));
      return Object.fromEntries(Array.from({ length: size }, (_, i) => [`k${i}:,"`, value(depth + 1)]));
    };
    let refused = 0;
    let accepted = 0;
    for (let i = 0; i < 500; i++) {
      budget = 2_000;
      const v = value(1);
      for (const text of [JSON.stringify(v), JSON.stringify(v, null, 2)]) {
        const before = jsonTextProblem(text);
        if (before === null) {
          accepted++;
          continue;
        }
        refused++;
        expect(shapeProblem(v)).not.toBeNull();
      }
    }
    expect([refused > 50, accepted > 50]).toEqual([true, true]);
  });

  it('text that is not JSON costs a bounded scan: it ends where the text is plainly not JSON, or at a count of structural characters no value within the limits reaches', () => {
    expect(jsonTextProblem('}'.repeat(65_536))).toBeNull();
    expect(jsonTextProblem(`[]${']'.repeat(65_536)}`)).toBeNull();
    // A string, `{` or `[` right after a string or a container (a second review: 64 KB of these were scanned whole).
    for (const text of ['{}'.repeat(32_768), '"'.repeat(65_536), '"a"'.repeat(21_845), '"\\"\\"x'.repeat(8_000)])
      expect(jsonTextProblem(text)).toBeNull();
    // Commas and depth within the limits, values not: 10 levels a group, 200 groups reach the count.
    const groups = `[${`${'['.repeat(10)}${']'.repeat(10)},`.repeat(1_000)}[]]`;
    expect([shapeProblem(JSON.parse(groups)), jsonTextProblem(groups)]).toEqual([
      `has more than ${MAX_BODY_VALUES} values`,
      `has more than ${MAX_BODY_VALUES} values`,
    ]);
    // The most structural characters a value within every limit holds: 64 fields of arrays, 1,024 values in all,
    // each element an empty container (two brackets and a comma).
    const arrays = Array.from({ length: MAX_BODY_FIELDS }, (_, i) => [
      `k${i}`,
      Array.from({ length: (MAX_BODY_VALUES - MAX_BODY_FIELDS) / MAX_BODY_FIELDS }, (_, j) => (j % 2 ? [] : {})),
    ]);
    const fullest = JSON.stringify(Object.fromEntries(arrays));
    expect([shapeProblem(JSON.parse(fullest)), jsonTextProblem(fullest)]).toEqual([null, null]);
    // One more: its commas stay under the count the scan refuses at, the walk after the parse refuses it.
    const oneMore = fullest.replace('[', '[[],');
    expect([shapeProblem(JSON.parse(oneMore)), jsonTextProblem(oneMore)]).toEqual([
      `has more than ${MAX_BODY_VALUES} values`,
      null,
    ]);
  });

  it('colons, commas, brackets, quotes and backslashes inside strings are not shape', () => {
    const text = JSON.stringify({ a: ':,'.repeat(2_000), b: '[{'.repeat(100), c: '\\":[,\\', d: '\\' });
    expect(JSON.parse(text)).toMatchObject({ d: '\\' });
    expect(jsonTextProblem(text)).toBeNull();
    expect(jsonTextProblem(text, MAX_BODY_DEPTH, 3)).toBe('has more than 3 fields');
    expect(jsonTextProblem(text, MAX_BODY_DEPTH, 4)).toBeNull();
    // Not JSON (a string never closed): no answer, the parse refuses it.
    expect(jsonTextProblem(`{"a":"${'['.repeat(100)}`)).toBeNull();
  });

  it('parseJsonWithin: a long text is refused before it is parsed (not even JSON), a short one after', () => {
    const wide = object(5_000);
    expect(parseJsonWithin(`${wide},`)).toEqual({ ok: false, problem: `has more than ${MAX_BODY_FIELDS} fields` });
    expect(parseJsonWithin(`${'['.repeat(20_000)}`)).toEqual({
      ok: false,
      problem: `is nested deeper than ${MAX_BODY_DEPTH} levels`,
    });
    expect(parseJsonWithin(`[${'{},'.repeat(21_000)}]`)).toEqual({
      ok: false,
      problem: `has more than ${MAX_BODY_VALUES} values`,
    });
    const short = deep(MAX_BODY_DEPTH + 1);
    expect(short.length).toBeLessThan(SCAN_BEFORE_PARSE_FROM);
    expect(parseJsonWithin(`${short},`)).toEqual({ ok: false });
    expect(parseJsonWithin(short)).toEqual({ ok: false, problem: `is nested deeper than ${MAX_BODY_DEPTH} levels` });
    expect(parseJsonWithin(object(10))).toEqual({ ok: true, value: JSON.parse(object(10)) });
  });

  it('a form: its pairs, counted by their separators; encoded ampersands are not separators', () => {
    const form = (n: number): Buffer => Buffer.from(Array.from({ length: n }, (_, i) => `f${i}=%26`).join('&'));
    expect(formTextProblem(form(MAX_BODY_FIELDS))).toBeNull();
    expect(formTextProblem(form(MAX_BODY_FIELDS + 1))).toBe(`has more than ${MAX_BODY_FIELDS} fields`);
    expect(formTextProblem(Buffer.from(''))).toBeNull();
  });
});

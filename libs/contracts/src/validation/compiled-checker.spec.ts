import { ClassConstructor, Type } from 'class-transformer';
import {
  getMetadataStorage,
  IsInt,
  IsString,
  Min,
  registerDecorator,
  Validate,
  ValidateIf,
  ValidateNested,
  ValidatorConstraint,
  ValidatorConstraintInterface,
} from 'class-validator';
import type { ValidationMetadata } from 'class-validator/types/metadata/ValidationMetadata';
import * as contracts from '../index';
import { BatchConsumeForSendGiftRequest, GiftSettlementItem, SendGiftMq } from '../index';
import { compiledCheckerOf } from './compiled-checker';
import { slowValidatePayload, validatePayload } from './validate-payload';

type Plain = Record<string, unknown>;
const storage = getMetadataStorage();
const metadatasOf = (cls: ClassConstructor<object>): ValidationMetadata[] =>
  storage.getTargetValidationMetadatas(cls, '', false, false, undefined);

/** Every class libs/contracts exports that carries validation decorators: the contract classes. */
const contractClasses = Object.entries(contracts)
  .filter(([, v]) => typeof v === 'function' && /^[A-Z]/.test(v.name) && metadatasOf(v as never).length > 0)
  .map(([name, v]) => [name, v as ClassConstructor<object>] as const);

/** Deterministic pseudo-random numbers (mulberry32), so a failure replays. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const STRINGS = [
  '',
  'a',
  '5',
  'req-1',
  'k1',
  'pay:PO123',
  'a b',
  '\uFE0F',
  '\u{1F600}'.repeat(40),
  'DEFAULT',
  `v2.k1.1800000000000.${'n'.repeat(16)}.${'A'.repeat(43)}`,
];
const SCALARS: unknown[] = [undefined, null, 0, -0, 1, -1, 1.5, 2, 3, NaN, Infinity, -Infinity, 1e21, true, false];
const STRUCTS: unknown[] = [{}, [], [1], [1, 'a'], [null], { a: 1 }, [{}]];
SCALARS.push(Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER + 1, '1', ...STRINGS, ...STRUCTS);

/** Values near each constraint of a field: its bounds, enum members, lengths, and strings its pattern takes. */
function fieldPool(metas: ValidationMetadata[]): unknown[] {
  const pool: unknown[] = [];
  for (const m of metas) {
    for (const c of m.constraints ?? []) {
      if (typeof c === 'number')
        pool.push(c, c - 1, c + 1, 'x'.repeat(Math.min(Math.max(c, 0), 3000)), 'x'.repeat(Math.min(c + 1, 3001)));
      if (Array.isArray(c)) pool.push(...c);
      if (c instanceof RegExp) pool.push(...STRINGS.filter((s) => c.test(s)), 'x'.repeat(33), 'x'.repeat(65));
      else if (typeof c === 'object' && c !== null) pool.push(...Object.values(c));
    }
    if (m.each) pool.push([1, 2, 3], [1, 0], [1.5], ['1'], new Array(1001).fill(7));
  }
  return pool;
}

interface Shape {
  cls: ClassConstructor<object>;
  fields: { key: string; pool: unknown[]; good: unknown[]; nested?: Shape; array: boolean; max: number }[];
}

function shapeOf(cls: ClassConstructor<object>, depth = 0): Shape {
  const byKey = storage.groupByPropertyName(metadatasOf(cls));
  const fields = Object.entries(byKey).map(([key, metas]) => {
    const type = (Reflect.getMetadata('design:type', cls.prototype, key) as unknown) === Array;
    const nestedMeta = metas.some((m) => m.type === 'nestedValidation');
    const max = metas.find((m) => m.name === 'arrayMaxSize')?.constraints?.[0] as number | undefined;
    const itemClass = nestedMeta ? nestedClassOf(cls, key) : undefined;
    const nested = itemClass && depth < 3 ? shapeOf(itemClass, depth + 1) : undefined;
    const pool = fieldPool(metas);
    const fieldError = new RegExp(`(^|; )${key}[.:]`);
    const good = [...SCALARS, ...pool].filter((v) => {
      const r = slowValidatePayload(cls, { [key]: v });
      return r.ok || !fieldError.test(r.error.slice(cls.name.length + 2));
    });
    return { key, pool, good, nested, array: type, max: max ?? 3 };
  });
  return { cls, fields };
}

function nestedClassOf(cls: ClassConstructor<object>, key: string): ClassConstructor<object> | undefined {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { defaultMetadataStorage } = require('class-transformer/cjs/storage') as {
    defaultMetadataStorage: { findTypeMetadata(c: object, k: string): { typeFunction(): unknown } | undefined };
  };
  return defaultMetadataStorage.findTypeMetadata(cls, key)?.typeFunction() as ClassConstructor<object> | undefined;
}

/** A value for `shape`: each field drawn from its pool, mostly near its constraints, sometimes anything. */
function draw(shape: Shape, rand: () => number, goodBias: number): Plain {
  const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)];
  const out: Plain = {};
  for (const f of shape.fields) {
    let v: unknown;
    if (f.nested) {
      const item = (): unknown => (rand() < goodBias ? draw(f.nested!, rand, goodBias) : pick(SCALARS));
      const r = rand();
      if (!f.array) v = item();
      else if (r < 0.1) v = Array.from({ length: f.max + (rand() < 0.5 ? 0 : 1) }, () => draw(f.nested!, rand, 1));
      else v = Array.from({ length: Math.floor(rand() * 4) }, item);
    } else if (rand() < goodBias && f.good.length > 0) v = pick(f.good);
    else v = pick(rand() < 0.5 ? f.pool : SCALARS);
    if (v !== undefined || rand() < 0.5) out[f.key] = v;
  }
  if (rand() < 0.2) out.extra = pick(SCALARS);
  if (rand() < 0.1) Object.assign(out, JSON.parse('{"__proto__":{"polluted":1},"constructor":{"x":1}}'));
  return out;
}

/** Fast and slow agree: the fast path accepts only what class-validator accepts, with the same instance. */
function compare(cls: ClassConstructor<object>, plain: Plain, stats: { fast: number; slow: number }): void {
  const fast = compiledCheckerOf(cls)?.(plain, false);
  const strict = compiledCheckerOf(cls)?.(plain, true);
  const slow = slowValidatePayload(cls, plain);
  const wired = validatePayload(cls, plain);
  if (slow.ok) stats.slow++;
  expect(wired).toStrictEqual(slow);
  if (fast === undefined) {
    expect(strict).toBeUndefined();
    return;
  }
  stats.fast++;
  expect(slow).toStrictEqual({ ok: true, value: fast });
  expect(Object.getPrototypeOf(fast)).toBe(cls.prototype);
  expect(({} as Plain).polluted).toBeUndefined();
  if (strict !== undefined) expect(strict).toStrictEqual(fast);
}

describe('compiledCheckerOf (the fast path of validatePayload) agrees with class-validator', () => {
  it('finds the contract classes', () => {
    const names = contractClasses.map(([n]) => n);
    for (const expected of ['SendGiftMq', 'GiftSettlementItem', 'BatchConsumeForSendGiftRequest'])
      expect(names).toContain(expected);
    for (const expected of ['ImSendToRoomRequest', 'ImCorePushRequest', 'CreatePayOrderRequest', 'PayNotifyRequest'])
      expect(names).toContain(expected);
    expect(names).toEqual(expect.arrayContaining(['InsertGiftConfigRequest', 'UpdateGiftConfigRequest']));
  });

  it.each(contractClasses)('%s: on random valid and mutated values, same verdict and same instance', (name, cls) => {
    const shape = shapeOf(cls);
    const rand = rng(name.length * 7919 + name.charCodeAt(0));
    const stats = { fast: 0, slow: 0 };
    for (let i = 0; i < 300; i++) compare(cls, draw(shape, rand, i % 4 === 0 ? 0.5 : 0.97), stats);
    // Then every field of accepted values replaced by each value of every pool: one mutation at a time.
    const accepted: Plain[] = [];
    for (let i = 0; accepted.length < 3 && i < 300; i++) {
      const v = draw(shape, rand, 1);
      if (slowValidatePayload(cls, v).ok) accepted.push(v);
    }
    const everything = [...SCALARS, ...shape.fields.flatMap((f) => f.pool)];
    for (const base of accepted)
      for (const f of shape.fields) {
        for (const v of everything) compare(cls, { ...base, [f.key]: v }, stats);
        const { [f.key]: _gone, ...missing } = base;
        compare(cls, missing, stats);
      }
    // The generator must reach valid values of every class, or the mutations above compared refusals only.
    expect(accepted.length).toBeGreaterThan(0);
    if (compiledCheckerOf(cls) !== null) expect(stats.fast).toBeGreaterThan(0);
  });

  const hot: ClassConstructor<object>[] = [SendGiftMq, GiftSettlementItem, BatchConsumeForSendGiftRequest];
  it.each(hot)('compiles %p (a hot contract)', (cls) => {
    expect(compiledCheckerOf(cls)).not.toBeNull();
  });

  it('takes a 1,000-item settlement batch and declines 1,001 items and a bad item deep inside', () => {
    const rand = rng(42);
    const shape = shapeOf(GiftSettlementItem);
    const items: Plain[] = [];
    for (let i = 0; items.length < 1000 && i < 20_000; i++) {
      const v = draw(shape, rand, 1);
      if (compiledCheckerOf(GiftSettlementItem)?.(v, false)) items.push(v);
    }
    expect(items).toHaveLength(1000);
    const stats = { fast: 0, slow: 0 };
    compare(BatchConsumeForSendGiftRequest, { items }, stats);
    compare(BatchConsumeForSendGiftRequest, { items: [...items, items[0]] }, stats);
    const badDeep = items.map((it, i) =>
      i === 700 ? { ...it, signed: { ...(it.signed as Plain), sendTime: -1 } } : it,
    );
    compare(BatchConsumeForSendGiftRequest, { items: badDeep }, stats);
    expect(stats).toStrictEqual({ fast: 1, slow: 1 });
  });
});

describe('compiledCheckerOf declines what it does not know (class-validator decides)', () => {
  class WithValidateIf {
    @ValidateIf((o: { b?: number }) => o.b === 1)
    @IsInt()
    a!: number;
  }
  @ValidatorConstraint({ name: 'isThree' })
  class IsThree implements ValidatorConstraintInterface {
    validate(v: unknown): boolean {
      return v === 3;
    }
  }
  class Odd {
    @Validate(IsThree)
    n!: number;
  }
  /** A custom decorator that borrows a known name: the compiler must not trust the name. */
  const FakeIsInt = (): PropertyDecorator => (target, key) =>
    registerDecorator({
      name: 'isInt',
      target: target.constructor,
      propertyName: key as string,
      validator: { validate: (v: unknown) => v === 3 },
    });
  class WithFakeIsInt {
    @FakeIsInt()
    n!: number;
  }
  class WithGroups {
    @IsString({ groups: ['admin'] })
    s!: string;
  }
  class WithDefault {
    @IsInt()
    @Min(1)
    n: number = 5;
  }
  class Inner {
    @IsInt()
    n!: number;
  }
  class WithUntypedNested {
    @ValidateNested()
    inner!: Inner;
  }
  class WithNestedOfOdd {
    @ValidateNested()
    @Type(() => Odd)
    odd!: Odd;
  }

  it.each([WithValidateIf, Odd, WithFakeIsInt, WithGroups, WithDefault, WithUntypedNested])(
    '%p gets no checker',
    (cls) => {
      expect(compiledCheckerOf(cls as ClassConstructor<object>)).toBeNull();
    },
  );

  it('a class nesting an unsupported class declines every value, and validatePayload still gives the verdict', () => {
    const checker = compiledCheckerOf(WithNestedOfOdd);
    expect(checker?.({ odd: { n: 3 } }, false)).toBeUndefined();
    const ok = validatePayload(WithNestedOfOdd, { odd: { n: 3 } });
    expect(ok.ok && ok.value.odd instanceof Odd).toBe(true);
    expect(validatePayload(WithNestedOfOdd, { odd: { n: 4 } }).ok).toBe(false);
  });

  it('falls back with the same error message class-validator gives', () => {
    const bad = { userId: '5', giftId: 1.5 };
    expect(validatePayload(SendGiftMq, bad)).toStrictEqual(slowValidatePayload(SendGiftMq, bad));
    expect(validatePayload(SendGiftMq, bad).ok).toBe(false);
  });
});

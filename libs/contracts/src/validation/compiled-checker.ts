import 'reflect-metadata';
import { ClassConstructor } from 'class-transformer';
import { getMetadataStorage, matches, maxLength, minLength, ValidationTypes } from 'class-validator';
import type { ValidationMetadata } from 'class-validator/types/metadata/ValidationMetadata';
import type { MetadataStorage as TransformerStorage } from 'class-transformer/types/MetadataStorage';

/** class-transformer's decorator storage (@Type, @Expose...): the package exports it under cjs/ only. */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { defaultMetadataStorage } = require('class-transformer/cjs/storage') as {
  defaultMetadataStorage: TransformerStorage;
};

/**
 * A compiled fast path for validatePayload, built once per contract class from the same decorators
 * class-validator reads (one source of truth). It only ever ACCEPTS: it returns what plainToInstance +
 * validateSync({ whitelist }) would return (an instance of the class holding only the declared fields,
 * nested ones likewise), or `undefined` ("not sure": the caller runs class-validator, which gives the
 * verdict and the error message). A class using anything the compiler does not know (groups, `always`,
 * ValidateIf, IsDefined, an untyped object field, a custom constraint, class-transformer's Expose /
 * Exclude / Transform, a field initializer...) gets no checker at all.
 *
 * `noExtraFields`: also decline (leave to class-validator) any object holding an undeclared field, for
 * callers that run with forbidNonWhitelisted.
 */
export type CompiledChecker<T> = (plain: unknown, noExtraFields: boolean) => T | undefined;

type Check = (v: unknown) => boolean;
type Copy = (v: unknown, noExtraFields: boolean) => unknown;
const PASS: Copy = (v) => v;
/** Declined (the caller falls back): never a valid field value, since JSON has no symbols. */
const DECLINE = Symbol('decline');

interface Field {
  key: string;
  optional: boolean;
  check: Check;
  copy: Copy;
}

const isNumber = (v: unknown): v is number => typeof v === 'number';
const isStr = (v: unknown): v is string => typeof v === 'string';
const num = (c: unknown[] | undefined, i = 0): number | null =>
  c && typeof c[i] === 'number' ? (c[i] as number) : null;

/** The constraints this compiler implements, by class-validator's name; null = this use is not supported. */
const BUILDERS: Record<string, (c: unknown[] | undefined) => Check | null> = {
  isInt: () => (v) => isNumber(v) && Number.isInteger(v),
  isNumber: (c) =>
    c === undefined || (typeof c[0] === 'object' && c[0] !== null && Object.keys(c[0]).length === 0)
      ? (v) => isNumber(v) && Number.isFinite(v)
      : null,
  min: (c) => {
    const m = num(c);
    return m === null ? null : (v) => isNumber(v) && v >= m;
  },
  max: (c) => {
    const m = num(c);
    return m === null ? null : (v) => isNumber(v) && v <= m;
  },
  isString: () => isStr,
  minLength: (c) => {
    const m = num(c);
    return m === null ? null : (v) => isStr(v) && minLength(v, m);
  },
  // class-validator counts a surrogate pair as one character, so .length is an upper bound.
  maxLength: (c) => {
    const m = num(c);
    return m === null ? null : (v) => isStr(v) && (v.length <= m || maxLength(v, m));
  },
  matches: (c) => {
    if (!c || !(c[0] instanceof RegExp) || c[1] !== undefined) return null;
    const re = c[0];
    return re.global || re.sticky ? null : (v) => isStr(v) && matches(v, re);
  },
  isIn: (c) => {
    const values = c?.[0];
    return Array.isArray(values) ? (v) => values.some((x) => x === v) : null;
  },
  isBoolean: () => (v) => typeof v === 'boolean',
  isArray: () => Array.isArray,
  arrayMinSize: (c) => {
    const m = num(c);
    return m === null ? null : (v) => Array.isArray(v) && v.length >= m;
  },
  arrayMaxSize: (c) => {
    const m = num(c);
    return m === null ? null : (v) => Array.isArray(v) && v.length <= m;
  },
  equals: (c) => (c && c.length >= 1 ? (v) => v === c[0] : null),
  isObject: () => (v) => typeof v === 'object' && v !== null && !Array.isArray(v),
  isNotEmpty: () => (v) => v !== '' && v !== null && v !== undefined,
};

/** Values each compiled constraint is tried on against the registered constraint: a same-named custom one differs. */
function probesFor(c: unknown[] | undefined): unknown[] {
  const base: unknown[] = [undefined, null, 0, -0, 1, -1, 1.5, NaN, Infinity, -Infinity, '', 'a', '5', '\uFE0F'];
  base.push('\u{1F600}', 'DEFAULT', true, false, {}, [], [1], [1, 2, 3], Number.MAX_SAFE_INTEGER + 2);
  for (const x of c ?? []) {
    if (typeof x === 'number') base.push(x, x - 1, x + 1, 'a'.repeat(Math.min(Math.max(x, 0), 5000) + 1));
    if (typeof x === 'number' && x >= 1 && x <= 5000) base.push('a'.repeat(x), 'a'.repeat(x - 1), new Array(x).fill(1));
    if (Array.isArray(x)) base.push(...x);
    if (typeof x === 'object' && x !== null && !Array.isArray(x)) base.push(...Object.values(x));
  }
  return base;
}

function agreesWithRegistered(m: ValidationMetadata, check: Check): boolean {
  const constraints = getMetadataStorage().getTargetValidatorConstraints(m.constraintCls);
  if (constraints.length !== 1 || constraints[0].async) return false;
  const instance = constraints[0].instance as { validate(v: unknown, a: unknown): unknown };
  try {
    return probesFor(m.constraints).every((value) => {
      const args = { targetName: '', property: m.propertyName, object: {}, value, constraints: m.constraints };
      return instance.validate(value, args) === check(value);
    });
  } catch {
    return false;
  }
}

/** IsOptional: skip every check when the value is undefined or null (probed, like the constraints). */
function isIsOptional(m: ValidationMetadata): boolean {
  const skip = m.constraints?.[0] as ((o: object, v: unknown) => unknown) | undefined;
  if (m.name !== 'isOptional' || typeof skip !== 'function') return false;
  const verdicts = [undefined, null, 0, '', false, {}].map((v) => skip({ [m.propertyName]: v }, v));
  return verdicts.join() === 'false,false,true,true,true,true';
}

function plainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

/** An array of JSON scalars, copied as class-transformer copies it (a new array, same items). */
const copyScalarArray: Copy = (v) => {
  const a = v as unknown[];
  for (const x of a) if (typeof x === 'object' && x !== null) return DECLINE;
  return a.slice();
};

/**
 * An untyped object field (IsObject without @Type), copied as class-transformer copies it: plain objects
 * and arrays rebuilt, `__proto__` and `constructor` keys dropped; anything else (a function, a Date, a
 * class instance, a sparse array) declined.
 */
function jsonCopy(v: unknown, depth: number): unknown {
  if (typeof v !== 'object' || v === null) return typeof v === 'function' ? DECLINE : v;
  if (depth > 32) return DECLINE;
  const proto = Object.getPrototypeOf(v) as unknown;
  if (Array.isArray(v)) {
    if (proto !== Array.prototype) return DECLINE;
    const out: unknown[] = [];
    for (let i = 0; i < v.length; i++) {
      const c = i in v ? jsonCopy(v[i], depth + 1) : DECLINE;
      if (c === DECLINE) return DECLINE;
      out.push(c);
    }
    return out;
  }
  if (proto !== Object.prototype) return DECLINE;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v)) {
    if (k === '__proto__' || k === 'constructor') continue;
    const c = jsonCopy((v as Record<string, unknown>)[k], depth + 1);
    if (c === DECLINE) return DECLINE;
    out[k] = c;
  }
  return out;
}

const compiled = new Map<ClassConstructor<object>, CompiledChecker<object> | null>();

/** The checker of `cls`, compiled on first use; null when the class uses anything not supported. */
export function compiledCheckerOf<T extends object>(cls: ClassConstructor<T>): CompiledChecker<T> | null {
  if (!compiled.has(cls)) {
    compiled.set(cls, null); // a class nesting itself is not supported
    compiled.set(cls, compile(cls));
  }
  return compiled.get(cls) as CompiledChecker<T> | null;
}

function compile<T extends object>(cls: ClassConstructor<T>): CompiledChecker<T> | null {
  const storage = getMetadataStorage();
  const metadatas = storage.getTargetValidationMetadatas(cls, '', false, false, undefined);
  if (metadatas.length === 0) return null; // forbidUnknownValues: class-validator refuses any value
  if (defaultMetadataStorage.getExposedMetadatas(cls).length > 0) return null;
  if (defaultMetadataStorage.getExcludedMetadatas(cls).length > 0) return null;
  if (defaultMetadataStorage.getStrategy(cls) !== 'none') return null;
  const byKey = storage.groupByPropertyName(metadatas);
  let blank: Record<string, unknown>;
  try {
    blank = new cls() as Record<string, unknown>;
  } catch {
    return null;
  }
  const fields: Field[] = [];
  for (const key of Object.keys(byKey)) {
    if (key === '__proto__' || key === 'constructor' || blank[key] !== undefined) return null;
    const field = compileField(cls, key, byKey[key]);
    if (!field) return null;
    fields.push(field);
  }
  const declared = new Set(fields.map((f) => f.key));
  // Own fields the constructor defines (class fields) that class-validator's whitelist then deletes.
  const strip = Object.keys(blank).filter((k) => !declared.has(k));
  const has = Object.prototype.propertyIsEnumerable;

  return (plain, noExtraFields) => {
    if (!plainObject(plain)) return undefined;
    if (noExtraFields) for (const k in plain) if (!declared.has(k)) return undefined;
    const out = new cls() as Record<string, unknown>;
    for (const k of strip) delete out[k];
    for (const f of fields) {
      const present = has.call(plain, f.key);
      const v = present ? plain[f.key] : undefined;
      if (v === undefined || v === null) {
        if (!f.optional) return undefined;
        if (present) out[f.key] = v;
        continue;
      }
      if (!f.check(v)) return undefined;
      const copy = f.copy(v, noExtraFields);
      if (copy === DECLINE) return undefined;
      out[f.key] = copy;
    }
    return out as T;
  };
}

function compileField(cls: ClassConstructor<object>, key: string, metas: ValidationMetadata[]): Field | null {
  const checks: Check[] = [];
  let optional = false;
  let nested = false;
  let objectCheck = false;
  for (const m of metas) {
    if ((m.groups && m.groups.length > 0) || m.always !== undefined) return null;
    if (m.type === ValidationTypes.CONDITIONAL_VALIDATION) {
      if (!isIsOptional(m)) return null;
      optional = true;
    } else if (m.type === ValidationTypes.NESTED_VALIDATION) {
      nested = true;
    } else if (m.type === ValidationTypes.CUSTOM_VALIDATION) {
      const build = m.name === undefined ? undefined : BUILDERS[m.name];
      const check = build?.(m.constraints);
      if (!check || !agreesWithRegistered(m, check)) return null;
      if (m.name === 'isObject') objectCheck = true;
      checks.push(m.each ? eachOf(check) : check);
    } else {
      return null; // IsDefined, Allow, promise validation, anything newer
    }
  }
  if (defaultMetadataStorage.findTransformMetadatas(cls, key, 1 /* PLAIN_TO_CLASS */).length > 0) return null;
  const type = defaultMetadataStorage.findTypeMetadata(cls, key);
  let copy: Copy = PASS;
  if (nested || type) {
    if (!nested || !type || type.options?.discriminator || !type.typeFunction) return null;
    const itemClass = type.typeFunction() as ClassConstructor<object>;
    if (typeof itemClass !== 'function') return null;
    copy = nestedCopy(itemClass);
  } else if (objectCheck) {
    copy = (v) => jsonCopy(v, 0);
  } else {
    checks.push((v) => typeof v !== 'object' || Array.isArray(v)); // a scalar, or an array of scalars
    copy = (v, x) => (Array.isArray(v) ? copyScalarArray(v, x) : v);
  }
  const all = checks.slice();
  const check: Check = all.length === 1 ? all[0] : (v) => all.every((c) => c(v));
  return { key, optional, check, copy };
}

/** class-validator's `each`: an array's items each pass (a Set or a Map: left to class-validator). */
function eachOf(check: Check): Check {
  return (v) => (Array.isArray(v) ? v.every(check) : !(v instanceof Set || v instanceof Map) && check(v));
}

/** ValidateNested + @Type: an object, or an array of objects, each an instance of the item class. */
function nestedCopy(itemClass: ClassConstructor<object>): Copy {
  const one = (v: unknown, x: boolean): unknown => {
    const checker = compiledCheckerOf(itemClass);
    const r = checker ? checker(v, x) : undefined;
    return r === undefined ? DECLINE : r;
  };
  return (v, x) => {
    if (!Array.isArray(v)) return one(v, x);
    const out: unknown[] = new Array(v.length);
    for (let i = 0; i < v.length; i++) {
      const r = one(v[i], x);
      if (r === DECLINE) return DECLINE;
      out[i] = r;
    }
    return out;
  };
}

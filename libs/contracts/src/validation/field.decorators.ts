import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateBy,
  ValidateIf,
  ValidateNested,
  ValidationArguments,
  ValidationOptions,
} from 'class-validator';
import { MAX_MARKS_PER_CHAR, reasonTextProblem, shownTextProblem } from './text-rules';

/** A request id: 1..64 characters of `A-Z a-z 0-9 _ - : .` (a UUID fits; so does `pay:PO123`). */
export const REQUEST_ID_PATTERN = /^[A-Za-z0-9_\-:.]{1,64}$/;
export const REQUEST_ID_MAX_LENGTH = 64;

function compose(...decorators: PropertyDecorator[]): PropertyDecorator {
  return (target, key) => decorators.forEach((d) => d(target, key));
}

function safeInt(min: number, options?: ValidationOptions): PropertyDecorator {
  return compose(IsInt(options), Min(min, options), Max(Number.MAX_SAFE_INTEGER, options));
}

/** A database id: an integer in 1..Number.MAX_SAFE_INTEGER (never a string, never a float). `{ each: true }` for arrays. */
export function IsEntityId(options?: ValidationOptions): PropertyDecorator {
  return safeInt(1, options);
}

/** A positive amount of coins (or cents): an integer in 1..Number.MAX_SAFE_INTEGER. */
export function IsPositiveAmount(options?: ValidationOptions): PropertyDecorator {
  return safeInt(1, options);
}

/** An integer in 0..Number.MAX_SAFE_INTEGER (balances, epoch milliseconds, lengths). */
export function IsNonNegativeInt(options?: ValidationOptions): PropertyDecorator {
  return safeInt(0, options);
}

/**
 * The values of a TypeScript enum: for a numeric enum its numbers, without the member names its reverse mapping
 * also holds (`PayChannel[0] === 'ALIPAY'`), which class-validator's IsEnum accepts as values.
 */
export function enumValues(e: object): (string | number)[] {
  const members = e as Record<string, string | number>;
  return Object.keys(members)
    .filter((k) => !(typeof members[k] === 'string' && members[members[k]] === Number(k)))
    .map((k) => members[k]);
}

/** One of an enum's values (enumValues: a numeric enum's numbers only, never its member names). */
export function IsEnumValue(e: object, options?: ValidationOptions): PropertyDecorator {
  return IsIn(enumValues(e), options);
}

/**
 * An optional paging cursor: absent for the first page, else a string of at most 64 characters matching
 * `pattern`, refused with `message`. null is refused, not taken for absent: it is the last page's nextCursor
 * (there is no next page), and a client sending it back would otherwise start over from the newest rows.
 */
export function IsOptionalCursor(pattern: RegExp, message: string): PropertyDecorator {
  const isCursor = (value: unknown): boolean => typeof value === 'string' && value.length <= 64 && pattern.test(value);
  return compose(
    ValidateIf((_object, value) => value !== undefined),
    ValidateBy({ name: 'isCursor', validator: { validate: isCursor, defaultMessage: () => message } }),
  );
}

/**
 * A gift picture's address: a path of this site (`/assets/gifts/rose.svg`) or an https URL; empty: none. Never
 * another scheme (`javascript:`, `data:`, `http:`), a scheme-relative `//host` or `/\\host`, nor a space, quote,
 * angle bracket or backslash: every client shows it to every viewer as it is.
 */
export const ASSET_URL_PATTERN = /^(|\/(?![/\\])[^\s"'<>\\]*|https:\/\/[A-Za-z0-9.-]+(:\d{1,5})?\/[^\s"'<>\\]*)$/;
export const ASSET_URL_RULE = 'must be a path of this site (/...) or an https:// URL';

/** See ASSET_URL_PATTERN; at most `maxLength` characters. */
export function IsAssetUrl(maxLength: number): PropertyDecorator {
  return compose(
    IsString(),
    MaxLength(maxLength),
    Matches(ASSET_URL_PATTERN, { message: `$property ${ASSET_URL_RULE}` }),
  );
}

/** An idempotency key or message id: see REQUEST_ID_PATTERN. */
export function IsRequestId(options?: ValidationOptions): PropertyDecorator {
  return compose(
    IsString(options),
    MinLength(1, options),
    MaxLength(REQUEST_ID_MAX_LENGTH, options),
    Matches(REQUEST_ID_PATTERN, { message: '$property must be 1..64 characters of A-Z a-z 0-9 _ - : .', ...options }),
  );
}

/**
 * A reason an admin gives (a freeze, a rejected withdrawal): 1..`maxLength` characters, passing reasonTextProblem:
 * not blank (something visible once whitespace and invisible characters are left out: "   ", "\u200B" and
 * "\u3164" say nothing and are refused), no lone surrogate, no noncharacter. The message names the problem.
 */
export function IsReasonText(maxLength: number): PropertyDecorator {
  return compose(
    IsString(),
    MinLength(1),
    MaxLength(maxLength),
    ValidateProblem('isReasonText', (value) =>
      typeof value === 'string' ? reasonTextProblem(value) : 'must be a string',
    ),
  );
}

/** What IsShownText refuses beyond its length, in words for the API's description (after "once trimmed, "). */
export const SHOWN_TEXT_RULES = `as chat texts: not blank once invisible characters are left out, no lone surrogates, noncharacters, control or invisible characters (zero-width joiners only between emoji or inside a non-Latin word, direction marks refused), private-use characters, or more than ${MAX_MARKS_PER_CHAR} non-spacing marks on one character`;

/**
 * A text shown to others in a room (a nickname, a room's title): trimmed (the spaces around dropped), then
 * 1..`maxChars` characters (code points: an emoji counts one) passing shownTextProblem (the rule of chat texts),
 * then `more` (the field's own rule: staff words...). The message names the problem. With IsString before it.
 */
export function IsShownText(maxChars: number, more: (text: string) => string | null = () => null): PropertyDecorator {
  return compose(
    Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value)),
    ValidateProblem('isShownText', (value) => {
      if (typeof value !== 'string') return 'must be a string';
      const chars = [...value].length;
      if (chars < 1 || chars > maxChars) return `must be 1-${maxChars} characters after trimming (it has ${chars})`;
      return shownTextProblem(value) ?? more(value);
    }),
  );
}

/**
 * A check written as "why `value` is refused, or null": valid when null, refused with `<property> <problem>`
 * (the problem in words that follow the field's name: "must not be blank ...").
 */
export function ValidateProblem(name: string, problemOf: (value: unknown) => string | null): PropertyDecorator {
  return ValidateBy({
    name,
    validator: {
      validate: (value: unknown) => problemOf(value) === null,
      defaultMessage: ({ property, value }: ValidationArguments) => `${property} ${problemOf(value) ?? 'is invalid'}`,
    },
  });
}

/** A batch: an array of 1..`max` items, each an `itemClass` validated in full. */
export function IsBatchOf(itemClass: new () => object, max: number): PropertyDecorator {
  return compose(
    IsArray(),
    ArrayMinSize(1),
    ArrayMaxSize(max),
    ValidateNested({ each: true }),
    Type(() => itemClass),
  );
}

/** A pkId (issue 21): `pk-<roomId>-<the room's seq at its start>`, at most 48 characters (t_living_pk.pk_id). */
export const PK_ID_PATTERN = /^pk-[1-9][0-9]{0,15}-[1-9][0-9]{0,15}$/;
export const PK_ID_MAX_LENGTH = 48;

/** An optional pkId (SendGiftMq.pkId, GiftOrderSignature.pkId: the same constraints in both). */
export function IsOptionalPkId(): PropertyDecorator {
  return compose(
    IsOptional(),
    IsString(),
    MaxLength(PK_ID_MAX_LENGTH),
    Matches(PK_ID_PATTERN, { message: '$property must be pk-<roomId>-<seq>' }),
  );
}

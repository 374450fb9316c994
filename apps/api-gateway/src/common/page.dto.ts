import { ToInt } from '@live/common';
import { IsEnumValue, IsWithinPageDepth, MAX_PAGE_DEPTH, MAX_PAGE_SIZE } from '@live/contracts';
import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptions } from '@nestjs/swagger';
import { IsEmpty, IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';

/** The INT columns' bound (gift ids); BIGINT ids go up to Number.MAX_SAFE_INTEGER. */
export const INT_MAX = 2_147_483_647;

/** A positive integer id up to `max`, as a number or a numeric string (form bodies). */
export function IdField(max: number = Number.MAX_SAFE_INTEGER): PropertyDecorator {
  return applyDecorators(ToInt(), IsInt(), Min(1), Max(max));
}

/**
 * One of `values` (a numeric enum: its numbers, never its member names), as a number or a numeric string (form
 * bodies). Applied as `@ApiProperty @ToInt @IsEnumValue` would be.
 */
export function EnumField(values: object): PropertyDecorator {
  return applyDecorators(IsEnumValue(values), ToInt(), ApiProperty({ enum: values }));
}

/** A string matching `pattern`, refused with `message`. Applied as `@ApiProperty @IsString @Matches` would be. */
export function MatchingField(pattern: RegExp, message: string, api: ApiPropertyOptions = {}): PropertyDecorator {
  return applyDecorators(Matches(pattern, { message }), IsString(), ApiProperty(api));
}

/** `page` from 1, `pageSize` 1..100, page x pageSize at most 10,000, as numbers or numeric strings (form bodies). */
export class PageDto {
  @ApiProperty({
    minimum: 1,
    maximum: MAX_PAGE_DEPTH,
    example: 1,
    description: `page x pageSize at most ${MAX_PAGE_DEPTH}: paging reads no deeper`,
  })
  @ToInt()
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_DEPTH)
  @IsWithinPageDepth()
  page!: number;

  @ApiProperty({ minimum: 1, maximum: MAX_PAGE_SIZE, example: 20 })
  @ToInt()
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  pageSize!: number;
}

/**
 * The body of an endpoint that takes none: any field in it is an unknown field (400). class-validator
 * needs one known property to treat the class as validatable, hence the never-set `none`.
 */
export class EmptyBodyDto {
  @IsOptional()
  @IsEmpty({ message: 'this endpoint takes no body' })
  none?: undefined;
}

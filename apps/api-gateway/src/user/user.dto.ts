import { hasForbiddenTextChars, NICK_NAME_MAX_CHARS } from '@live/contracts';
import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsInt, IsString, Max, Min, ValidateBy } from 'class-validator';

/** The most user ids one /user/names call may name. */
export const MAX_NAMES_PER_CALL = 100;

/**
 * 1..NICK_NAME_MAX_CHARS characters (code points) once trimmed (the Transform trims), without control or invisible
 * format characters (hasForbiddenTextChars: a zero-width joiner only between emoji).
 */
function IsNickName(): PropertyDecorator {
  return ValidateBy({
    name: 'isNickName',
    validator: {
      validate: (value: unknown) =>
        typeof value === 'string' &&
        [...value].length >= 1 &&
        [...value].length <= NICK_NAME_MAX_CHARS &&
        !hasForbiddenTextChars(value),
      defaultMessage: () =>
        `nickName must be 1-${NICK_NAME_MAX_CHARS} characters after trimming, without control or invisible characters`,
    },
  });
}

export class SetNickNameDto {
  @ApiProperty({
    minLength: 1,
    maxLength: NICK_NAME_MAX_CHARS,
    example: 'Lucky Star',
    description: `1-${NICK_NAME_MAX_CHARS} characters once trimmed (spaces around are dropped), no control or invisible format characters (a zero-width joiner only between emoji)`,
  })
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value))
  @IsString()
  @IsNickName()
  nickName!: string;
}

export class UserNamesDto {
  @ApiProperty({
    type: [Number],
    minItems: 1,
    maxItems: MAX_NAMES_PER_CALL,
    example: [10001, 10002],
    description: 'user ids (positive integers)',
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_NAMES_PER_CALL)
  @IsInt({ each: true })
  @Min(1, { each: true })
  @Max(Number.MAX_SAFE_INTEGER, { each: true })
  userIds!: number[];
}

export class NickNameView {
  @ApiProperty({ example: 'Lucky Star' })
  nickName!: string;
}

export class ProfileView {
  @ApiProperty({ example: 10001 })
  userId!: number;

  @ApiProperty({ example: 'user10001' })
  nickName!: string;
}

export class NamesView {
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'string' },
    example: { '10001': 'Lucky Star', '10002': 'user10002' },
    description: 'user id -> nickname, for the ids that exist (unknown ids are left out)',
  })
  names!: Record<string, string>;
}

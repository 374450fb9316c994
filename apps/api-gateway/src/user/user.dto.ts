import { NICK_NAME_MAX_CHARS, shownTextProblem, ValidateProblem } from '@live/contracts';
import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsInt, IsString, Max, Min } from 'class-validator';

/** The most user ids one /user/names call may name. */
export const MAX_NAMES_PER_CALL = 100;

/**
 * 1..NICK_NAME_MAX_CHARS characters (code points) once trimmed (the Transform trims), passing the rule of texts
 * shown to a room (shownTextProblem, as chat texts: not malformed, not blank once invisible characters are left
 * out, no control or invisible characters but a zero-width joiner between emoji, no private use, no stacked
 * marks). The message names the problem.
 */
function IsNickName(): PropertyDecorator {
  return ValidateProblem('isNickName', nickNameProblem);
}

function nickNameProblem(value: unknown): string | null {
  if (typeof value !== 'string') return 'must be a string';
  const chars = [...value].length;
  if (chars < 1 || chars > NICK_NAME_MAX_CHARS)
    return `must be 1-${NICK_NAME_MAX_CHARS} characters after trimming (it has ${chars})`;
  return shownTextProblem(value);
}

export class SetNickNameDto {
  @ApiProperty({
    minLength: 1,
    maxLength: NICK_NAME_MAX_CHARS,
    example: 'Lucky Star',
    description: `1-${NICK_NAME_MAX_CHARS} characters once trimmed (spaces around are dropped), as chat texts: not blank once invisible characters are left out, no lone surrogates, noncharacters, control or invisible characters (zero-width joiners only between emoji or inside a non-Latin word, direction marks refused), private-use characters, or more than 4 non-spacing marks on one character`,
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

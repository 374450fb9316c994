import { IsShownText, NICK_NAME_MAX_CHARS, SHOWN_TEXT_RULES } from '@live/contracts';
import { ApiProperty } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsInt, IsString, Max, Min } from 'class-validator';

/** The most user ids one /user/names call may name. */
export const MAX_NAMES_PER_CALL = 100;

export class SetNickNameDto {
  @ApiProperty({
    minLength: 1,
    maxLength: NICK_NAME_MAX_CHARS,
    example: 'Lucky Star',
    description: `1-${NICK_NAME_MAX_CHARS} characters once trimmed (spaces around are dropped), ${SHOWN_TEXT_RULES}`,
  })
  @IsString()
  @IsShownText(NICK_NAME_MAX_CHARS)
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

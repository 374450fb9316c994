import { ToInt } from '@live/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { IdField } from '../common/page.dto';

/** The longest mute, in minutes (a day). */
export const MAX_MUTE_MINUTES = 1_440;

export class UnmuteDto {
  @ApiProperty({ example: 1 })
  @IdField()
  roomId!: number;

  @ApiProperty({ example: 10002, description: 'the user whose chat messages the room refuses' })
  @IdField()
  userId!: number;
}

export class MuteDto extends UnmuteDto {
  @ApiPropertyOptional({ minimum: 1, maximum: MAX_MUTE_MINUTES, default: 10 })
  @IsOptional()
  @ToInt()
  @IsInt()
  @Min(1)
  @Max(MAX_MUTE_MINUTES)
  minutes?: number;
}

/** The answer of mute and unmute: an empty object. */
export class EmptyView {}

import { ToInt } from '@live/common';
import { IsShownText, SHOWN_TEXT_RULES } from '@live/contracts';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, IsString, Max, Min } from 'class-validator';
import { IdField, PageDto } from '../common/page.dto';
import { staffWordInTitleProblem } from '../common/staff-words';

/** Room types: 0 ordinary, 1 PK. */
const ROOM_TYPES = [0, 1];

/** A room's title, in characters (code points; t_living_room.room_name is a VARCHAR(128) of utf8mb4). */
export const ROOM_NAME_MAX_CHARS = 128;

export class StartLivingDto {
  @ApiProperty({ enum: ROOM_TYPES, description: '0 ordinary, 1 PK' })
  @ToInt()
  @IsInt()
  @Min(0)
  @Max(1)
  type!: number;

  /** Shown to everyone in the lobby and the room: the rule of texts shown to a room, and no staff word as a word. */
  @ApiPropertyOptional({
    minLength: 1,
    maxLength: ROOM_NAME_MAX_CHARS,
    example: 'Karaoke night 🎤',
    description: `the room's title, 1-${ROOM_NAME_MAX_CHARS} characters once trimmed (spaces around are dropped), ${SHOWN_TEXT_RULES}; no word that is admin, official, moderator, staff or system once folded (as nicknames fold: ADMIN, S.y.s.t.e.m; "Badminton" is fine). Absent: "room of <anchorId>"`,
  })
  @IsOptional()
  @IsString()
  @IsShownText(ROOM_NAME_MAX_CHARS, staffWordInTitleProblem)
  roomName?: string;
}

export class RoomIdDto {
  @ApiProperty({ example: 1 })
  @IdField()
  roomId!: number;
}

export class ListLivingDto extends PageDto {
  @ApiProperty({ enum: ROOM_TYPES })
  @ToInt()
  @IsInt()
  @Min(0)
  @Max(1)
  type!: number;
}

export class RoomView {
  @ApiProperty() roomId!: number;
  @ApiProperty() anchorId!: number;
  @ApiProperty() roomName!: string;
  @ApiProperty() type!: number;
  @ApiProperty({ nullable: true, type: String }) coverImg!: string | null;
  @ApiProperty({ description: 'epoch ms' }) startTime!: number;
}

export class AnchorConfigView extends RoomView {
  @ApiProperty() anchorNickName!: string;
  @ApiProperty({ nullable: true, type: String }) anchorAvatar!: string | null;
  @ApiProperty({ description: 'the caller is the anchor of this room' }) isAnchor!: boolean;
  @ApiProperty({ description: '1 living, 0 closed' }) status!: number;
  @ApiProperty({
    nullable: true,
    type: Number,
    description: 'viewers connected to the room now (im-core); null when unknown',
  })
  onlineCount!: number | null;
}

import { ToInt } from '@live/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min, MinLength } from 'class-validator';
import { IdField, PageDto } from '../common/page.dto';

/** Room types: 0 ordinary, 1 PK. */
const ROOM_TYPES = [0, 1];

export class StartLivingDto {
  @ApiProperty({ enum: ROOM_TYPES, description: '0 ordinary, 1 PK' })
  @ToInt()
  @IsInt()
  @Min(0)
  @Max(1)
  type!: number;

  @ApiPropertyOptional({ maxLength: 128 })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(128)
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

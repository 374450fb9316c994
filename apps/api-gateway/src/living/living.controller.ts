import { ApiResponse, ApiResponses, GatewayErrorCode } from '@live/common';
import { RequestLimit } from '@live/rate-limit';
import { Body, Controller } from '@nestjs/common';
import { PostOk } from '../common/post-ok.decorator';
import { ApiTags } from '@nestjs/swagger';
import { CurrentUser } from '../auth/auth.decorators';
import { RequestUser } from '../auth/auth.types';
import { AnchorConfigView, ListLivingDto, RoomIdDto, RoomView, StartLivingDto } from './living.dto';
import { LivingService } from './living.service';
import { ApiDoc } from '../docs/api-doc.decorator';
import { RoomIdView, RoomPageView } from '../docs/answer-views';

/**
 * The lobby and a room's card: each reads the database (the card also asks im-router who is in the room). 30 per
 * 10 s per user, as PK state reads: the web client polls a room's card every 15 s. Unbounded before 2026-12-01 (an
 * attacker pass made 3,165 card reads in 10 s from one user).
 */
const ROOM_READ_LIMIT = { limit: 30, seconds: 10, msg: 'too many room reads, wait a moment' };
@ApiTags('living')
@Controller('living')
export class LivingController {
  constructor(private readonly living: LivingService) {}

  @ApiDoc({
    ok: RoomIdView,
    summary: 'Open a living room with the caller as its anchor (already live: the open room, if of the same type)',
    example: { type: 0, roomName: 'my room' },
    errors: [GatewayErrorCode.LIVING_ROOM_ALREADY_OPEN],
  })
  @PostOk('startingLiving')
  @RequestLimit({
    limit: 1,
    seconds: 10,
    msg: 'a room can be started once every 10 seconds',
    // Each room opened (after a close) is a t_living_room row, kept: about 720 a day an account, not 8,640 (the
    // hour counts successful starts only).
    longer: { limit: 30, seconds: 3_600, msg: 'at most 30 rooms started an hour: try again later' },
  })
  async start(@CurrentUser() user: RequestUser, @Body() dto: StartLivingDto): Promise<ApiResponse<{ roomId: number }>> {
    return ApiResponses.ok(await this.living.start(user.userId, dto.type, dto.roomName));
  }

  @ApiDoc({
    ok: null,
    summary: 'Close a living room (its anchor only)',
    example: { roomId: 1 },
    errors: [GatewayErrorCode.LIVING_ROOM_NOT_FOUND, GatewayErrorCode.LIVING_ROOM_NOT_OWNER],
  })
  @PostOk('closeLiving')
  @RequestLimit({ limit: 1, seconds: 10, msg: 'a room can be closed once every 10 seconds' })
  async close(@CurrentUser() user: RequestUser, @Body() dto: RoomIdDto): Promise<ApiResponse<null>> {
    await this.living.close(user.userId, dto.roomId);
    return ApiResponses.ok(null);
  }

  @ApiDoc({
    ok: RoomPageView,
    summary: 'The living rooms of a type, newest first',
    example: { type: 0, page: 1, pageSize: 20 },
  })
  @PostOk('list')
  @RequestLimit(ROOM_READ_LIMIT)
  async list(@Body() dto: ListLivingDto): Promise<ApiResponse<{ list: RoomView[]; hasNext: boolean }>> {
    return ApiResponses.ok(await this.living.list(dto.type, dto.page, dto.pageSize));
  }

  @ApiDoc({
    ok: AnchorConfigView,
    summary: 'A room with its anchor and online count',
    example: { roomId: 1 },
    errors: [GatewayErrorCode.LIVING_ROOM_NOT_FOUND],
  })
  @PostOk('anchorConfig')
  @RequestLimit(ROOM_READ_LIMIT)
  async anchorConfig(@CurrentUser() user: RequestUser, @Body() dto: RoomIdDto): Promise<ApiResponse<AnchorConfigView>> {
    return ApiResponses.ok(await this.living.anchorConfig(user.userId, dto.roomId));
  }
}

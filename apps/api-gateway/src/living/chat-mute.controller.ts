import { ApiResponse, ApiResponses, GatewayErrorCode } from '@live/common';
import { RequestLimit } from '@live/rate-limit';
import { Body, Controller } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { CurrentUser } from '../auth/auth.decorators';
import { RequestUser } from '../auth/auth.types';
import { PostOk } from '../common/post-ok.decorator';
import { ApiDoc } from '../docs/api-doc.decorator';
import { EmptyView, MuteDto, UnmuteDto } from './chat-mute.dto';
import { ChatMuteService } from './chat-mute.service';

/** The anchor's control of its room's chat (bizCode 5555 over the WebSocket): mutes. */
@ApiTags('living')
@Controller('living')
export class ChatMuteController {
  constructor(private readonly mutes: ChatMuteService) {}

  @ApiDoc({
    ok: EmptyView,
    summary: "Mute a user in the room's chat for some minutes (the room's anchor only)",
    example: { roomId: 1, userId: 10002, minutes: 10 },
    errors: [GatewayErrorCode.LIVING_ROOM_NOT_FOUND, GatewayErrorCode.LIVING_ROOM_NOT_OWNER],
  })
  @PostOk('mute')
  @RequestLimit({ limit: 30, seconds: 60, msg: 'too many mutes, wait a minute' })
  async mute(@CurrentUser() user: RequestUser, @Body() dto: MuteDto): Promise<ApiResponse<EmptyView>> {
    await this.mutes.mute(user.userId, dto.roomId, dto.userId, dto.minutes ?? 10);
    return ApiResponses.ok({});
  }

  @ApiDoc({
    ok: EmptyView,
    summary: "Lift a user's mute in the room's chat (the room's anchor only)",
    example: { roomId: 1, userId: 10002 },
    errors: [GatewayErrorCode.LIVING_ROOM_NOT_FOUND, GatewayErrorCode.LIVING_ROOM_NOT_OWNER],
  })
  @PostOk('unmute')
  @RequestLimit({ limit: 30, seconds: 60, msg: 'too many unmutes, wait a minute' })
  async unmute(@CurrentUser() user: RequestUser, @Body() dto: UnmuteDto): Promise<ApiResponse<EmptyView>> {
    await this.mutes.unmute(user.userId, dto.roomId, dto.userId);
    return ApiResponses.ok({});
  }
}

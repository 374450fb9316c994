import { ApiResponse, ApiResponses, GatewayErrorCode } from '@live/common';
import { GiftHistoryPage } from '@live/contracts';
import { RequestLimit } from '@live/rate-limit';
import { Body, Controller } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { CurrentUser } from '../auth/auth.decorators';
import { RequestUser } from '../auth/auth.types';
import { PostOk } from '../common/post-ok.decorator';
import { GiftHistoryPageView } from '../docs/answer-views';
import { ApiDoc } from '../docs/api-doc.decorator';
import { GiftHistoryDto, RoomGiftHistoryDto } from './gift-history.dto';
import { GiftHistoryService } from './gift-history.service';

/**
 * A user's reads of each history route: a page is a database range of up to 101 rows (and, for a room, its
 * anchor's row). The web client reads its sends' page a few times after a send and pages on demand.
 */
const HISTORY_READ_LIMIT = { limit: 100, seconds: 10, msg: 'too many history reads, wait a moment' };

/** Gift history, newest first, keyset paged: `{ list, nextCursor }` (nextCursor null on the last page). */
@ApiTags('gift')
@Controller('gift/history')
export class GiftHistoryController {
  constructor(private readonly history: GiftHistoryService) {}

  @ApiDoc({
    ok: GiftHistoryPageView,
    summary: 'The gifts the caller sent, newest first (keyset paged: pass nextCursor back as cursor)',
    example: { limit: 20 },
  })
  @PostOk('sent')
  @RequestLimit(HISTORY_READ_LIMIT)
  async sent(@CurrentUser() user: RequestUser, @Body() dto: GiftHistoryDto): Promise<ApiResponse<GiftHistoryPage>> {
    return ApiResponses.ok(await this.history.sent(user, dto));
  }

  @ApiDoc({
    ok: GiftHistoryPageView,
    summary: 'The gifts the caller received, newest first (keyset paged: pass nextCursor back as cursor)',
    example: { limit: 20 },
  })
  @PostOk('received')
  @RequestLimit(HISTORY_READ_LIMIT)
  async received(@CurrentUser() user: RequestUser, @Body() dto: GiftHistoryDto): Promise<ApiResponse<GiftHistoryPage>> {
    return ApiResponses.ok(await this.history.received(user, dto));
  }

  @ApiDoc({
    ok: GiftHistoryPageView,
    summary: "The gifts sent in a room, newest first: its anchor's (and admins') only",
    example: { roomId: 1, limit: 20 },
    errors: [GatewayErrorCode.LIVING_ROOM_NOT_FOUND, GatewayErrorCode.LIVING_ROOM_NOT_OWNER],
  })
  @PostOk('room')
  @RequestLimit(HISTORY_READ_LIMIT)
  async room(@CurrentUser() user: RequestUser, @Body() dto: RoomGiftHistoryDto): Promise<ApiResponse<GiftHistoryPage>> {
    return ApiResponses.ok(await this.history.room(user, dto.roomId, dto));
  }
}

import { BizException, GatewayErrorCode, GiftClient } from '@live/common';
import { GIFT_HISTORY_DEFAULT_LIMIT, GiftHistoryPage } from '@live/contracts';
import { Injectable } from '@nestjs/common';
import { AdminRights } from '../auth/admin-rights';
import { RequestUser } from '../auth/auth.types';
import { LivingService } from '../living/living.service';

/** A page request as the gateway passes it on: the caller's cursor, a limit (default 20). */
export interface HistoryPageQuery {
  cursor?: string;
  limit?: number;
}

/**
 * Who may read which gift history; gift-service (owner of t_gift_record) reads the rows. Sent and
 * received: the caller's own only (the user id comes from the token). A room's: its anchor, and admins
 * (support and disputes); anyone else gets LIVING_ROOM_NOT_OWNER (403, 10004), an unknown room
 * LIVING_ROOM_NOT_FOUND (404, 10003). A closed room's history stays readable.
 */
@Injectable()
export class GiftHistoryService {
  constructor(
    private readonly gifts: GiftClient,
    private readonly living: LivingService,
    private readonly admins: AdminRights,
  ) {}

  sent(user: RequestUser, query: HistoryPageQuery): Promise<GiftHistoryPage> {
    return this.gifts.historySent({ userId: user.userId, ...page(query) });
  }

  received(user: RequestUser, query: HistoryPageQuery): Promise<GiftHistoryPage> {
    return this.gifts.historyReceived({ userId: user.userId, ...page(query) });
  }

  async room(user: RequestUser, roomId: number, query: HistoryPageQuery): Promise<GiftHistoryPage> {
    const anchorId = await this.living.anchorOf(roomId);
    if (anchorId !== user.userId && !(await this.admins.holds(user))) {
      throw new BizException(
        GatewayErrorCode.LIVING_ROOM_NOT_OWNER,
        "only the room's anchor can read its gift history",
      );
    }
    return this.gifts.historyRoom({ roomId, ...page(query) });
  }
}

function page(query: HistoryPageQuery): { cursor?: string; limit: number } {
  const limit = query.limit ?? GIFT_HISTORY_DEFAULT_LIMIT;
  return query.cursor === undefined ? { limit } : { cursor: query.cursor, limit };
}

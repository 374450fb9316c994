import { GiftHistoryByRoomRequest, GiftHistoryByUserRequest, GiftHistoryPage, GiftRpc } from '@live/contracts';
import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { GiftHistoryService } from './gift-history.service';

/**
 * gift-service's history RPCs. An internal surface, validated like the rest (the global pipe checks the
 * ids, `limit` 1..100 and the cursor's shape; the service refuses a cursor it did not write). Who may read
 * which history is the caller's rule (api-gateway: one's own; a room's anchor).
 */
@Controller()
export class GiftHistoryRpcController {
  constructor(private readonly history: GiftHistoryService) {}

  @MessagePattern({ cmd: GiftRpc.HISTORY_SENT })
  sent(@Payload() req: GiftHistoryByUserRequest): Promise<GiftHistoryPage> {
    return this.history.page('sender', req.userId, req.limit, req.cursor);
  }

  @MessagePattern({ cmd: GiftRpc.HISTORY_RECEIVED })
  received(@Payload() req: GiftHistoryByUserRequest): Promise<GiftHistoryPage> {
    return this.history.page('receiver', req.userId, req.limit, req.cursor);
  }

  @MessagePattern({ cmd: GiftRpc.HISTORY_ROOM })
  room(@Payload() req: GiftHistoryByRoomRequest): Promise<GiftHistoryPage> {
    return this.history.page('room', req.roomId, req.limit, req.cursor);
  }
}

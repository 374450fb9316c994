import {
  ImCorePushRequest,
  ImCorePushResponse,
  ImCorePushToRoomsRequest,
  ImCoreRpc,
  ImRoomMembersRequest,
  ImRoomMembersResponse,
} from '@live/contracts';
import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { ConnectionRegistry } from './connection/connection-registry';
import { ImPushService } from './push/im-push.service';

/** What im-router asks this node (validation by the global pipe). */
@Controller()
export class ImCoreRpcController {
  constructor(
    private readonly push: ImPushService,
    private readonly registry: ConnectionRegistry,
  ) {}

  @MessagePattern({ cmd: ImCoreRpc.PUSH })
  pushToUsers(@Payload() req: ImCorePushRequest): ImCorePushResponse {
    return this.push.pushToUsers(req.msgId, req.userIds, req.bizCode, req.data);
  }

  @MessagePattern({ cmd: ImCoreRpc.PUSH_TO_ROOMS })
  pushToRooms(@Payload() req: ImCorePushToRoomsRequest): ImCorePushResponse {
    const perMessage = req.messages.map((m) =>
      this.push.pushToRoom(m.msgId, m.roomId, m.bizCode, m.data, m.excludeUserIds),
    );
    return { pushed: perMessage.reduce((a, b) => a + b, 0), offline: [], perMessage };
  }

  @MessagePattern({ cmd: ImCoreRpc.ROOM_MEMBERS })
  roomMembers(@Payload() req: ImRoomMembersRequest): ImRoomMembersResponse {
    return { userIds: [...new Set([...this.registry.ofRoom(req.roomId)].map((c) => c.userId))] };
  }
}

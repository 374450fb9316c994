import {
  ImRoomMembersRequest,
  ImRoomMembersResponse,
  ImRouteResponse,
  ImRouterRpc,
  ImSendMsgRequest,
  ImSendToRoomsRequest,
  ImSendToRoomsResponse,
} from '@live/contracts';
import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { ImRouterService } from './routing/im-router.service';

/** im-router's TCP RPC surface (validation by the global pipe). */
@Controller()
export class ImRouterRpcController {
  constructor(private readonly router: ImRouterService) {}

  @MessagePattern({ cmd: ImRouterRpc.SEND_MSG })
  sendMsg(@Payload() req: ImSendMsgRequest): Promise<ImRouteResponse> {
    return this.router.sendMsg(req);
  }

  @MessagePattern({ cmd: ImRouterRpc.ROOM_MEMBERS })
  roomMembers(@Payload() req: ImRoomMembersRequest): Promise<ImRoomMembersResponse> {
    return this.router.roomMembers(req.roomId);
  }

  @MessagePattern({ cmd: ImRouterRpc.SEND_TO_ROOMS })
  sendToRooms(@Payload() req: ImSendToRoomsRequest): Promise<ImSendToRoomsResponse> {
    return this.router.sendToRooms(req);
  }
}

import {
  GiftRpc,
  PkOfflineResponse,
  PkOnlineResponse,
  PkSeatRequest,
  PkSessionEndedRequest,
  PkSessionEndedResponse,
  PkStateRequest,
  PkStateResponse,
} from '@live/contracts';
import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { PkService } from './pk.service';

/** PK battles over RPC (issue 21): the gateway's /living/onlinePK|offlinePK|pkState, im-core's session ends. */
@Controller()
export class PkRpcController {
  constructor(private readonly pk: PkService) {}

  @MessagePattern({ cmd: GiftRpc.PK_ONLINE })
  online(@Payload() req: PkSeatRequest): Promise<PkOnlineResponse> {
    return this.pk.online(req.roomId, req.userId);
  }

  @MessagePattern({ cmd: GiftRpc.PK_OFFLINE })
  offline(@Payload() req: PkSeatRequest): Promise<PkOfflineResponse> {
    return this.pk.offline(req.roomId, req.userId);
  }

  @MessagePattern({ cmd: GiftRpc.PK_STATE })
  state(@Payload() req: PkStateRequest): Promise<PkStateResponse> {
    return this.pk.state(req.roomId);
  }

  @MessagePattern({ cmd: GiftRpc.PK_SESSION_ENDED })
  async sessionEnded(@Payload() req: PkSessionEndedRequest): Promise<PkSessionEndedResponse> {
    return { ended: await this.pk.sessionEnded(req.userId) };
  }
}

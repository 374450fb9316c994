import { CatalogueOrderKeys } from '@live/common';
import {
  GiftRpc,
  ImPresenceReader,
  PkOfflineResponse,
  PkOnlineResponse,
  PkSeatPattern,
  PkSeatRequest,
  PkSessionEndedRequest,
  PkSessionEndedResponse,
  PkStateRequest,
  PkStateResponse,
} from '@live/contracts';
import { Controller, Logger } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { PkService } from './pk.service';

/** PK battles over RPC (issue 21): the gateway's /living/onlinePK|offlinePK|pkState, im-core's session ends. */
@Controller()
export class PkRpcController {
  private readonly logger = new Logger(PkRpcController.name);

  constructor(
    private readonly pk: PkService,
    private readonly keys: CatalogueOrderKeys,
    private readonly presence: ImPresenceReader,
  ) {}

  /** The seat call, if api-gateway signed it for its user (PK_SEAT_PATTERNS); else FORBIDDEN, nothing changed, a warning. */
  private authorized(pattern: PkSeatPattern, req: PkSeatRequest): Omit<PkSeatRequest, 'authority'> {
    return this.keys.pkSeats.required(pattern, req, (reason) =>
      this.logger.warn(`${pattern} refused, nothing changed: not signed by api-gateway (${reason})`),
    );
  }

  @MessagePattern({ cmd: GiftRpc.PK_ONLINE })
  online(@Payload() req: PkSeatRequest): Promise<PkOnlineResponse> {
    const { roomId, userId } = this.authorized(GiftRpc.PK_ONLINE, req);
    return this.pk.online(roomId, userId);
  }

  @MessagePattern({ cmd: GiftRpc.PK_OFFLINE })
  offline(@Payload() req: PkSeatRequest): Promise<PkOfflineResponse> {
    const { roomId, userId } = this.authorized(GiftRpc.PK_OFFLINE, req);
    return this.pk.offline(roomId, userId);
  }

  @MessagePattern({ cmd: GiftRpc.PK_STATE })
  state(@Payload() req: PkStateRequest): Promise<PkStateResponse> {
    return this.pk.state(req.roomId);
  }

  /**
   * im-core's word that the user's last socket closed is not believed on its own (any holder of the RPC key can
   * say it): their PKs end only when im-core's presence in Redis shows no node holding a socket of theirs. A
   * user still connected anywhere (a forged call, or a second node of theirs) keeps the seat: nothing ended,
   * a warning. im-core removes its node's binding before it calls (the same connection, in order).
   */
  @MessagePattern({ cmd: GiftRpc.PK_SESSION_ENDED })
  async sessionEnded(@Payload() req: PkSessionEndedRequest): Promise<PkSessionEndedResponse> {
    const [nodes] = await this.presence.nodesOfUsers([req.userId]);
    if (nodes.length > 0) {
      this.logger.warn(
        `${GiftRpc.PK_SESSION_ENDED} for user ${req.userId} refused, nothing ended: still connected to ${nodes.join(', ')}`,
      );
      return { ended: 0 };
    }
    return { ended: await this.pk.sessionEnded(req.userId) };
  }
}

import { CatalogueOrderKeys } from '@live/common';
import { SignedOrderReplays } from '@live/redis';
import {
  GiftRpc,
  ImNodeRegistryReader,
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
    private readonly registry: ImNodeRegistryReader,
    private readonly replays: SignedOrderReplays,
  ) {}

  /**
   * The seat call, if api-gateway signed it for its user (PK_SEAT_PATTERNS), once per signature (a copy is
   * answered the first's outcome: a leave sent again ends no later PK of the user); else FORBIDDEN, nothing
   * changed, a warning.
   */
  private authorized<R>(
    pattern: PkSeatPattern,
    req: PkSeatRequest,
    work: (seat: Omit<PkSeatRequest, 'authority'>) => Promise<R>,
  ): Promise<R> {
    const refused = (why: string): void => this.logger.warn(`${pattern} refused, nothing changed: ${why}`);
    return this.replays.carryOut(this.keys.pkSeats, pattern, req, refused, work);
  }

  @MessagePattern({ cmd: GiftRpc.PK_ONLINE })
  online(@Payload() req: PkSeatRequest): Promise<PkOnlineResponse> {
    return this.authorized(GiftRpc.PK_ONLINE, req, ({ roomId, userId }) => this.pk.online(roomId, userId));
  }

  @MessagePattern({ cmd: GiftRpc.PK_OFFLINE })
  offline(@Payload() req: PkSeatRequest): Promise<PkOfflineResponse> {
    return this.authorized(GiftRpc.PK_OFFLINE, req, ({ roomId, userId }) => this.pk.offline(roomId, userId));
  }

  @MessagePattern({ cmd: GiftRpc.PK_STATE })
  state(@Payload() req: PkStateRequest): Promise<PkStateResponse> {
    return this.pk.state(req.roomId);
  }

  /**
   * im-core's word that the user's last socket closed is not believed on its own (any holder of the RPC key can
   * say it): their PKs end only when im-core's presence in Redis shows no live node (one refreshed within
   * IM_NODE_STALE_MS) holding a socket of theirs. A user still connected anywhere (a forged call, or a second
   * node of theirs) keeps the seat: nothing ended, a warning. im-core calls once its own binding's removal answered.
   */
  @MessagePattern({ cmd: GiftRpc.PK_SESSION_ENDED })
  async sessionEnded(@Payload() req: PkSessionEndedRequest): Promise<PkSessionEndedResponse> {
    const [bound] = await this.presence.nodesOfUsers([req.userId]);
    // A node that died holding the user's binding leaves it until it expires: such a node is no socket of theirs.
    // No node fresh at all is the registry's trouble (a failover, clocks apart), not every node dead: all count.
    const fresh = bound.length > 0 ? await this.registry.freshNodeIds() : new Set<string>();
    const nodes = fresh.size === 0 ? bound : bound.filter((node) => fresh.has(node));
    if (nodes.length > 0) {
      this.logger.warn(
        `${GiftRpc.PK_SESSION_ENDED} for user ${req.userId} refused, nothing ended: still connected to ${nodes.join(', ')}`,
      );
      return { ended: 0 };
    }
    return { ended: await this.pk.sessionEnded(req.userId) };
  }
}

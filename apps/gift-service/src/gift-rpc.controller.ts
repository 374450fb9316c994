import { CatalogueOrderKeys } from '@live/common';
import { SignedOrderReplays } from '@live/redis';
import {
  CatalogueOrderPattern,
  ContributionBoardRequest,
  ContributionBoardResponse,
  GetGiftConfigRequest,
  GetGiftConfigResponse,
  GiftConfigResponse,
  GiftRpc,
  InsertGiftConfigRequest,
  ListGiftPanelRequest,
  ListGiftPanelResponse,
  UpdateGiftConfigRequest,
} from '@live/contracts';
import { Controller, Logger } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { GiftOutcomeService } from './board/gift-outcome.service';
import { GiftConfigService } from './gift-config/gift-config.service';

const DEFAULT_BOARD_SIZE = 10;

/** gift-service's TCP RPC surface: maps each message to one service call (validation by the global pipe). */
@Controller()
export class GiftRpcController {
  private readonly logger = new Logger(GiftRpcController.name);

  constructor(
    private readonly giftConfigs: GiftConfigService,
    private readonly outcomes: GiftOutcomeService,
    private readonly keys: CatalogueOrderKeys,
    private readonly replays: SignedOrderReplays,
  ) {}

  /**
   * The catalogue change, if api-gateway signed it (CATALOGUE_ORDER_PATTERNS), once per signature (a copy is
   * answered the first's outcome: SignedOrderReplays); else FORBIDDEN, nothing changed, a warning.
   */
  private authorized<T extends { authority: string }, R>(
    pattern: CatalogueOrderPattern,
    order: T,
    work: (unsigned: Omit<T, 'authority'>) => Promise<R>,
  ): Promise<R> {
    const refused = (why: string): void => this.logger.warn(`${pattern} refused, nothing changed: ${why}`);
    return this.replays.carryOut(this.keys, pattern, order, refused, work);
  }

  @MessagePattern({ cmd: GiftRpc.GET_CONFIG })
  async getConfig(@Payload() req: GetGiftConfigRequest): Promise<GetGiftConfigResponse> {
    return { gift: await this.giftConfigs.getValid(req.giftId) };
  }

  @MessagePattern({ cmd: GiftRpc.LIST_PANEL })
  async listPanel(@Payload() req: ListGiftPanelRequest): Promise<ListGiftPanelResponse> {
    return { gifts: await this.giftConfigs.listPanel(req.includeDisabled ?? false) };
  }

  @MessagePattern({ cmd: GiftRpc.INSERT })
  insert(@Payload() req: InsertGiftConfigRequest): Promise<GiftConfigResponse> {
    return this.authorized(GiftRpc.INSERT, req, async (order) => ({ gift: await this.giftConfigs.insert(order) }));
  }

  @MessagePattern({ cmd: GiftRpc.UPDATE })
  update(@Payload() req: UpdateGiftConfigRequest): Promise<GiftConfigResponse> {
    return this.authorized(GiftRpc.UPDATE, req, async (order) => ({ gift: await this.giftConfigs.update(order) }));
  }

  @MessagePattern({ cmd: GiftRpc.CONTRIBUTION_BOARD })
  async board(@Payload() req: ContributionBoardRequest): Promise<ContributionBoardResponse> {
    return { entries: await this.outcomes.board(req.roomId, req.limit ?? DEFAULT_BOARD_SIZE) };
  }
}

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
   * The catalogue change, if api-gateway signed it (CATALOGUE_ORDER_PATTERNS) and its signature was not used
   * before (SignedOrderReplays: neither is sent again after it may have arrived); else FORBIDDEN, nothing
   * changed, a warning.
   */
  private authorized<T extends { authority: string }>(
    pattern: CatalogueOrderPattern,
    order: T,
  ): Promise<Omit<T, 'authority'>> {
    return this.replays.required(this.keys, pattern, order, (why) =>
      this.logger.warn(`${pattern} refused, nothing changed: ${why}`),
    );
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
  async insert(@Payload() req: InsertGiftConfigRequest): Promise<GiftConfigResponse> {
    return { gift: await this.giftConfigs.insert(await this.authorized(GiftRpc.INSERT, req)) };
  }

  @MessagePattern({ cmd: GiftRpc.UPDATE })
  async update(@Payload() req: UpdateGiftConfigRequest): Promise<GiftConfigResponse> {
    return { gift: await this.giftConfigs.update(await this.authorized(GiftRpc.UPDATE, req)) };
  }

  @MessagePattern({ cmd: GiftRpc.CONTRIBUTION_BOARD })
  async board(@Payload() req: ContributionBoardRequest): Promise<ContributionBoardResponse> {
    return { entries: await this.outcomes.board(req.roomId, req.limit ?? DEFAULT_BOARD_SIZE) };
  }
}

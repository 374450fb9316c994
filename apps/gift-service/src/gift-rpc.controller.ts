import {
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
import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { GiftOutcomeService } from './board/gift-outcome.service';
import { GiftConfigService } from './gift-config/gift-config.service';

const DEFAULT_BOARD_SIZE = 10;

/** gift-service's TCP RPC surface: maps each message to one service call (validation by the global pipe). */
@Controller()
export class GiftRpcController {
  constructor(
    private readonly giftConfigs: GiftConfigService,
    private readonly outcomes: GiftOutcomeService,
  ) {}

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
    return { gift: await this.giftConfigs.insert(req) };
  }

  @MessagePattern({ cmd: GiftRpc.UPDATE })
  async update(@Payload() req: UpdateGiftConfigRequest): Promise<GiftConfigResponse> {
    return { gift: await this.giftConfigs.update(req) };
  }

  @MessagePattern({ cmd: GiftRpc.CONTRIBUTION_BOARD })
  async board(@Payload() req: ContributionBoardRequest): Promise<ContributionBoardResponse> {
    return { entries: await this.outcomes.board(req.roomId, req.limit ?? DEFAULT_BOARD_SIZE) };
  }
}

import { ApiResponse, ApiResponses, BaseErrorCode, BizException, GiftClient } from '@live/common';
import { ContributionBoardResponse, GiftConfigDto } from '@live/contracts';
import { RequestLimit } from '@live/rate-limit';
import { Body, Controller, Headers } from '@nestjs/common';
import { PostOk } from '../common/post-ok.decorator';
import { ApiHeader, ApiTags } from '@nestjs/swagger';
import { AdminPost, CurrentUser } from '../auth/auth.decorators';
import { RequestUser } from '../auth/auth.types';
import { EmptyBodyDto } from '../common/page.dto';
import {
  BoardDto,
  CLIENT_REQUEST_ID_PATTERN,
  GiftPanelItemView,
  InsertGiftDto,
  SendGiftDto,
  SendGiftView,
  UpdateGiftDto,
} from './gift.dto';
import { GiftSendService } from './gift-send.service';

@ApiTags('gift')
@Controller('gift')
export class GiftController {
  constructor(
    private readonly sender: GiftSendService,
    private readonly giftService: GiftClient,
  ) {}

  @PostOk('listGift')
  async listGift(@Body() _body: EmptyBodyDto): Promise<ApiResponse<GiftPanelItemView[]>> {
    const { gifts } = await this.giftService.panel();
    return ApiResponses.ok(gifts);
  }

  @PostOk('send')
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description: 'same key twice = one charge (or body requestId)',
  })
  @RequestLimit({ limit: 100, seconds: 1, msg: 'too many gifts at once, slow down' })
  async send(
    @CurrentUser() user: RequestUser,
    @Body() dto: SendGiftDto,
    @Headers('idempotency-key') idempotencyKey?: string,
  ): Promise<ApiResponse<SendGiftView>> {
    if (idempotencyKey !== undefined && !CLIENT_REQUEST_ID_PATTERN.test(idempotencyKey)) {
      throw new BizException(BaseErrorCode.PARAM_ERROR, 'Idempotency-Key must be 1-40 characters of A-Z a-z 0-9 _ - .');
    }
    if (idempotencyKey !== undefined && dto.requestId !== undefined && idempotencyKey !== dto.requestId) {
      throw new BizException(BaseErrorCode.PARAM_ERROR, 'Idempotency-Key and requestId differ: give one of them');
    }
    return ApiResponses.ok(
      await this.sender.send({
        userId: user.userId,
        giftId: dto.giftId,
        roomId: dto.roomId,
        receiverId: dto.receiverId,
        clientRequestId: idempotencyKey ?? dto.requestId,
      }),
    );
  }

  /** The room's contribution board: top senders by coins spent in the room. */
  @PostOk('contributionBoard')
  async board(@Body() dto: BoardDto): Promise<ApiResponse<ContributionBoardResponse>> {
    return ApiResponses.ok(await this.giftService.board({ roomId: dto.roomId, limit: dto.limit }));
  }

  @AdminPost('admin/insert')
  async insert(@Body() dto: InsertGiftDto): Promise<ApiResponse<GiftConfigDto>> {
    const { gift } = await this.giftService.insert({ ...dto });
    return ApiResponses.ok(gift);
  }

  @AdminPost('admin/update')
  async update(@Body() dto: UpdateGiftDto): Promise<ApiResponse<GiftConfigDto>> {
    const { gift } = await this.giftService.update({ ...dto });
    return ApiResponses.ok(gift);
  }
}

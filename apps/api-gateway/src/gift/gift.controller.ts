import {
  ApiResponse,
  ApiResponses,
  BankErrorCode,
  BaseErrorCode,
  BizException,
  GatewayErrorCode,
  GiftClient,
  GiftErrorCode,
} from '@live/common';
import { ContributionBoardResponse, GiftConfigDto } from '@live/contracts';
import { RequestLimit } from '@live/rate-limit';
import { Body, Controller, Headers } from '@nestjs/common';
import { RouteSchema } from '@nestjs/platform-fastify';
import { PostOk } from '../common/post-ok.decorator';
import { ApiTags } from '@nestjs/swagger';
import { AdminPost, CurrentUser } from '../auth/auth.decorators';
import { RequestUser } from '../auth/auth.types';
import { EmptyBodyDto } from '../common/page.dto';
import { IdempotencyKeyHeader, idempotencyKeyOf } from '../common/idempotency-key';
import {
  BoardDto,
  GiftPanelItemView,
  InsertGiftDto,
  SEND_GIFT_SCHEMA,
  SendGiftBody,
  SendGiftDto,
  SendGiftView,
  UpdateGiftDto,
} from './gift.dto';
import { GiftSendService, SEND_GIFT_LIMIT } from './gift-send.service';
import { ApiDoc } from '../docs/api-doc.decorator';
import { BoardView, GiftConfigView } from '../docs/answer-views';
import { GiftServiceOrders } from './gift-service-orders';

@ApiTags('gift')
@Controller('gift')
export class GiftController {
  constructor(
    private readonly sender: GiftSendService,
    private readonly giftService: GiftClient,
    private readonly catalogue: GiftServiceOrders,
  ) {}

  @ApiDoc({ ok: [GiftPanelItemView], summary: 'The gift panel: the gifts on sale', example: {} })
  @PostOk('listGift')
  async listGift(@Body() _body: EmptyBodyDto): Promise<ApiResponse<GiftPanelItemView[]>> {
    const { gifts } = await this.giftService.panel();
    return ApiResponses.ok(gifts);
  }

  @ApiDoc({
    ok: SendGiftView,
    summary: 'Send a gift to the anchor of a living room; the outcome arrives over the WebSocket (5556 / 5557)',
    example: { giftId: 1, roomId: 1, receiverId: 2, count: 1, requestId: 'gift-0001' },
    body: SendGiftDto,
    errors: [
      GiftErrorCode.GIFT_NOT_FOUND,
      GatewayErrorCode.LIVING_ROOM_NOT_FOUND,
      BankErrorCode.INSUFFICIENT_BALANCE,
      BankErrorCode.ACCOUNT_FROZEN,
      BankErrorCode.DAILY_SPEND_CAP_EXCEEDED,
      GatewayErrorCode.IDEMPOTENCY_KEY_REUSED,
      GiftErrorCode.GIFT_SEND_FAILED,
    ],
  })
  @PostOk('send')
  @RouteSchema({ body: SEND_GIFT_SCHEMA })
  @IdempotencyKeyHeader('Idempotency-Key: the same key twice = one charge (or body requestId)')
  @RequestLimit(SEND_GIFT_LIMIT, 'handler')
  async send(
    @CurrentUser() user: RequestUser,
    @Body() dto: SendGiftBody,
    @Headers('idempotency-key') header?: string,
  ): Promise<ApiResponse<SendGiftView>> {
    const idempotencyKey = idempotencyKeyOf(header);
    if (idempotencyKey !== undefined && dto.requestId !== undefined && idempotencyKey !== dto.requestId) {
      throw new BizException(BaseErrorCode.PARAM_ERROR, 'Idempotency-Key and requestId differ: give one of them');
    }
    return ApiResponses.ok(
      await this.sender.send({
        userId: user.userId,
        giftId: dto.giftId,
        roomId: dto.roomId,
        receiverId: dto.receiverId,
        count: dto.count ?? 1,
        clientRequestId: idempotencyKey ?? dto.requestId,
      }),
    );
  }

  /** The room's contribution board: top senders by coins spent in the room. */
  @ApiDoc({
    ok: BoardView,
    summary: "The room's contribution board: top senders by coins",
    example: { roomId: 1, limit: 10 },
  })
  @PostOk('contributionBoard')
  async board(@Body() dto: BoardDto): Promise<ApiResponse<ContributionBoardResponse>> {
    return ApiResponses.ok(await this.giftService.board({ roomId: dto.roomId, limit: dto.limit }));
  }

  @ApiDoc({
    ok: GiftConfigView,
    summary: 'Add a gift to the catalogue (admins)',
    example: { giftName: 'rose', price: 10, status: 1, coverImgUrl: '/img/rose.png', svgaUrl: '/svga/rose.svga' },
  })
  @AdminPost('admin/insert')
  async insert(@Body() dto: InsertGiftDto): Promise<ApiResponse<GiftConfigDto>> {
    const { gift } = await this.catalogue.insert(dto);
    return ApiResponses.ok(gift);
  }

  @ApiDoc({
    ok: GiftConfigView,
    summary: 'Change a gift of the catalogue (admins): the fields given change',
    example: { giftId: 1, price: 20 },
    errors: [GiftErrorCode.GIFT_NOT_FOUND],
  })
  @AdminPost('admin/update')
  async update(@Body() dto: UpdateGiftDto): Promise<ApiResponse<GiftConfigDto>> {
    const { gift } = await this.catalogue.update(dto);
    this.sender.forgetGift(dto.giftId);
    return ApiResponses.ok(gift);
  }
}

import { ApiResponse, ApiResponses, BankClient, ImRouterClient } from '@live/common';
import {
  GiftConfigDto,
  GiftEffectData,
  GiftSettlementResult,
  ImBizCode,
  ImSendToRoomRequest,
  orderSignatureOf,
} from '@live/contracts';
import { Body, Controller } from '@nestjs/common';
import { RouteSchema } from '@nestjs/platform-fastify';
import { PostOk } from '../common/post-ok.decorator';
import { ApiExcludeController } from '@nestjs/swagger';
import { randomUUID } from 'node:crypto';
import { CurrentUser } from '../auth/auth.decorators';
import { RequestUser } from '../auth/auth.types';
import { SEND_GIFT_SCHEMA, SendGiftBody } from '../gift/gift.dto';
import { GiftSendService } from '../gift/gift-send.service';

/**
 * Baselines for `npm run bench`, in BenchModule: loaded only with GATEWAY_BENCH_ROUTES=true (otherwise
 * the routes do not exist: 404, as any unknown route). They go through the same guard, validation and envelope as /gift/send:
 * - /bench/noop: nothing else (the ingress ceiling of this gateway);
 * - /bench/naiveSend: the naive design: one synchronous database transaction per request (a bank
 *   settlement of one gift), no Kafka, no batching;
 * - /bench/naiveSendAndPush: the same, then the gift effect pushed to the room synchronously (one
 *   im-router call per gift): the naive design doing the whole visible job of /gift/send.
 */
@ApiExcludeController()
@Controller('bench')
export class BenchController {
  constructor(
    private readonly bank: BankClient,
    private readonly imRouter: ImRouterClient,
    private readonly sender: GiftSendService,
  ) {}

  @PostOk('noop')
  @RouteSchema({ body: SEND_GIFT_SCHEMA })
  noop(@CurrentUser() _user: RequestUser, @Body() _dto: SendGiftBody): ApiResponse<{ requestId: string }> {
    return ApiResponses.ok({ requestId: randomUUID() });
  }

  @PostOk('naiveSend')
  @RouteSchema({ body: SEND_GIFT_SCHEMA })
  async naiveSend(
    @CurrentUser() user: RequestUser,
    @Body() dto: SendGiftBody,
  ): Promise<ApiResponse<GiftSettlementResult>> {
    return ApiResponses.ok(await this.settleOne(user, dto, await this.sender.giftOnSale(dto.giftId)));
  }

  @PostOk('naiveSendAndPush')
  @RouteSchema({ body: SEND_GIFT_SCHEMA })
  async naiveSendAndPush(
    @CurrentUser() user: RequestUser,
    @Body() dto: SendGiftBody,
  ): Promise<ApiResponse<GiftSettlementResult>> {
    const gift = await this.sender.giftOnSale(dto.giftId);
    const result = await this.settleOne(user, dto, gift);
    if (result.status === 'charged') {
      const data: GiftEffectData = {
        requestId: result.requestId,
        giftId: gift.giftId,
        giftName: gift.giftName,
        svgaUrl: gift.svgaUrl,
        senderId: user.userId,
        receiverId: dto.receiverId,
        roomId: dto.roomId,
        combo: 1,
        count: dto.count ?? 1,
      };
      const push: ImSendToRoomRequest = {
        msgId: result.requestId,
        roomId: dto.roomId,
        bizCode: ImBizCode.GIFT_SUCCESS,
        data: { ...data },
      };
      await this.imRouter.sendToRoom(push);
    }
    return ApiResponses.ok(result);
  }

  /** One gift settled on its own: one bank call, one database transaction. */
  private async settleOne(user: RequestUser, dto: SendGiftBody, gift: GiftConfigDto): Promise<GiftSettlementResult> {
    const requestId = `${user.userId}:${dto.requestId ?? randomUUID()}`;
    const count = dto.count ?? 1;
    const order = this.sender.order(
      { userId: user.userId, giftId: gift.giftId, roomId: dto.roomId, receiverId: dto.receiverId, count },
      gift,
      requestId,
    );
    const { results } = await this.bank.settleBatch([
      {
        requestId,
        senderId: user.userId,
        receiverId: dto.receiverId,
        roomId: dto.roomId,
        giftId: gift.giftId,
        price: gift.price,
        ...(count === 1 ? {} : { count }),
        signed: orderSignatureOf(order),
      },
    ]);
    return results[0];
  }
}

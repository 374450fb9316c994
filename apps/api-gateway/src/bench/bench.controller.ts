import { ApiResponse, ApiResponses, rpcCall } from '@live/common';
import { BANK_SERVICE, BankRpc, GiftConfigDto, GiftEffectData, GiftSettlementResult, IM_ROUTER, ImBizCode, ImRouteResponse, ImRouterRpc, ImSendToRoomRequest } from '@live/contracts';
import { Body, Controller, HttpCode, Inject, Post } from '@nestjs/common';
import { ClientProxy } from '@nestjs/microservices';
import { ApiExcludeController } from '@nestjs/swagger';
import { randomUUID } from 'node:crypto';
import { CurrentUser } from '../auth/auth.decorators';
import { RequestUser } from '../auth/auth.types';
import { GatewayEnv } from '../config/api-gateway.env';
import { SendGiftDto } from '../gift/gift.dto';
import { GiftSendService } from '../gift/gift-send.service';

/**
 * Baselines for `npm run bench`, in BenchModule: loaded only with GATEWAY_BENCH_ROUTES=true (otherwise
 * the routes do not exist: 404, as any unknown route). They go through the same guard, validation and envelope as /gift/send:
 * - /bench/noop: nothing else (the ingress ceiling of this gateway);
 * - /bench/naiveSend: the naive design: one synchronous database transaction per request (the bank's
 *   single-gift settlement), no Kafka, no batching;
 * - /bench/naiveSendAndPush: the same, then the gift effect pushed to the room synchronously (one
 *   im-router call per gift): the naive design doing the whole visible job of /gift/send.
 */
@ApiExcludeController()
@Controller('bench')
export class BenchController {
  constructor(
    @Inject(BANK_SERVICE) private readonly bank: ClientProxy,
    @Inject(IM_ROUTER) private readonly imRouter: ClientProxy,
    private readonly sender: GiftSendService,
    private readonly env: GatewayEnv,
  ) {}

  @Post('noop')
  @HttpCode(200)
  noop(@CurrentUser() _user: RequestUser, @Body() _dto: SendGiftDto): ApiResponse<{ requestId: string }> {
    return ApiResponses.ok({ requestId: randomUUID() });
  }

  @Post('naiveSend')
  @HttpCode(200)
  async naiveSend(@CurrentUser() user: RequestUser, @Body() dto: SendGiftDto): Promise<ApiResponse<GiftSettlementResult>> {
    return ApiResponses.ok(await this.settleOne(user, dto, await this.sender.giftOnSale(dto.giftId)));
  }

  @Post('naiveSendAndPush')
  @HttpCode(200)
  async naiveSendAndPush(@CurrentUser() user: RequestUser, @Body() dto: SendGiftDto): Promise<ApiResponse<GiftSettlementResult>> {
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
      };
      const push: ImSendToRoomRequest = { msgId: result.requestId, roomId: dto.roomId, bizCode: ImBizCode.GIFT_SUCCESS, data: { ...data } };
      await rpcCall<ImRouteResponse>(this.imRouter, ImRouterRpc.SEND_TO_ROOM, push, this.env.GATEWAY_RPC_TIMEOUT_MS);
    }
    return ApiResponses.ok(result);
  }

  /** One gift settled on its own: one bank call, one database transaction. */
  private settleOne(user: RequestUser, dto: SendGiftDto, gift: GiftConfigDto): Promise<GiftSettlementResult> {
    return rpcCall<GiftSettlementResult>(
      this.bank,
      BankRpc.CONSUME_FOR_SEND_GIFT,
      { requestId: `${user.userId}:${dto.requestId ?? randomUUID()}`, userId: user.userId, receiverId: dto.receiverId, roomId: dto.roomId, giftId: gift.giftId, price: gift.price },
      this.env.GATEWAY_RPC_TIMEOUT_MS,
    );
  }
}


import { ApiResponse, ApiResponses, rpcCall } from '@live/common';
import { BANK_SERVICE, BankRpc, GiftSettlementResult } from '@live/contracts';
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
 * Baselines for `npm run bench`, mounted only with GATEWAY_BENCH_ROUTES=true. Both go through the same
 * guard, validation and envelope as /gift/send:
 * - /bench/noop: nothing else (the ingress ceiling of this gateway);
 * - /bench/naiveSend: the naive design: one synchronous database transaction per request (the bank's
 *   single-gift settlement), no Kafka, no batching.
 */
@ApiExcludeController()
@Controller('bench')
export class BenchController {
  constructor(
    @Inject(BANK_SERVICE) private readonly bank: ClientProxy,
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
    const gift = await this.sender.giftOnSale(dto.giftId);
    const result = await rpcCall<GiftSettlementResult>(
      this.bank,
      BankRpc.CONSUME_FOR_SEND_GIFT,
      { requestId: `${user.userId}:${dto.requestId ?? randomUUID()}`, userId: user.userId, receiverId: dto.receiverId, roomId: dto.roomId, giftId: gift.giftId, price: gift.price },
      this.env.GATEWAY_RPC_TIMEOUT_MS,
    );
    return ApiResponses.ok(result);
  }
}

import { ApiResponse, ApiResponses, BankClient } from '@live/common';
import {
  BalanceResponse,
  CreatePayOrderResponse,
  PayNotifyResponse,
  PayProductDto as ProductView,
  TradePage,
} from '@live/contracts';
import { RequestLimit } from '@live/rate-limit';
import { Body, Controller } from '@nestjs/common';
import { PostOk } from '../common/post-ok.decorator';
import { ApiTags } from '@nestjs/swagger';
import { CurrentUser, Public } from '../auth/auth.decorators';
import { RequestUser } from '../auth/auth.types';
import { EmptyBodyDto, PageDto } from '../common/page.dto';
import { OrderIdDto, PayNotifyDto, PayProductDto, ProductsDto } from './bank.dto';

/** Wallet and recharge: every call goes to bank-service for the caller's own wallet. */
@ApiTags('bank')
@Controller('bank')
export class BankController {
  constructor(private readonly bank: BankClient) {}

  @PostOk('products')
  async products(
    @CurrentUser() user: RequestUser,
    @Body() dto: ProductsDto,
  ): Promise<ApiResponse<{ products: ProductView[]; currentBalance: number }>> {
    const [{ products }, { balance }] = await Promise.all([
      this.bank.products(dto.type),
      this.bank.balance(user.userId),
    ]);
    return ApiResponses.ok({ products, currentBalance: balance });
  }

  @PostOk('payProduct')
  @RequestLimit({ limit: 10, seconds: 10, msg: 'too many orders, wait a moment' })
  async payProduct(
    @CurrentUser() user: RequestUser,
    @Body() dto: PayProductDto,
  ): Promise<ApiResponse<CreatePayOrderResponse>> {
    return ApiResponses.ok(await this.bank.createPayOrder({ userId: user.userId, ...dto }));
  }

  /** The payment provider's callback: no user token, the HMAC signature is the proof. */
  @Public()
  @PostOk('payNotify')
  async payNotify(@Body() dto: PayNotifyDto): Promise<ApiResponse<PayNotifyResponse>> {
    return ApiResponses.ok(await this.bank.payNotify({ ...dto }));
  }

  /** Development payment provider: pays the caller's own order and sends its signed callback. */
  @PostOk('devPay')
  async devPay(@CurrentUser() user: RequestUser, @Body() dto: OrderIdDto): Promise<ApiResponse<PayNotifyResponse>> {
    return ApiResponses.ok(await this.bank.devPay({ orderId: dto.orderId, userId: user.userId }));
  }

  @PostOk('balance')
  async balance(@CurrentUser() user: RequestUser, @Body() _body: EmptyBodyDto): Promise<ApiResponse<BalanceResponse>> {
    return ApiResponses.ok(await this.bank.balance(user.userId));
  }

  @PostOk('trades')
  async trades(@CurrentUser() user: RequestUser, @Body() dto: PageDto): Promise<ApiResponse<TradePage>> {
    return ApiResponses.ok(await this.bank.trades({ userId: user.userId, page: dto.page, pageSize: dto.pageSize }));
  }
}

import { ApiResponse, ApiResponses, BankClient, BankErrorCode, GatewayErrorCode } from '@live/common';
import {
  BalanceResponse,
  CreatePayOrderResponse,
  EarningsResponse,
  PayNotifyResponse,
  PayProductDto as ProductView,
  RefundOrderResponse,
  TradePage,
} from '@live/contracts';
import { RequestLimit } from '@live/rate-limit';
import { Body, Controller, Headers } from '@nestjs/common';
import { PostOk } from '../common/post-ok.decorator';
import { ApiTags } from '@nestjs/swagger';
import { AdminPost, CurrentUser, Public } from '../auth/auth.decorators';
import { RequestUser } from '../auth/auth.types';
import { IdempotencyKeyHeader, idempotencyKeyOf } from '../common/idempotency-key';
import { EmptyBodyDto, PageDto } from '../common/page.dto';
import { EarningsView, OrderIdDto, PayNotifyDto, PayProductDto, ProductsDto } from './bank.dto';
import { BankOrders } from './bank-orders';
import { ApiDoc } from '../docs/api-doc.decorator';
import {
  BalanceView,
  PayNotifyView,
  PayOrderView,
  ProductsView,
  RefundOrderView,
  TradePageView,
} from '../docs/answer-views';

/** Wallet and recharge: every call goes to bank-service for the caller's own wallet. */
@ApiTags('bank')
@Controller('bank')
export class BankController {
  constructor(
    private readonly bank: BankClient,
    private readonly orders: BankOrders,
  ) {}

  @ApiDoc({ ok: ProductsView, summary: "The recharge products and the caller's balance", example: { type: 0 } })
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

  @ApiDoc({
    ok: PayOrderView,
    summary: 'Order a recharge product: an order waiting for payment',
    example: { productId: 1, paySource: 1, payChannel: 0 },
    errors: [
      BankErrorCode.PRODUCT_NOT_FOUND,
      BankErrorCode.ACCOUNT_FROZEN,
      BankErrorCode.TOO_MANY_OPEN_ORDERS,
      GatewayErrorCode.IDEMPOTENCY_KEY_REUSED,
    ],
  })
  @PostOk('payProduct')
  @IdempotencyKeyHeader('Idempotency-Key: the same key and parameters again = the same order; other parameters: 409')
  @RequestLimit({ limit: 10, seconds: 10, msg: 'too many orders, wait a moment' })
  async payProduct(
    @CurrentUser() user: RequestUser,
    @Body() dto: PayProductDto,
    @Headers('idempotency-key') header?: string,
  ): Promise<ApiResponse<CreatePayOrderResponse>> {
    const requestKey = idempotencyKeyOf(header);
    return ApiResponses.ok(
      await this.orders.createPayOrder({
        userId: user.userId,
        ...dto,
        ...(requestKey === undefined ? {} : { requestKey }),
      }),
    );
  }

  /** The payment provider's callback: no user token, the HMAC signature is the proof. */
  @Public()
  @ApiDoc({
    ok: PayNotifyView,
    summary:
      "The payment provider's callback (HMAC-signed): credits the order's coins once (an expired order's too: money paid is never lost)",
    example: { orderId: 'PO1732900000000ab12', signature: '9f86d081884c7d65...' },
    errors: [BankErrorCode.PAY_SIGNATURE_INVALID, BankErrorCode.ORDER_NOT_FOUND, BankErrorCode.ORDER_STATUS_INVALID],
  })
  @PostOk('payNotify')
  // Per address (the route is public): each forged callback costs an RPC and an HMAC check at bank-service. A
  // provider's callback refused by it is retried by the provider; a count of refused signatures only would
  // be lower, but it would also refuse the provider's signed callbacks during a BANK_PAY_SECRET switch.
  @RequestLimit({ limit: 1_000, seconds: 10, msg: 'too many payment callbacks from this address, wait a moment' })
  async payNotify(@Body() dto: PayNotifyDto): Promise<ApiResponse<PayNotifyResponse>> {
    return ApiResponses.ok(await this.bank.payNotify({ ...dto }));
  }

  /** Development payment provider: pays the caller's own order and sends its signed callback. */
  @ApiDoc({
    ok: PayNotifyView,
    summary: "Development payment provider: pays the caller's own order",
    example: { orderId: 'PO1732900000000ab12' },
    errors: [
      BankErrorCode.DEV_PAY_DISABLED,
      BankErrorCode.ORDER_NOT_FOUND,
      BankErrorCode.ORDER_STATUS_INVALID,
      BankErrorCode.ORDER_EXPIRED,
    ],
  })
  @PostOk('devPay')
  async devPay(@CurrentUser() user: RequestUser, @Body() dto: OrderIdDto): Promise<ApiResponse<PayNotifyResponse>> {
    return ApiResponses.ok(await this.bank.devPay({ orderId: dto.orderId, userId: user.userId }));
  }

  /** Admins: a paid order's coins back out of its user's wallet (refused, nothing moved, if they were spent). */
  @ApiDoc({
    ok: RefundOrderView,
    summary: "Refund a paid recharge order (admins): its coins leave the user's wallet, once",
    example: { orderId: 'PO1732900000000ab12' },
    errors: [BankErrorCode.ORDER_NOT_FOUND, BankErrorCode.ORDER_NOT_REFUNDABLE, BankErrorCode.REFUND_COINS_SPENT],
  })
  @AdminPost('admin/refund')
  async refund(@CurrentUser() admin: RequestUser, @Body() dto: OrderIdDto): Promise<ApiResponse<RefundOrderResponse>> {
    return ApiResponses.ok(await this.orders.refundOrder({ orderId: dto.orderId, adminId: admin.userId }));
  }

  @ApiDoc({ ok: BalanceView, summary: "The caller's coin balance", example: {} })
  @PostOk('balance')
  async balance(@CurrentUser() user: RequestUser, @Body() _body: EmptyBodyDto): Promise<ApiResponse<BalanceResponse>> {
    const { balance } = await this.bank.balance(user.userId);
    return ApiResponses.ok({ balance });
  }

  @ApiDoc({
    ok: EarningsView,
    summary: "The caller's gift earnings: balance, withdrawable and pending (held), totals today, 7 days, all time",
    example: {},
  })
  @PostOk('earnings')
  @RequestLimit({ limit: 100, seconds: 10, msg: 'too many earnings reads, wait a moment' })
  async earnings(
    @CurrentUser() user: RequestUser,
    @Body() _body: EmptyBodyDto,
  ): Promise<ApiResponse<EarningsResponse>> {
    return ApiResponses.ok(await this.bank.earnings(user.userId));
  }

  @ApiDoc({
    ok: TradePageView,
    summary: "The caller's ledger, newest first: a gift is the sender's debit and the receiver's credit",
    example: { page: 1, pageSize: 20 },
  })
  @PostOk('trades')
  @RequestLimit({ limit: 30, seconds: 10, msg: 'too many requests, wait a moment' })
  async trades(@CurrentUser() user: RequestUser, @Body() dto: PageDto): Promise<ApiResponse<TradePage>> {
    return ApiResponses.ok(await this.bank.trades({ userId: user.userId, page: dto.page, pageSize: dto.pageSize }));
  }
}

import { IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min, MinLength } from 'class-validator';
import { IsEntityId, IsEnumValue, IsRequestId } from '../../../validation';
import { BankOrderRequest } from './bank-order.dto';

/** Where a recharge was started (the original PaySourceEnum). */
export enum PaySource {
  LIVING_ROOM = 1,
  USER_CENTER = 2,
}

/** How it is paid (the original PayChannelEnum). */
export enum PayChannel {
  ALIPAY = 0,
  WECHAT = 1,
  UNIONPAY = 2,
  MOBILE = 3,
}

/** A pay order id as bank-service makes them (`PO...`): 1..64 of A-Z a-z 0-9 _ -. */
export const ORDER_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/** BankRpc.LIST_PRODUCTS */
export class ListPayProductsRequest {
  /** Product family (e.g. 0 = coin packs); see t_pay_product.type. */
  @IsInt()
  @Min(0)
  @Max(1000)
  type!: number;
}

export class PayProductDto {
  id!: number;
  name!: string;
  /** Price in cents. */
  price!: number;
  /** Coins credited when paid. */
  coinNum!: number;
  type!: number;
}

export class ListPayProductsResponse {
  products!: PayProductDto[];
}

/** BankRpc.CREATE_PAY_ORDER: an order waiting for payment, priced as the product is now; signed by api-gateway. */
export class CreatePayOrderRequest extends BankOrderRequest {
  @IsEntityId()
  userId!: number;

  @IsEntityId()
  productId!: number;

  @IsEnumValue(PaySource)
  paySource!: PaySource;

  @IsEnumValue(PayChannel)
  payChannel!: PayChannel;

  /**
   * The client's Idempotency-Key (absent: none given, every call a new order). UNIQUE per user in t_pay_order:
   * the same key with the same product, source and channel answers the order it made; with others, 409
   * IDEMPOTENCY_KEY_REUSED.
   */
  @IsOptional()
  @IsRequestId()
  requestKey?: string;
}

export class CreatePayOrderResponse {
  orderId!: string;
}

/**
 * BankRpc.PAY_NOTIFY: the payment provider's callback, HMAC-signed over the order id. The coins go to
 * the user recorded on the order (never one named by the caller), once per order.
 */
export class PayNotifyRequest {
  @IsString()
  @Matches(ORDER_ID_PATTERN)
  orderId!: string;

  @IsString()
  @MinLength(1)
  @MaxLength(256)
  signature!: string;
}

export class PayNotifyResponse {
  orderId!: string;
  status!: 'paid';
  /** False when this callback repeated one already applied: nothing changed. */
  credited!: boolean;
  coinNum!: number;
  /** The balance after the credit; null when nothing was credited now. */
  balance!: number | null;
}

/** BankRpc.DEV_PAY: the development payment provider pays the caller's own order (development mode only). */
export class DevPayRequest {
  @IsString()
  @Matches(ORDER_ID_PATTERN)
  orderId!: string;

  /** The caller: only the order's owner may pay it. */
  @IsEntityId()
  userId!: number;
}

/** An order's status as answers name it. */
export type PayOrderStatusName = 'waiting' | 'paying' | 'paid' | 'invalid' | 'expired' | 'refunded';

/**
 * BankRpc.REFUND_ORDER (admins): a PAID order's coins clawed back from its user's wallet, once. Refused,
 * nothing moved, when the wallet no longer holds them (REFUND_COINS_SPENT, naming what is missing) or the
 * order is not paid (ORDER_NOT_REFUNDABLE); a refunded order answers again with `refunded: false`.
 * Gateway-signed (BankOrderRequest).
 */
export class RefundOrderRequest extends BankOrderRequest {
  @IsString()
  @Matches(ORDER_ID_PATTERN)
  orderId!: string;

  /** The admin asking (logged, and kept in the ledger row's remark). */
  @IsEntityId()
  adminId!: number;
}

export class RefundOrderResponse {
  orderId!: string;
  status!: 'refunded';
  /** The order's user, whose wallet gave the coins back. */
  userId!: number;
  coinNum!: number;
  /** False when the order had been refunded before: nothing moved now. */
  refunded!: boolean;
  /** The wallet's balance after the clawback; null when nothing moved now. */
  balance!: number | null;
}
